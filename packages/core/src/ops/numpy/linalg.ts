/**
 * Linear algebra of `keras.ops` (NumPy family): matmul, dot, tensordot, einsum, cross, norm...
 * Contractions lower to transpose + reshape + one batched Matmul primitive (with its transpose
 * flags where the operand is already in the transposed order), so they run as one kernel.
 */
import { fmt } from "../../errors";
import type { AnyTensor } from "../../engine/bind";
import * as lax from "../../primitives/lax";
import { broadcastShapes } from "../../primitives/shape_rules";
import type { Tensor } from "../../tensor/tensor";
import { normalizeAxis, promoteOperands, type TensorLike } from "../convert";
import { diagonal } from "./shape";
import {
  dims,
  dropAt,
  expandAt,
  fail,
  moveAxis,
  prodDims,
  reshapeBy,
  sliceAxis,
  toFloat,
  type Dim,
} from "./internal";
import { deferIfUnknown } from "../../symbolic/deferred_op";

const range = (n: number, from = 0): number[] => Array.from({ length: n }, (_, i) => from + i);

/** Runs `f` on int32 copies of bool operands and turns the result back into bool (NumPy). */
function viaIntForBool(ts: AnyTensor[], f: (ts: AnyTensor[]) => AnyTensor): AnyTensor {
  if (ts[0]!.dtype !== "bool") return f(ts);
  return lax.notEqual(f(ts.map((t) => lax.cast(t, "int32"))), 0);
}

/**
 * Matrix product with NumPy semantics: batch dims broadcast; a 1-D first operand is a row vector
 * and a 1-D second operand a column vector, and the added dim is removed from the result.
 * @example keras.ops.matmul(x, w); // (B, T, C) @ (C, D) -> (B, T, D)
 */
export function matmul<T extends AnyTensor = Tensor>(x1: TensorLike, x2: TensorLike): T {
  const [a, b] = promoteOperands<AnyTensor>([x1, x2]);
  const ra = a!.shape.length;
  const rb = b!.shape.length;
  const received = `x1.shape=${fmt(a!.shape)}, x2.shape=${fmt(b!.shape)}`;
  if (ra === 0 || rb === 0) fail("matmul", "operands must be at least 1-D", received);
  const ka = a!.shape[ra - 1]!;
  const kb = rb === 1 ? b!.shape[0]! : b!.shape[rb - 2]!;
  if (ka !== null && kb !== null && ka !== kb) fail("matmul", `inner dimensions must match (${ka} vs ${kb})`, received);
  broadcastShapes([a!.shape.slice(0, -2), b!.shape.slice(0, -2)], "matmul");
  return viaIntForBool([a!, b!], ([p, q]) => {
    const A = ra === 1 ? expandAt(p!, [0], "matmul") : p!; // (k,) -> (1, k)
    const B = rb === 1 ? expandAt(q!, [1], "matmul") : q!; // (k,) -> (k, 1)
    const y = lax.matmul(A, B);
    const r = y.shape.length;
    const drop = [...(ra === 1 ? [r - 2] : []), ...(rb === 1 ? [r - 1] : [])];
    return dropAt(y, drop, "matmul");
  }) as T;
}

/**
 * NumPy `dot`: products for scalars, inner product for vectors, matmul for matrices, and for N-D
 * a sum over the last axis of `x1` and the second-to-last of `x2`.
 * @example keras.ops.dot([1, 2], [3, 4]); // 11
 */
export function dot<T extends AnyTensor = Tensor>(x1: TensorLike, x2: TensorLike): T {
  const [a, b] = promoteOperands<AnyTensor>([x1, x2]);
  const ra = a!.shape.length;
  const rb = b!.shape.length;
  if (ra === 0 || rb === 0) return viaIntForBool([a!, b!], ([p, q]) => lax.mul(p!, q!)) as T;
  if (rb === 1 || ra === 1 || (ra === 2 && rb === 2)) return matmul<T>(a!, b!);
  return tensordot<T>(a!, b!, [[ra - 1], [rb - 2]]);
}

/**
 * Dot product of the flattened inputs.
 * @example keras.ops.vdot([[1, 2], [3, 4]], [[1, 1], [1, 1]]); // 10
 */
export function vdot<T extends AnyTensor = Tensor>(x1: TensorLike, x2: TensorLike): T {
  const [a, b] = promoteOperands<AnyTensor>([x1, x2]);
  const flat = (t: AnyTensor) => reshapeBy(t, "vdot", (s) => [prodDims(s)]);
  return matmul<T>(flat(a!), flat(b!));
}

