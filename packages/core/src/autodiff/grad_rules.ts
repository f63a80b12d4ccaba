/**
 * Gradient rules (vector-Jacobian products), one per primitive, written with other primitives,
 * or the explicit NON_DIFFERENTIABLE mark (no cotangent flows: the gradient is zero). Backends never
 * see these; they only run the primitives the rules call.
 */
import { UnsupportedOpError } from "../errors";
import * as lax from "../primitives/lax";
import { Primitive as P, type Params, type Primitive } from "../primitives/primitive";
import type { Tensor } from "../tensor/tensor";
import type { Cotangent } from "./tape";

export const NON_DIFFERENTIABLE = "non_differentiable" as const;

export interface GradContext<Q extends Primitive> {
  inputs: Tensor[];
  outputs: Tensor[];
  params: Params<Q>;
  /** Which inputs a gradient is wanted for; expensive rules skip the others. */
  needs: boolean[];
}
export type GradRule<Q extends Primitive> = (cts: Cotangent[], ctx: GradContext<Q>) => Cotangent[];

const shapeOf = (t: Tensor): number[] => [...t.shape];

/** Unary rule from dy/dx as a function of (x, y). */
const unary =
  <Q extends Primitive>(d: (x: Tensor, y: Tensor) => Tensor): GradRule<Q> =>
  ([ct], { inputs: [x], outputs: [y] }) => [lax.mul(ct!, d(x!, y!))];

/** Binary rule from the two partial cotangents before unbroadcasting. */
const binary =
  <Q extends Primitive>(f: (ct: Tensor, a: Tensor, b: Tensor, y: Tensor) => [Cotangent, Cotangent]): GradRule<Q> =>
  ([ct], { inputs: [a, b], outputs: [y], needs }) => {
    const [da, db] = f(ct!, a!, b!, y!);
    return [needs[0] && da ? lax.unbroadcast(da, a!.shape) : null, needs[1] && db ? lax.unbroadcast(db, b!.shape) : null];
  };

