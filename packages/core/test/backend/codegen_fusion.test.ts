/**
 * Elementwise fusion planning (`codegen/fusion.ts`), driven by a toy backend written here: buffers
 * that hold plain number arrays once materialized, a recorder that applies `planFusion`, and an
 * interpreter that evaluates `linearize`'s steps with NumPy broadcasting. Values are checked
 * against direct computation; the plans (what materializes when, step order, leaf dedup) are
 * checked as data.
 */
import { describe, expect, it } from "vitest";
import {
  isFusible,
  isFusibleView,
  isInlinable,
  leafBroadcast,
  linearize,
  planFusion,
  type FusedExpr,
  type FusiblePrimitive,
  type LazyBuffer,
  type LazyNode,
  type LazyPrimitive,
} from "../../src/backend/codegen/fusion";
import { Primitive, type Params } from "../../src/primitives/primitive";
import type { DType } from "../../src/tensor/dtype";

// ---------------------------------------------------------------------------------------------
// A toy backend

let nextId = 1;
const sizeOf = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

class Buf implements LazyBuffer<Buf> {
  readonly id = nextId++;
  readonly size: number;
  node: LazyNode<Buf> | null = null;
  uses = 0;
  leaves = 0;
  ops = 0;
  flat = true;
  values: number[] | null = null;
  constructor(
    readonly shape: number[],
    readonly dtype: DType = "float32",
  ) {
    this.size = sizeOf(shape);
  }
}

/** Flat index in `inShape` of output flat index e, NumPy broadcasting (right-aligned). */
function bcast(outShape: readonly number[], inShape: readonly number[], e: number): number {
  let idx = 0;
  let stride = 1;
  let rest = e;
  for (let d = outShape.length - 1; d >= 0; d--) {
    const c = rest % outShape[d]!;
    rest = Math.floor(rest / outShape[d]!);
    const k = d - (outShape.length - inShape.length);
    if (k >= 0 && inShape[k] !== 1) idx += c * stride;
    if (k >= 0) stride *= inShape[k]!;
  }
  return idx;
}

const OPS: Partial<Record<FusiblePrimitive, (a: number[]) => number>> = {
  [Primitive.Add]: ([a, b]) => a! + b!,
  [Primitive.Mul]: ([a, b]) => a! * b!,
  [Primitive.Sub]: ([a, b]) => a! - b!,
  [Primitive.Exp]: ([a]) => Math.exp(a!),
  [Primitive.Neg]: ([a]) => -a!,
};

/** Evaluates a linearized expression over an output of `shape` (the interpreter "renderer"). */
function evaluate(expr: FusedExpr<Buf>, shape: readonly number[]): number[] {
  const out: number[] = [];
  for (let e = 0; e < sizeOf(shape); e++) {
    const vals: number[] = [];
    for (const st of expr.steps) {
      if (st.kind === "leaf") vals.push(expr.leaves[st.binding]!.values![bcast(shape, st.view, e)]!);
      else vals.push(OPS[st.prim]!(st.args.map((a) => vals[a]!)));
    }
    out.push(vals[expr.result]!);
  }
  return out;
}

class Toy {
  materialized: number[] = [];
  readonly limits = { maxOps: 6, maxLeaves: 4 };

  write(values: number[], shape: number[]): Buf {
    const b = new Buf(shape);
    b.values = values;
    return b;
  }

  /** An elementwise op; `shapes` are the operand shapes (a reshape may differ from the buffer's). */
  op(prim: LazyPrimitive, inputs: Buf[], outShape: number[], shapes = inputs.map((b) => b.shape)): Buf {
    const plan = planFusion(inputs, sizeOf(outShape), this.limits, this.materialize);
    const out = new Buf(outShape);
    out.node = { prim, params: {} as Params<Primitive>, inputs: inputs.map((data, i) => ({ data, shape: shapes[i]!, dtype: "float32" as DType })) };
    Object.assign(out, plan);
    return out;
  }

  readonly materialize = (d: Buf): void => {
    if (!d.node) return;
    d.values = evaluate(linearize(d, d.shape, this.materialize), d.shape);
    d.node = null;
    this.materialized.push(d.id);
  };

