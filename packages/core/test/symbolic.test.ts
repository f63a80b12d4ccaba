/**
 * Symbolic execution: ops on KerasTensors run shape rules only and record nodes whose operation
 * is a PrimitiveOperation; bad shapes fail at the call; recorded nodes replay on concrete values.
 */
import { describe, expect, it } from "vitest";
import {
  type AnyTensor,
  KerasTensor,
  Node,
  Primitive,
  PrimitiveOperation,
  ShapeError,
  Tensor,
  lax,
  memory,
} from "../src/index";
import * as core from "../src/ops/core";
import { DeferredOp, deferIfUnknown, deferredCall, hasUnknown, staticOrDeferred } from "../src/symbolic/deferred_op";
import { expectAllclose } from "./utils";

/** Replays the graph that produced `out` from `input`, node by node (a tiny Functional model). */
function replay(out: KerasTensor, feeds: Map<KerasTensor, Tensor>): Tensor {
  const values = new Map<KerasTensor, Tensor>(feeds);
  const visit = (t: KerasTensor): Tensor => {
    const v = values.get(t);
    if (v) return v;
    const hist = t.kerasHistory;
    if (!hist) throw new Error(`no value for ${t.toString()}`);
    const ins = hist.node.inputs.map(visit);
    const outs = hist.node.operation.callNode(ins, hist.node) as Tensor[];
    hist.node.outputs.forEach((o, i) => values.set(o, outs[i]!));
    return values.get(t)!;
  };
  return visit(out);
}

describe("symbolic calls", () => {
  it("an op on a KerasTensor returns a KerasTensor and records a PrimitiveOperation node", () => {
    const x = new KerasTensor([null, 3]);
    const before = memory().numTensors;
    const y = lax.tanh(lax.add(x, x));
    expect(y).toBeInstanceOf(KerasTensor);
    expect(y.shape).toEqual([null, 3]);
    expect(y.dtype).toBe("float32");
    const node = y.kerasHistory!.node;
    expect(node).toBeInstanceOf(Node);
    expect(node.operation).toBeInstanceOf(PrimitiveOperation);
    expect((node.operation as PrimitiveOperation).prim).toBe(Primitive.Tanh);
    expect(node.inputs[0]!.kerasHistory!.node.operation.name).toBe("add");
    expect(node.parentNodes).toHaveLength(1);
    expect(memory().numTensors).toBe(before); // nothing computed
  });

  it("shapes and dtypes propagate through reductions, matmul, compare and cast", () => {
    const x = new KerasTensor([null, 3]);
    const w = new KerasTensor([3, 5]);
    expect(lax.matmul(x, w).shape).toEqual([null, 5]);
    expect(lax.sum(x, [1]).shape).toEqual([null]);
    const c = lax.less(x, new KerasTensor([1, 3]));
    expect([c.shape, c.dtype]).toEqual([[null, 3], "bool"]);
    expect(lax.cast(x, "int32").dtype).toBe("int32");
    const [v, i] = lax.topK(x, 2);
    expect([v.shape, i.dtype]).toEqual([[null, 2], "int32"]);
  });

  it("a bad shape throws ShapeError naming the primitive and the shapes at that call", () => {
    const a = new KerasTensor([null, 3]);
    const b = new KerasTensor([4, 5]);
    expect(() => lax.matmul(a, b)).toThrow(ShapeError);
    expect(() => lax.matmul(a, b)).toThrow(
      /^matmul: .*Received: float32\(None, 3\), float32\(4, 5\)$/,
    );
    expect(() => lax.add(new KerasTensor([2, 3]), new KerasTensor([4]))).toThrow(
      /add: .*Received: \(2, 3\) and \(4,\)/,
    );
  });

  it("a recorded node replays on concrete inputs with node.operation.callNode", () => {
    const x = new KerasTensor([null, 2]);
    const w = lax.constant([1, 2, 3, 4], [2, 2], "float32"); // captured constant
    const y = lax.tanh(lax.matmul<AnyTensor>(x, w)) as KerasTensor;
    const node = y.kerasHistory!.node;
    const xv = lax.constant([0.1, 0.2, 0.3, 0.4, -1, 1], [3, 2], "float32");
    const h = lax.matmul(xv, w);
    const [out] = node.operation.callNode([h], node) as Tensor[];
    expectAllclose(out!, lax.tanh(h));
    expectAllclose(replay(y, new Map([[x, xv]])), lax.tanh(lax.matmul(xv, w)));
  });

  it("multi-input graphs replay (ops.core slice / sliceUpdate / symbolic cond)", () => {
    const x = new KerasTensor([2, 3]);
    const p = new KerasTensor([]);
    const y = core.cond(
      lax.less(p, 0),
      () => core.slice<KerasTensor>(x, [0, 1], [2, 2]),
      () => lax.neg(core.slice<KerasTensor>(x, [0, 0], [2, 2])),
    );
    expect(y).toBeInstanceOf(KerasTensor);
    expect(y.shape).toEqual([2, 2]);
    const xv = lax.constant([1, 2, 3, 4, 5, 6], [2, 3], "float32");
    expectAllclose(
      replay(
        y,
        new Map([
          [x, xv],
          [p, lax.scalar(-1, "float32")],
        ]),
      ),
      [2, 3, 5, 6],
    );
    expectAllclose(
      replay(
        y,
        new Map([
          [x, xv],
          [p, lax.scalar(1, "float32")],
        ]),
      ),
      [-1, -2, -4, -5],
    );
  });
});