/** Shape of `x` with `axes` kept as size 1 (keepdims). */
function keptShape(x: Tensor, axes: number[]): number[] {
  return x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

function minMaxRule<Q extends P.Max | P.Min>(): GradRule<Q> {
  return ([ct], { inputs: [x], outputs: [y], params }) => {
    const ks = keptShape(x!, params.axes);
    const mask = lax.cast(lax.equal(x!, lax.reshape(y!, ks)), x!.dtype);
    const count = lax.reshape(lax.sum(mask, params.axes), ks);
    return [lax.div(lax.mul(mask, lax.reshape(ct!, ks)), count)];
  };
}

/** Gradient of a strided slice: put `ct` back at its positions in zeros of shape `full`. */
function unslice(ct: Tensor, full: readonly number[], start: number[], strides: number[]): Tensor {
  let g = ct;
  for (let ax = 0; ax < full.length; ax++) {
    const s = strides[ax]!;
    const m = g.shape[ax]!;
    if (s > 1 && m > 0) {
      // (.., m, ..) -> (.., m, s, ..) padded with zeros -> (.., m*s, ..): element i at i*s.
      const withAxis = [...g.shape.slice(0, ax + 1), 1, ...g.shape.slice(ax + 1)];
      const padding = withAxis.map((_, i): [number, number] => (i === ax + 1 ? [0, s - 1] : [0, 0]));
      const spread = lax.pad(lax.reshape(g, withAxis), padding);
      const merged = [...g.shape.slice(0, ax), m * s, ...g.shape.slice(ax + 1)];
      g = lax.reshape(spread, merged);
    }
    const len = g.shape[ax]!;
    const after = full[ax]! - start[ax]! - len;
    if (after < 0) {
      const stop = g.shape.map((d, i) => (i === ax ? d + after : d));
      g = lax.slice(g, g.shape.map(() => 0), stop);
    }
    const padding = g.shape.map((_, i): [number, number] => (i === ax ? [start[ax]!, Math.max(0, after)] : [0, 0]));
    g = lax.pad(g, padding);
  }
  return g;
}

export const gradRules: { [Q in Primitive]: GradRule<Q> | typeof NON_DIFFERENTIABLE } = {
  [P.Neg]: ([ct]) => [lax.neg(ct!)],
  [P.Abs]: unary((x) => lax.sign(x)),
  [P.Sign]: NON_DIFFERENTIABLE,
  [P.Exp]: unary((_x, y) => y),
  [P.Log]: ([ct], { inputs: [x] }) => [lax.div(ct!, x!)],
  [P.Log1p]: ([ct], { inputs: [x] }) => [lax.div(ct!, lax.add(x!, 1))],
  [P.Expm1]: unary((_x, y) => lax.add(y, 1)),
  [P.Sqrt]: ([ct], { outputs: [y] }) => [lax.div(lax.mul(ct!, 0.5), y!)],
  [P.Sin]: unary((x) => lax.cos(x)),
  [P.Cos]: unary((x) => lax.neg(lax.sin(x))),
  [P.Tanh]: unary((_x, y) => lax.sub(1, lax.mul(y, y))),
  [P.Erf]: unary((x) => lax.mul(lax.exp(lax.neg(lax.mul(x, x))), 2 / Math.sqrt(Math.PI))),
  [P.Floor]: NON_DIFFERENTIABLE,
  [P.Round]: NON_DIFFERENTIABLE,
  [P.Reciprocal]: unary((_x, y) => lax.neg(lax.mul(y, y))),
  [P.LogicalNot]: NON_DIFFERENTIABLE,
  [P.Add]: binary((ct) => [ct, ct]),
  [P.Sub]: binary((ct) => [ct, lax.neg(ct)]),
  [P.Mul]: binary((ct, a, b) => [lax.mul(ct, b), lax.mul(ct, a)]),
  [P.Div]: binary((ct, _a, b, y) => [lax.div(ct, b), lax.neg(lax.div(lax.mul(ct, y), b))]),
  [P.Pow]: binary((ct, a, b, y) => {
    // d/da = b * a^(b-1); d/db = y * log(a), taken as 0 where a <= 0 (as JAX and TF do).
    const da = lax.mul(ct, lax.mul(b, lax.pow(a, lax.sub(b, 1))));
    const safeLog = lax.where(lax.greater(a, 0), lax.log(lax.where(lax.greater(a, 0), a, 1)), 0);
    return [da, lax.mul(ct, lax.mul(y, safeLog))];
  }),
  // Ties go to the first operand, as in TensorFlow.
  [P.Maximum]: binary((ct, a, b) => {
    const m = lax.greaterEqual(a, b);
    return [lax.where(m, ct, 0), lax.where(m, 0, ct)];
  }),
  [P.Minimum]: binary((ct, a, b) => {
    const m = lax.lessEqual(a, b);
    return [lax.where(m, ct, 0), lax.where(m, 0, ct)];
  }),
  [P.Mod]: binary((ct, a, b) => [ct, lax.neg(lax.mul(ct, lax.floor(lax.div(a, b))))]),
  [P.Equal]: NON_DIFFERENTIABLE,
  [P.NotEqual]: NON_DIFFERENTIABLE,
  [P.Less]: NON_DIFFERENTIABLE,
  [P.LessEqual]: NON_DIFFERENTIABLE,
  [P.LogicalAnd]: NON_DIFFERENTIABLE,
  [P.LogicalOr]: NON_DIFFERENTIABLE,
  [P.Where]: ([ct], { inputs: [c, x, y] }) => [
    null,
    lax.unbroadcast(lax.where(c!, ct!, 0), x!.shape),
    lax.unbroadcast(lax.where(c!, 0, ct!), y!.shape),
  ],
  [P.Cast]: ([ct], { inputs: [x] }) => [x!.dtype === "float32" ? lax.cast(ct!, "float32") : null],
  [P.Sum]: ([ct], { inputs: [x], params }) => [lax.broadcastTo(lax.reshape(ct!, keptShape(x!, params.axes)), shapeOf(x!))],
  [P.Prod]: ([ct], { inputs: [x], outputs: [y], params }) => {
    // d prod / d x_i = product of the other elements. y / x_i only works without zeros: with one
    // zero in a slice, only the zero's position gets the product of the rest; with two, none.
    const ks = keptShape(x!, params.axes);
    const isZero = lax.equal(x!, 0);
    const zeros = lax.reshape(lax.sum(lax.cast(isZero, "float32"), params.axes), ks);
    const prodNonZero = lax.reshape(lax.prod(lax.where(isZero, 1, x!), params.axes), ks);
    const safeX = lax.where(isZero, 1, x!);
    const noZero = lax.div(lax.reshape(y!, ks), safeX);
    const oneZero = lax.where(isZero, prodNonZero, 0);
    const g = lax.where(lax.equal(zeros, 0), noZero, lax.where(lax.equal(zeros, 1), oneZero, 0));
    return [lax.mul(lax.reshape(ct!, ks), g)];
  },
  [P.Max]: minMaxRule(),
  [P.Min]: minMaxRule(),
  [P.Argmax]: NON_DIFFERENTIABLE,
  [P.Cumsum]: ([ct], { params: p }) => [lax.cumsum(ct!, p.axis, p.exclusive, !p.reverse)],
  [P.Argsort]: NON_DIFFERENTIABLE,
  [P.TopK]: ([ct], { inputs: [x], outputs: [, idx] }) => {
    if (!ct) return [null];
    const n = x!.shape[x!.rank - 1]!;
    const k = idx!.shape[idx!.rank - 1]!;
    const b = x!.size / Math.max(n, 1);
    const rows = lax.broadcastTo(lax.iota([b, 1], 0), [b, k]);
    const coords = lax.concat([lax.reshape(rows, [b, k, 1]), lax.reshape(idx!, [b, k, 1])], 2);
    const g = lax.scatterNd(coords, lax.reshape(ct, [b, k]), [b, n]);
    return [lax.reshape(g, shapeOf(x!))];
  },
  [P.Reshape]: ([ct], { inputs: [x] }) => [lax.reshape(ct!, shapeOf(x!))],
  [P.Transpose]: ([ct], { params }) => {
    const inv = new Array<number>(params.perm.length);
    params.perm.forEach((p, i) => (inv[p] = i));
    return [lax.transpose(ct!, inv)];
  },
  [P.BroadcastTo]: ([ct], { inputs: [x] }) => [lax.unbroadcast(ct!, x!.shape)],
  [P.Slice]: ([ct], { inputs: [x], params }) => [unslice(ct!, x!.shape, params.start, params.strides)],
  [P.Pad]: ([ct], { inputs: [x], params }) => {
    const start = params.padding.map(([a]) => a);
    return [lax.slice(ct!, start, start.map((s, i) => s + x!.shape[i]!))];
  },
  [P.Concat]: ([ct], { inputs, params }) => {
    let off = 0;
    return inputs.map((x) => {
      const start = x.shape.map((_, i) => (i === params.axis ? off : 0));
      const stop = x.shape.map((d, i) => (i === params.axis ? off + d : d));
      off += x.shape[params.axis]!;
      return lax.slice(ct!, start, stop);
    });
  },
  [P.GatherNd]: ([ct], { inputs: [x, idx] }) => {
    // The forward pass clamps out-of-range indices; clamp them the same way so those rows get
    // their gradient (ScatterNd alone would drop them).
    const k = idx!.shape[idx!.rank - 1]!;
    const hi = lax.constant(x!.shape.slice(0, k).map((d) => d - 1), [k], "int32");
    const clamped = lax.minimum(lax.maximum(idx!, 0), hi);
    return [lax.scatterNd(clamped, ct!, shapeOf(x!)), null];
  },
  [P.ScatterNd]: ([ct], { inputs: [idx], params }) => {
    // Rows the forward pass dropped (out of range) get no gradient; GatherNd alone would clamp.
    const k = idx!.shape[idx!.rank - 1]!;
    const hi = lax.constant(params.shape.slice(0, k), [k], "int32");
    const ok = lax.logicalAnd(lax.greaterEqual(idx!, 0), lax.less(idx!, hi));
    const rowOk = lax.equal(lax.sum(lax.cast(lax.logicalNot(ok), "int32"), [idx!.rank - 1]), 0);
    const g = lax.gatherNd(ct!, idx!);
    const mask = lax.reshape(rowOk, [...rowOk.shape, ...g.shape.slice(rowOk.rank).map(() => 1)]);
    return [null, lax.where(mask, g, 0)];
  },
  [P.Matmul]: ([ct], { inputs: [a, b], params: { transposeA: ta, transposeB: tb }, needs }) => {
    const da = !needs[0] ? null : ta ? lax.matmul(b!, ct!, tb, true) : lax.matmul(ct!, b!, false, !tb);
    const db = !needs[1] ? null : tb ? lax.matmul(ct!, a!, true, ta) : lax.matmul(a!, ct!, !ta, false);
    return [da && lax.unbroadcast(da, a!.shape), db && lax.unbroadcast(db, b!.shape)];
  },
  [P.Conv]: ([ct], { inputs: [x, k], params, needs }) => [
    needs[0] ? lax.convBackpropInput(ct!, k!, params, shapeOf(x!)) : null,
    needs[1] ? lax.convBackpropFilter(x!, ct!, params, shapeOf(k!)) : null,
  ],
  [P.ConvBackpropInput]: ([ct], { inputs: [dy, k], params }) => {
    const { inputShape: _s, ...p } = params;
    return [lax.conv(ct!, k!, p), lax.convBackpropFilter(ct!, dy!, p, shapeOf(k!))];
  },
  [P.ConvBackpropFilter]: ([ct], { inputs: [x, dy], params }) => {
    const { kernelShape: _s, ...p } = params;
    return [lax.convBackpropInput(dy!, ct!, p, shapeOf(x!)), lax.conv(x!, ct!, p)];
  },
  [P.Pool]: ([ct], { inputs: [x], params }) => [lax.poolBackprop(ct!, x!, params)],
  [P.PoolBackprop]: ([ct], { params }) => {
    if (params.kind !== "avg")
      throw new UnsupportedOpError("pool_backprop: second-order gradients of max pooling are not supported. Received: kind=max");
    return [lax.pool(ct!, params), null];
  },
  [P.Iota]: NON_DIFFERENTIABLE,
  [P.RandomUniform]: NON_DIFFERENTIABLE,
};