/**
 * Inner product over the last axes (products for scalars).
 * @example keras.ops.inner([1, 2], [3, 4]); // 11
 */
export function inner<T extends AnyTensor = Tensor>(x1: TensorLike, x2: TensorLike): T {
  const [a, b] = promoteOperands<AnyTensor>([x1, x2]);
  const ra = a!.shape.length;
  const rb = b!.shape.length;
  if (ra === 0 || rb === 0) return viaIntForBool([a!, b!], ([p, q]) => lax.mul(p!, q!)) as T;
  return tensordot<T>(a!, b!, [[ra - 1], [rb - 1]]);
}

/**
 * Outer product of the flattened inputs: `(m,)` and `(n,)` give `(m, n)`.
 * @example keras.ops.outer([1, 2], [3, 4, 5]); // shape (2, 3)
 */
export function outer<T extends AnyTensor = Tensor>(x1: TensorLike, x2: TensorLike): T {
  const [a, b] = promoteOperands<AnyTensor>([x1, x2]);
  const col = reshapeBy(a!, "outer", (s) => [prodDims(s), 1]);
  const row = reshapeBy(b!, "outer", (s) => [1, prodDims(s)]);
  return viaIntForBool([col, row], ([p, q]) => lax.mul(p!, q!)) as T;
}

/**
 * Sum of products over `axes`: a number N (last N axes of `x1` with first N of `x2`) or a pair
 * `[axes1, axes2]`. The result has the free axes of `x1`, then those of `x2`.
 * @example keras.ops.tensordot(a, b, [[1, 2], [0, 1]]);
 */
export function tensordot<T extends AnyTensor = Tensor>(
  x1: TensorLike,
  x2: TensorLike,
  axes: number | readonly [number | readonly number[], number | readonly number[]] = 2,
): T {
  const [a, b] = promoteOperands<AnyTensor>([x1, x2]);
  const ra = a!.shape.length;
  const rb = b!.shape.length;
  const received = `x1.shape=${fmt(a!.shape)}, x2.shape=${fmt(b!.shape)}, axes=${fmt(axes)}`;
  let ca: number[];
  let cb: number[];
  if (typeof axes === "number") {
    if (!Number.isInteger(axes) || axes < 0 || axes > ra || axes > rb) fail("tensordot", "axes must be an integer in [0, min(rank1, rank2)]", received);
    ca = range(axes, ra - axes);
    cb = range(axes);
  } else {
    const list = (v: number | readonly number[]) => (typeof v === "number" ? [v] : [...v]);
    ca = list(axes[0]).map((x) => normalizeAxis(x, ra, "tensordot"));
    cb = list(axes[1]).map((x) => normalizeAxis(x, rb, "tensordot"));
  }
  if (ca.length !== cb.length || new Set(ca).size !== ca.length || new Set(cb).size !== cb.length)
    fail("tensordot", "the two axis lists must be unique and of the same length", received);
  ca.forEach((x, i) => {
    const da = a!.shape[x]!;
    const db = b!.shape[cb[i]!]!;
    if (da !== null && db !== null && da !== db) fail("tensordot", `contracted dims must match (${da} vs ${db})`, received);
  });
  const fa = range(ra).filter((i) => !ca.includes(i));
  const fb = range(rb).filter((i) => !cb.includes(i));
  const outShape = [...fa.map((i) => a!.shape[i]!), ...fb.map((i) => b!.shape[i]!)];
  const deferred = deferIfUnknown("tensordot", [a!, b!], () => [{ shape: outShape, dtype: a!.dtype }], ([p, q]) => [
    tensordot(p!, q!, [ca, cb]),
  ]);
  if (deferred) return deferred[0] as unknown as T;
  return viaIntForBool([a!, b!], ([p, q]) => {
    const sa = dims(p!);
    const sb = dims(q!);
    const M = prodDims(fa.map((i) => sa[i]!))!;
    const K = prodDims(ca.map((i) => sa[i]!))!;
    const N = prodDims(fb.map((i) => sb[i]!))!;
    const A = lax.reshape(lax.transpose(p!, [...fa, ...ca]), [M, K]);
    const B = lax.reshape(lax.transpose(q!, [...cb, ...fb]), [K, N]);
    return lax.reshape(lax.matmul(A, B), outShape as number[]);
  }) as T;
}