  read(d: Buf): number[] {
    this.materialize(d);
    return d.values!;
  }
}

const range = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));
const close = (got: number[], want: number[]): void => {
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => expect(Math.abs(g - want[i]!)).toBeLessThan(1e-12 + 1e-12 * Math.abs(want[i]!)));
};

// ---------------------------------------------------------------------------------------------

describe("isFusible", () => {
  it("takes unary, binary, compare, where and cast; not reductions or movement", () => {
    for (const p of [Primitive.Exp, Primitive.Add, Primitive.Less, Primitive.Where, Primitive.Cast, Primitive.LogicalNot]) expect(isFusible(p), p).toBe(true);
    for (const p of [Primitive.Sum, Primitive.Matmul, Primitive.Reshape, Primitive.Transpose, Primitive.Iota]) expect(isFusible(p), p).toBe(false);
  });
});

describe("planFusion", () => {
  it("a chain stays one lazy expression; ops and leaves add up", () => {
    const t = new Toy();
    const x = t.write([1, 2, 3, 4], [4]);
    const b = t.write([10], [1]);
    const y = t.op(Primitive.Add, [x, b], [4]);
    const z = t.op(Primitive.Exp, [y], [4]);
    const w = t.op(Primitive.Mul, [z, x], [4]);
    expect([y.ops, z.ops, w.ops]).toEqual([1, 2, 3]);
    expect([y.leaves, z.leaves, w.leaves]).toEqual([2, 2, 3]);
    expect(t.materialized).toEqual([]);
    close(t.read(w), [1, 2, 3, 4].map((v) => Math.exp(v + 10) * v));
    expect(t.materialized).toEqual([w.id]); // one program
  });

  it("a lazy buffer a second consumer fuses is materialized first", () => {
    const t = new Toy();
    const x = t.write([1, 2], [2]);
    const y = t.op(Primitive.Exp, [x], [2]);
    const a = t.op(Primitive.Neg, [y], [2]);
    expect(y.uses).toBe(1);
    expect(t.materialized).toEqual([]);
    const b = t.op(Primitive.Add, [y, x], [2]);
    expect(t.materialized).toEqual([y.id]);
    expect(b.ops).toBe(1);
    close(t.read(a), [-Math.exp(1), -Math.exp(2)]);
    close(t.read(b), [Math.exp(1) + 1, Math.exp(2) + 2]);
  });

  it("the same lazy operand twice (x * x) counts as one consumer", () => {
    const t = new Toy();
    const y = t.op(Primitive.Exp, [t.write([0.5], [1])], [1]);
    const sq = t.op(Primitive.Mul, [y, y], [1]);
    expect(t.materialized).toEqual([]);
    expect(y.uses).toBe(1);
    close(t.read(sq), [Math.exp(1)]);
  });

  it("inputs are materialized when the expression would pass the op or leaf cap", () => {
    const t = new Toy(); // maxOps 6, maxLeaves 4
    const x = t.write([1, 2], [2]);
    let y = t.op(Primitive.Neg, [x], [2]);
    for (let i = 0; i < 5; i++) y = t.op(Primitive.Neg, [y], [2]);
    expect(y.ops).toBe(6);
    const prev = y;
    y = t.op(Primitive.Neg, [y], [2]);
    expect(t.materialized).toEqual([prev.id]);
    expect([y.ops, y.leaves]).toEqual([1, 1]);
    close(t.read(y), [-1, -2]);

    const leaves = range(5, (i) => t.write([i, i + 1], [2]));
    let s = t.op(Primitive.Add, [leaves[0]!, leaves[1]!], [2]);
    s = t.op(Primitive.Add, [s, leaves[2]!], [2]);
    s = t.op(Primitive.Add, [s, leaves[3]!], [2]);
    expect(s.leaves).toBe(4);
    const before = s;
    s = t.op(Primitive.Add, [s, leaves[4]!], [2]);
    expect(t.materialized).toContain(before.id);
    expect(s.leaves).toBe(2);
    close(t.read(s), [0 + 1 + 2 + 3 + 4, 1 + 2 + 3 + 4 + 5]);
  });

  it("flat: only when every leaf has the output's size or one element", () => {
    const t = new Toy();
    const x = t.write(range(6, (i) => i), [2, 3]);
    expect(t.op(Primitive.Mul, [x, t.write([2], [1])], [2, 3]).flat).toBe(true);
    const row = t.op(Primitive.Add, [x, t.write([1, 2, 3], [3])], [2, 3]);
    expect(row.flat).toBe(false);
    expect(t.op(Primitive.Exp, [row], [2, 3]).flat).toBe(false);
  });
});