describe("deferred ops (symbolic/deferred_op)", () => {
  it("deferredCall records one node that re-runs the op on the replayed values", () => {
    const x = new KerasTensor([null, 3]);
    const c = lax.constant([1, 2, 3], [3], "float32"); // captured constant
    let calls = 0;
    const [y] = deferredCall("twice_plus", [x, c], [{ shape: [null, 3], dtype: "float32" }], ([a, b]) => {
      calls++;
      return [lax.add(lax.add(a!, a!), b!)];
    });
    expect(calls).toBe(0);
    const node = y!.kerasHistory!.node;
    expect(node.operation).toBeInstanceOf(DeferredOp);
    expect(node.operation.name).toBe("twice_plus");
    expect(node.inputs).toEqual([x]);
    const xv = lax.constant([1, 2, 3, 4, 5, 6], [2, 3], "float32");
    expectAllclose(replay(y!, new Map([[x, xv]])), lax.constant([3, 6, 9, 9, 12, 15], [2, 3], "float32"));
    expect(calls).toBe(1);
  });

  it("deferIfUnknown defers only when a dim is unknown", () => {
    expect(hasUnknown(new KerasTensor([null, 2]))).toBe(true);
    expect(deferIfUnknown("op", [new KerasTensor([4, 2])], () => [], (xs) => xs)).toBeNull();
    const out = deferIfUnknown("op", [new KerasTensor([null, 2])], () => [{ shape: [null, 2], dtype: "int32" }], (xs) => xs);
    expect(out![0]!.shape).toEqual([null, 2]);
    expect(out![0]!.dtype).toBe("int32");
  });

  it("staticOrDeferred applies the primitive on known shapes and defers on unknown ones", () => {
    const again = (u: AnyTensor): AnyTensor => staticOrDeferred("flat", u, [u.shape[0]! === null ? null : u.shape[0]! * 2], lax.reshape, again);
    const k = new KerasTensor([null, 2]);
    const y = again(k) as KerasTensor;
    expect(y.shape).toEqual([null]);
    expect(y.kerasHistory!.node.operation).toBeInstanceOf(DeferredOp);
    const s = staticOrDeferred("flat", new KerasTensor([3, 2]), [6], lax.reshape, again) as KerasTensor;
    expect(s.kerasHistory!.node.operation).toBeInstanceOf(PrimitiveOperation);
    const xv = lax.constant([1, 2, 3, 4], [2, 2], "float32");
    expectAllclose(replay(y, new Map([[k, xv]])), lax.constant([1, 2, 3, 4], [4], "float32"));
  });
});