// ------------------------------------------------------------------------------------------------
// einsum

interface EinsumPlan {
  /** Labels of each operand's axes (letters; ellipsis dims get the labels "0", "1"...). */
  inputs: string[][];
  output: string[];
  /** Size of each label (broadcast over operands; null when unknown). */
  sizes: Map<string, Dim>;
}

function parseEinsum(subscripts: string, shapes: (readonly Dim[])[]): EinsumPlan {
  const bad = (msg: string): never => fail("einsum", msg, `subscripts=${subscripts}, shapes=${shapes.map(fmt).join(", ")}`);
  const s = subscripts.replace(/\s+/g, "");
  const arrow = s.split("->");
  if (arrow.length > 2) bad("only one '->' is allowed");
  const terms = arrow[0]!.split(",");
  if (terms.length !== shapes.length) bad(`got ${terms.length} input terms for ${shapes.length} operands`);
  const parseTerm = (term: string): { letters: string[]; ellipsisAt: number } => {
    const parts = term.split("...");
    if (parts.length > 2) bad("an operand term may hold one '...' only");
    const letters = parts.join("").split("");
    if (letters.some((c) => !/[a-zA-Z]/.test(c))) bad(`subscripts must be letters; got '${term}'`);
    return { letters, ellipsisAt: parts.length === 2 ? parts[0]!.length : -1 };
  };
  const parsed = terms.map(parseTerm);
  const ellRanks = parsed.map((p, i) => {
    const r = shapes[i]!.length - p.letters.length;
    if (p.ellipsisAt < 0 ? r !== 0 : r < 0) bad(`operand ${i} has rank ${shapes[i]!.length}, which does not fit its term '${terms[i]}'`);
    return p.ellipsisAt < 0 ? 0 : r;
  });
  const maxEll = Math.max(0, ...ellRanks);
  const ellLabels = range(maxEll).map(String);
  const inputs = parsed.map((p, i) => {
    if (p.ellipsisAt < 0) return p.letters;
    const e = ellLabels.slice(maxEll - ellRanks[i]!);
    return [...p.letters.slice(0, p.ellipsisAt), ...e, ...p.letters.slice(p.ellipsisAt)];
  });
  const sizes = new Map<string, Dim>();
  inputs.forEach((labels, i) =>
    labels.forEach((l, j) => {
      const d = shapes[i]![j]!;
      const prev = sizes.get(l);
      // Size 1 broadcasts; an unknown size yields to a known one.
      if (prev === undefined || prev === 1 || (prev === null && d !== 1)) sizes.set(l, d);
      else if (d !== 1 && d !== null && prev !== d) bad(`label '${/\d/.test(l) ? "..." : l}' has sizes ${prev} and ${d}`);
    }),
  );
  let output: string[];
  if (arrow.length === 2) {
    const o = parseTerm(arrow[1]!);
    output = o.ellipsisAt < 0 ? o.letters : [...o.letters.slice(0, o.ellipsisAt), ...ellLabels, ...o.letters.slice(o.ellipsisAt)];
    if (new Set(output).size !== output.length) bad("output subscripts must be unique");
    for (const l of o.letters) if (!sizes.has(l)) bad(`output label '${l}' does not appear in the inputs`);
  } else {
    const count = new Map<string, number>();
    for (const labels of inputs) for (const l of labels) count.set(l, (count.get(l) ?? 0) + 1);
    const once = [...count.keys()].filter((l) => !/\d/.test(l) && count.get(l) === 1).sort();
    output = [...ellLabels, ...once];
  }
  return { inputs, output, sizes };
}

/** One operand during evaluation: a tensor and the label of each of its axes. */
interface Term {
  t: AnyTensor;
  labels: string[];
}

/** Takes diagonals for labels repeated within one term, then sums labels no one else needs. */
function simplify(term: Term, needed: Set<string>): Term {
  let { t, labels } = term;
  for (;;) {
    const dup = labels.findIndex((l, i) => labels.indexOf(l) !== i);
    if (dup < 0) break;
    const first = labels.indexOf(labels[dup]!);
    t = diagonal<AnyTensor>(t, 0, first, dup); // removes both axes, appends the diagonal last
    labels = [...labels.filter((_, i) => i !== first && i !== dup), labels[dup]!];
  }
  const drop = labels.map((l, i) => (needed.has(l) ? -1 : i)).filter((i) => i >= 0);
  if (drop.length > 0) {
    t = lax.sum(t, drop);
    labels = labels.filter((_, i) => !drop.includes(i));
  }
  return { t, labels };
}