describe("linearize", () => {
  it("orders operands before ops and binds each buffer once", () => {
    const t = new Toy();
    const x = t.write([1, 2, 3, 4], [2, 2]);
    const bias = t.write([10, 20], [2]);
    const y = t.op(Primitive.Add, [x, bias], [2, 2]);
    const z = t.op(Primitive.Mul, [y, x], [2, 2]); // x read twice
    const expr = linearize(z, z.shape, t.materialize);
    expect(expr.leaves).toEqual([x, bias]);
    expect(expr.steps.map((s) => (s.kind === "leaf" ? `leaf${s.binding}` : `${s.prim}(${s.args.join(",")})`))).toEqual(["leaf0", "leaf1", "add(0,1)", "mul(2,0)"]);
    expect(expr.result).toBe(3);
    close(evaluate(expr, z.shape), [11 * 1, 22 * 2, 13 * 3, 24 * 4]);
  });

  it("a flat node under a reshape is inlined; its leaves take the view", () => {
    const t = new Toy();
    const x = t.write([1, 2, 3, 4], [2, 2]);
    const flat = t.op(Primitive.Exp, [x], [4], [[4]]); // x read as (4,)
    const sum = t.op(Primitive.Add, [x, flat], [2, 2], [[2, 2], [2, 2]]); // flat reshaped to (2, 2)
    const expr = linearize(sum, sum.shape, t.materialize);
    expect(expr.leaves).toEqual([x]);
    expect(expr.steps.flatMap((s) => (s.kind === "leaf" ? [s.view] : []))).toEqual([[2, 2]]); // deduplicated
    expect(t.materialized).toEqual([]);
    close(evaluate(expr, sum.shape), [1, 2, 3, 4].map((v) => v + Math.exp(v)));
  });

  it("the same buffer under two views is two leaf steps with one binding", () => {
    const t = new Toy();
    const x = t.write([1, 2, 3, 4], [4]);
    const outer = t.op(Primitive.Mul, [x, x], [4, 4], [[4, 1], [4]]); // x[i] * x[j]
    const expr = linearize(outer, outer.shape, t.materialize);
    expect(expr.leaves).toEqual([x]);
    expect(expr.steps.flatMap((s) => (s.kind === "leaf" ? [[s.binding, s.view]] : []))).toEqual([
      [0, [4, 1]],
      [0, [4]],
    ]);
    close(evaluate(expr, outer.shape), range(16, (e) => (Math.floor(e / 4) + 1) * ((e % 4) + 1)));
  });

  it("a non-flat node under a reshape is materialized during the walk", () => {
    const t = new Toy();
    const x = t.write(range(6, (i) => i), [2, 3]);
    const row = t.op(Primitive.Add, [x, t.write([1, 2, 3], [3])], [2, 3]); // not flat
    const r = t.op(Primitive.Neg, [row], [3, 2], [[3, 2]]); // row viewed as (3, 2)
    expect(t.materialized).toEqual([]);
    const expr = linearize(r, r.shape, t.materialize);
    expect(t.materialized).toEqual([row.id]);
    expect(expr.leaves).toEqual([row]);
    close(evaluate(expr, r.shape), [0, 1, 2, 3, 4, 5].map((v) => -(v + 1 + (v % 3))));
  });

  it("broadcast leaves keep their own view", () => {
    const t = new Toy();
    const x = t.write(range(6, (i) => i), [2, 3]);
    const col = t.write([100, 200], [2, 1]);
    const y = t.op(Primitive.Sub, [x, col], [2, 3]);
    const expr = linearize(y, y.shape, t.materialize);
    const views = expr.steps.flatMap((s) => (s.kind === "leaf" ? [s.view] : []));
    expect(views).toEqual([[2, 3], [2, 1]]);
    close(evaluate(expr, y.shape), [0 - 100, 1 - 100, 2 - 100, 3 - 200, 4 - 200, 5 - 200]);
  });
});