/** Contracts two terms over the labels that `needed` does not keep. */
function contractPair(x: Term, y: Term, needed: Set<string>): Term {
  // A label in both terms but of size 1 in one of them only broadcasts: sum it out of that one
  // (a reshape) unless it is kept, in which case Matmul's batch broadcasting handles it.
  const squeezeOnes = (a: Term, b: Term): Term => {
    const sa = dims(a.t);
    const drop = a.labels
      .map((l, i) => (sa[i] === 1 && b.labels.includes(l) && !needed.has(l) && dims(b.t)[b.labels.indexOf(l)] !== 1 ? i : -1))
      .filter((i) => i >= 0);
    if (drop.length === 0) return a;
    return { t: lax.sum(a.t, drop), labels: a.labels.filter((_, i) => !drop.includes(i)) };
  };
  const both = () => {
    x = simplify(x, new Set([...needed, ...y.labels]));
    y = simplify(y, new Set([...needed, ...x.labels]));
  };
  both();
  x = squeezeOnes(x, y);
  y = squeezeOnes(y, x);
  both();
  const batch = x.labels.filter((l) => y.labels.includes(l) && needed.has(l));
  const contr = x.labels.filter((l) => y.labels.includes(l) && !needed.has(l));
  const freeA = x.labels.filter((l) => !y.labels.includes(l));
  const freeB = y.labels.filter((l) => !x.labels.includes(l));
  const sx = dims(x.t);
  const sy = dims(y.t);
  const sizeIn = (t: Term, s: number[], l: string) => s[t.labels.indexOf(l)]!;
  const perm = (t: Term, order: string[]) => order.map((l) => t.labels.indexOf(l));
  const outLabels = [...batch, ...freeA, ...freeB];
  const bx = batch.map((l) => sizeIn(x, sx, l));
  const by = batch.map((l) => sizeIn(y, sy, l));
  const fA = freeA.map((l) => sizeIn(x, sx, l));
  const fB = freeB.map((l) => sizeIn(y, sy, l));
  if (contr.length === 0) {
    // No contraction: a broadcasting product (batch..., freeA..., 1...) * (batch..., 1..., freeB...).
    const A = lax.reshape(lax.transpose(x.t, perm(x, [...batch, ...freeA])), [...bx, ...fA, ...fB.map(() => 1)]);
    const B = lax.reshape(lax.transpose(y.t, perm(y, [...batch, ...freeB])), [...by, ...fA.map(() => 1), ...fB]);
    return { t: lax.mul(A, B), labels: outLabels };
  }
  const M = prodDims(fA)!;
  const N = prodDims(fB)!;
  const K = prodDims(contr.map((l) => sizeIn(x, sx, l)))!;
  // Use Matmul's transpose flags when an operand already has (batch, K, M) or (batch, N, K) order.
  const isOrder = (t: Term, order: string[]) => order.every((l, i) => t.labels[i] === l);
  const tA = !isOrder(x, [...batch, ...freeA, ...contr]) && isOrder(x, [...batch, ...contr, ...freeA]);
  const tB = !isOrder(y, [...batch, ...contr, ...freeB]) && isOrder(y, [...batch, ...freeB, ...contr]);
  const A = tA
    ? lax.reshape(x.t, [...bx, K, M])
    : lax.reshape(lax.transpose(x.t, perm(x, [...batch, ...freeA, ...contr])), [...bx, M, K]);
  const B = tB
    ? lax.reshape(y.t, [...by, N, K])
    : lax.reshape(lax.transpose(y.t, perm(y, [...batch, ...contr, ...freeB])), [...by, K, N]);
  const prod = lax.matmul(A, B, tA, tB); // (batch..., M, N)
  const bOut = prod.shape.slice(0, batch.length) as number[];
  return { t: lax.reshape(prod, [...bOut, ...fA, ...fB]), labels: outLabels };
}

/**
 * Einstein summation. `subscripts` names the axes of each operand with letters (`"ij,jk->ik"`);
 * `...` stands for broadcast dims; without `->` the output is the letters used once, sorted.
 * A letter repeated within one operand takes a diagonal (`"ii->i"`, `"ii"` is the trace).
 * Operands are contracted left to right, each pair as one batched matmul.
 * @example keras.ops.einsum("bij,bjk->bik", a, b);
 */
export function einsum<T extends AnyTensor = Tensor>(subscripts: string, ...operands: TensorLike[]): T {
  if (operands.length === 0) fail("einsum", "needs at least one operand", `subscripts=${subscripts}`);
  const ts = promoteOperands<AnyTensor>(operands);
  const plan = parseEinsum(subscripts, ts.map((t) => t.shape));
  const deferred = deferIfUnknown(
    "einsum",
    ts,
    () => [{ shape: plan.output.map((l) => plan.sizes.get(l)!), dtype: ts[0]!.dtype }],
    (us) => [einsum(subscripts, ...us)],
  );
  if (deferred) return deferred[0] as unknown as T;
  return viaIntForBool(ts, (xs) => {
    const terms: Term[] = xs.map((t, i) => ({ t, labels: plan.inputs[i]! }));
    const neededAfter = (i: number) => new Set([...plan.output, ...terms.slice(i + 1).flatMap((u) => u.labels)]);
    let cur = simplify(terms[0]!, neededAfter(0));
    for (let i = 1; i < terms.length; i++) cur = contractPair(cur, terms[i]!, neededAfter(i));
    cur = simplify(cur, new Set(plan.output));
    // Output labels of size 1 missing from the operands' broadcast (an ellipsis dim some operand
    // lacks entirely) cannot happen: every output label comes from some operand.
    const y = lax.transpose(cur.t, plan.output.map((l) => cur.labels.indexOf(l)));
    const want = plan.output.map((l) => plan.sizes.get(l) as number);
    return y.shape.every((d, i) => d === want[i]) ? y : lax.broadcastTo(y, want);
  }) as T;
}

// ------------------------------------------------------------------------------------------------

/**
 * Cross product of 3-vectors (or 2-vectors, whose z is taken as 0) along `axisa`/`axisb`; the
 * result's vector axis is `axisc`. `axis` sets all three. Two 2-vector operands give the z
 * component only.
 * @example keras.ops.cross([1, 0, 0], [0, 1, 0]); // [0, 0, 1]
 */
export function cross<T extends AnyTensor = Tensor>(
  x1: TensorLike,
  x2: TensorLike,
  axisa = -1,
  axisb = -1,
  axisc = -1,
  axis: number | null = null,
): T {
  if (axis !== null) axisa = axisb = axisc = axis;
  const [a0, b0] = promoteOperands<AnyTensor>([x1, x2]);
  const received = `x1.shape=${fmt(a0!.shape)}, x2.shape=${fmt(b0!.shape)}`;
  if (a0!.shape.length === 0 || b0!.shape.length === 0) fail("cross", "operands must be at least 1-D", received);
  let a = moveAxis(a0!, normalizeAxis(axisa, a0!.shape.length, "cross"), a0!.shape.length - 1);
  let b = moveAxis(b0!, normalizeAxis(axisb, b0!.shape.length, "cross"), b0!.shape.length - 1);
  const na = a.shape[a.shape.length - 1];
  const nb = b.shape[b.shape.length - 1];
  if ((na !== 2 && na !== 3) || (nb !== 2 && nb !== 3)) fail("cross", "vector dims must be 2 or 3", received);
  const batch = broadcastShapes([a.shape.slice(0, -1), b.shape.slice(0, -1)], "cross");
  const both2 = na === 2 && nb === 2;
  const outRank = batch.length + (both2 ? 0 : 1);
  const outShape = both2 ? batch : (() => {
    const s: Dim[] = [...batch];
    s.splice(normalizeAxis(axisc, outRank, "cross"), 0, 3);
    return s;
  })();
  const deferred = deferIfUnknown("cross", [a, b], () => [{ shape: outShape, dtype: a.dtype }], ([p, q]) => [
    cross(p!, q!, -1, -1, axisc),
  ]);
  if (deferred) return deferred[0] as unknown as T;
  const last = (t: AnyTensor) => t.shape.length - 1;
  if (na === 2) a = lax.pad(a, a.shape.map((_, i): [number, number] => (i === last(a) ? [0, 1] : [0, 0])));
  if (nb === 2) b = lax.pad(b, b.shape.map((_, i): [number, number] => (i === last(b) ? [0, 1] : [0, 0])));
  const c = (t: AnyTensor, i: number) => sliceAxis(t, last(t), i, i + 1); // (..., 1)
  const comp = (i: number, j: number) => lax.sub(lax.mul(c(a, i), c(b, j)), lax.mul(c(a, j), c(b, i)));
  if (both2) return dropAt(comp(0, 1), [batch.length], "cross") as T;
  const v = lax.concat([comp(1, 2), comp(2, 0), comp(0, 1)], batch.length);
  return moveAxis(v, batch.length, normalizeAxis(axisc, outRank, "cross")) as T;
}