describe("BroadcastTo", () => {
  it("is a view: its operand becomes a broadcast leaf, no step of its own", () => {
    const t = new Toy();
    const x = t.write(range(6, (i) => i), [2, 3]);
    const col = t.write([100, 200], [2, 1]);
    const b = t.op(Primitive.BroadcastTo, [col], [2, 3]);
    expect(b.flat).toBe(false);
    const y = t.op(Primitive.Add, [x, b], [2, 3]);
    const expr = linearize(y, y.shape, t.materialize);
    expect(expr.steps.map((s) => (s.kind === "leaf" ? s.view : s.prim))).toEqual([[2, 3], [2, 1], Primitive.Add]);
    close(evaluate(expr, y.shape), [100, 101, 102, 203, 204, 205]);
    expect(isFusibleView(Primitive.BroadcastTo)).toBe(true);
    expect(isFusible(Primitive.BroadcastTo)).toBe(false);
  });

  it("of a lazy expression, evaluates the expression on the broadcast operands", () => {
    const t = new Toy();
    const e = t.op(Primitive.Exp, [t.write([0, 1], [2, 1])], [2, 1]);
    const b = t.op(Primitive.BroadcastTo, [e], [2, 2]);
    const y = t.op(Primitive.Mul, [b, t.write([1, 2, 3, 4], [2, 2])], [2, 2]);
    close(t.read(y), [1, 2, 3 * Math.E, 4 * Math.E]);
    expect(t.materialized).toEqual([y.id]); // one program
  });

  it("reshaped, is materialized first unless its operand is one element", () => {
    const t = new Toy();
    const b = t.op(Primitive.BroadcastTo, [t.write([1, 2], [2, 1])], [2, 2]);
    const r = t.op(Primitive.Neg, [b], [4], [[4]]);
    close(t.read(r), [-1, -1, -2, -2]);
    expect(t.materialized).toEqual([b.id, r.id]);
    const s = t.op(Primitive.BroadcastTo, [t.write([7], [1])], [2, 2]);
    expect(s.flat).toBe(true);
    close(t.read(t.op(Primitive.Neg, [s], [4], [[4]])), [-7, -7, -7, -7]);
  });
});

describe("isInlinable", () => {
  it("a lazy buffer with no lazy consumer yet; never a materialized one", () => {
    const t = new Toy();
    const x = t.write([1], [1]);
    const y = t.op(Primitive.Exp, [x], [1]);
    expect(isInlinable(x)).toBe(false);
    expect(isInlinable(y)).toBe(true);
    t.op(Primitive.Neg, [y], [1]);
    expect(isInlinable(y)).toBe(false);
  });
});

describe("leafBroadcast", () => {
  it("classifies a leaf's view against the output", () => {
    expect(leafBroadcast([8, 64], [8, 64])).toBe("same");
    expect(leafBroadcast([4, 4, 4], [64])).toBe("same");
    expect(leafBroadcast([], [8, 64])).toBe("scalar");
    expect(leafBroadcast([1, 1], [8, 64])).toBe("scalar");
    expect(leafBroadcast([64], [8, 64])).toBe("row");
    expect(leafBroadcast([1, 16], [2, 3, 16])).toBe("row");
    expect(leafBroadcast([8, 1], [8, 64])).toBe("column");
    expect(leafBroadcast([3, 1], [2, 3, 16])).toBe("column");
    expect(leafBroadcast([2, 1, 16], [2, 3, 16])).toBe("row");
    expect(leafBroadcast([3, 1, 1], [3, 4, 5])).toBe("column");
    expect(leafBroadcast([4, 1], [4, 1])).toBe("same");
  });
});