/** Orders accepted by `norm`. */
export type NormOrd = number | "fro" | "nuc" | null;

/**
 * Vector or matrix norm (float32). With `axis` null: the 2-norm of the flattened input when `ord`
 * is null, else a vector norm for 1-D and a matrix norm for 2-D inputs. A number `axis` gives
 * vector norms (`ord`: null/2, 1, Infinity, -Infinity, 0 = count of non-zeros, or any p), a pair
 * matrix norms (`ord`: null/"fro", 1, -1, Infinity, -Infinity; 2, -2 and "nuc" need an SVD and are
 * not supported).
 * @example keras.ops.norm([3, 4]); // 5
 */
export function norm<T extends AnyTensor = Tensor>(
  x: TensorLike,
  ord: NormOrd = null,
  axis: number | readonly number[] | null = null,
  keepdims = false,
): T {
  const t = toFloat<AnyTensor>(x);
  const r = t.shape.length;
  const received = `ord=${fmt(ord)}, axis=${fmt(axis)}, x.shape=${fmt(t.shape)}`;
  let axes: number[];
  if (axis === null) {
    if (ord === null) {
      const y = lax.sqrt(lax.sum(lax.mul(t, t), range(r)));
      return (keepdims ? expandAt(y, range(r), "norm") : y) as T;
    }
    if (r !== 1 && r !== 2) fail("norm", "with ord set and axis null, x must be 1-D or 2-D", received);
    axes = range(r);
  } else {
    axes = typeof axis === "number" ? [normalizeAxis(axis, r, "norm")] : (axis as number[]).map((a) => normalizeAxis(a, r, "norm"));
    if (new Set(axes).size !== axes.length) fail("norm", "axes must be unique", received);
  }
  const sumOver = (v: AnyTensor, ax: number[]) => lax.sum(v, ax);
  const keep = (y: AnyTensor, ax: number[]) => (keepdims ? expandAt(y, [...ax].sort((p, q) => p - q), "norm") : y);
  if (axes.length === 1) {
    const ax = axes;
    const a = lax.abs(t);
    if (ord === null || ord === 2) return keep(lax.sqrt(sumOver(lax.mul(t, t), ax)), ax) as T;
    if (ord === Infinity) return keep(lax.max(a, ax), ax) as T;
    if (ord === -Infinity) return keep(lax.min(a, ax), ax) as T;
    if (ord === 0) return keep(sumOver(lax.cast(lax.notEqual(t, 0), "float32"), ax), ax) as T;
    if (ord === 1) return keep(sumOver(a, ax), ax) as T;
    if (typeof ord !== "number") fail("norm", "vector norms take a number ord", received);
    return keep(lax.pow(sumOver(lax.pow(a, lax.scalar(ord, "float32")), ax), lax.scalar(1 / ord, "float32")), ax) as T;
  }
  if (axes.length !== 2) fail("norm", "axis must be a number or a pair of axes", received);
  const [r0, c0] = axes as [number, number];
  if (ord === null || ord === "fro") return keep(lax.sqrt(sumOver(lax.mul(t, t), [...axes].sort((p, q) => p - q))), axes) as T;
  if (ord === 1 || ord === -1 || ord === Infinity || ord === -Infinity) {
    // 1-norms: max column sum (sum over rows); inf-norms: max row sum (sum over columns).
    const [sumAxis, redAxis] = Math.abs(ord) === 1 ? [r0, c0] : [c0, r0];
    const s = expandAt(lax.sum(lax.abs(t), [sumAxis]), [sumAxis], "norm"); // keep rank
    const m = ord > 0 ? lax.max(s, [redAxis]) : lax.min(s, [redAxis]);
    const y = dropAt(m, [redAxis > sumAxis ? sumAxis : sumAxis - 1], "norm");
    return keep(y, axes) as T;
  }
  return fail("norm", "matrix norms of ord 2, -2 and 'nuc' need an SVD, which is not supported", received);
}
