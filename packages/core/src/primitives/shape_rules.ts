/**
 * Shape and dtype rules, one per primitive. They run on every call, symbolic (dims may be null)
 * or eager, before any compute, so a bad shape fails at the call that was given it.
 */
import { ShapeError, ValueError, fmt } from "../errors";
import type { DType } from "../tensor/dtype";
import {
  Primitive,
  type AbstractValue,
  type Params,
  type PoolParams,
  type WindowParams,
} from "./primitive";

export type Dim = number | null;
export type ShapeRule<P extends Primitive> = (inputs: AbstractValue[], params: Params<P>) => AbstractValue[];

function err(prim: string, msg: string, inputs: AbstractValue[]): never {
  throw new ShapeError(
    `${prim}: ${msg}. Received: ${inputs.map((x) => `${x.dtype}${fmt(x.shape)}`).join(", ")}`,
  );
}

/** NumPy broadcasting of several shapes; unknown dims stay unknown unless the other is > 1. */
export function broadcastShapes(shapes: Dim[][], prim = "broadcast"): Dim[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: Dim[] = new Array(rank).fill(1);
  for (let i = 0; i < rank; i++) {
    let d: Dim = 1;
    for (const s of shapes) {
      const k = s.length - rank + i;
      if (k < 0) continue;
      const e = s[k]!;
      if (e === 1) continue;
      if (d === 1) d = e;
      else if (e === null) continue;
      else if (d === null) d = e;
      else if (d !== e)
        throw new ShapeError(
          `${prim}: shapes cannot be broadcast together. Received: ${shapes.map(fmt).join(" and ")}`,
        );
    }
    out[i] = d;
  }
  return out;
}

export function sizeOf(shape: readonly Dim[]): number | null {
  let n = 1;
  for (const d of shape) {
    if (d === null) return null;
    n *= d;
  }
  return n;
}

const unary =
  (floatOnly = false, outDtype?: DType) =>
  (prim: string) =>
  (inputs: AbstractValue[]): AbstractValue[] => {
    const x = inputs[0]!;
    if (floatOnly && x.dtype !== "float32") err(prim, "expects a float32 input", inputs);
    return [{ shape: [...x.shape], dtype: outDtype ?? x.dtype }];
  };

function binary(prim: string, out?: DType) {
  return (inputs: AbstractValue[]): AbstractValue[] => {
    const [a, b] = inputs as [AbstractValue, AbstractValue];
    if (a.dtype !== b.dtype) err(prim, "inputs must share one dtype (promote them first)", inputs);
    return [{ shape: broadcastShapes([a.shape, b.shape], prim), dtype: out ?? a.dtype }];
  };
}

function logical(prim: string) {
  return (inputs: AbstractValue[]): AbstractValue[] => {
    if (inputs.some((x) => x.dtype !== "bool")) err(prim, "inputs must be bool", inputs);
    return [{ shape: broadcastShapes(inputs.map((x) => x.shape), prim), dtype: "bool" }];
  };
}

function checkAxes(prim: string, axes: number[], rank: number, inputs: AbstractValue[]): void {
  for (let i = 0; i < axes.length; i++) {
    const a = axes[i]!;
    if (!Number.isInteger(a) || a < 0 || a >= rank || (i > 0 && a <= axes[i - 1]!))
      err(prim, `axes must be sorted, unique and in [0, ${rank}); got axes=${fmt(axes)}`, inputs);
  }
}

function reduce(prim: string) {
  return (inputs: AbstractValue[], p: { axes: number[] }): AbstractValue[] => {
    const x = inputs[0]!;
    checkAxes(prim, p.axes, x.shape.length, inputs);
    return [{ shape: x.shape.filter((_, i) => !p.axes.includes(i)), dtype: x.dtype }];
  };
}

/** Output length of a sliding window along one dim (explicit padding). */
export function windowOutDim(
  size: Dim,
  window: number,
  stride: number,
  dilation: number,
  pad: [number, number],
): Dim {
  if (size === null) return null;
  const eff = (window - 1) * dilation + 1;
  return Math.floor((size + pad[0] + pad[1] - eff) / stride) + 1;
}

function checkWindow(prim: string, nsp: number, p: WindowParams, inputs: AbstractValue[]): void {
  if (p.strides.length !== nsp || p.padding.length !== nsp || p.dilation.length !== nsp)
    err(prim, `strides, padding and dilation need ${nsp} entries (one per spatial dim)`, inputs);
  if (p.strides.some((s) => !(s >= 1)) || p.dilation.some((d) => !(d >= 1)))
    err(prim, `strides and dilation must be >= 1; got strides=${fmt(p.strides)}, dilation=${fmt(p.dilation)}`, inputs);
}

function convOut(prim: string, x: AbstractValue, k: AbstractValue, p: Params<Primitive.Conv>, inputs: AbstractValue[]): AbstractValue {
  const nsp = x.shape.length - 2;
  if (nsp < 1) err(prim, "input must have rank >= 3 (batch, ...spatial, channels)", inputs);
  if (k.shape.length !== nsp + 2) err(prim, `kernel must have rank ${nsp + 2}`, inputs);
  if (x.dtype !== "float32" || k.dtype !== "float32") err(prim, "inputs must be float32", inputs);
  checkWindow(prim, nsp, p, inputs);
  const c = x.shape[nsp + 1]!;
  const kc = k.shape[nsp]!;
  const o = k.shape[nsp + 1]!;
  if (!Number.isInteger(p.groups) || p.groups < 1) err(prim, `groups must be a positive integer; got groups=${p.groups}`, inputs);
  if (c !== null && kc !== null && c !== kc * p.groups)
    err(prim, `input channels (${c}) must equal kernel input channels (${kc}) times groups (${p.groups})`, inputs);
  if (o !== null && o % p.groups !== 0) err(prim, `output channels (${o}) must be divisible by groups (${p.groups})`, inputs);
  const spatial: Dim[] = [];
  for (let i = 0; i < nsp; i++) {
    const kd = k.shape[i]!;
    const d = kd === null ? null : windowOutDim(x.shape[i + 1]!, kd, p.strides[i]!, p.dilation[i]!, p.padding[i]!);
    if (d !== null && d <= 0) err(prim, `window does not fit spatial dim ${i} (output size ${d})`, inputs);
    spatial.push(d);
  }
  return { shape: [x.shape[0]!, ...spatial, o], dtype: x.dtype };
}

function poolOut(prim: string, x: AbstractValue, p: PoolParams, inputs: AbstractValue[]): AbstractValue {
  const nsp = x.shape.length - 2;
  if (nsp < 1) err(prim, "input must have rank >= 3 (batch, ...spatial, channels)", inputs);
  checkWindow(prim, nsp, p, inputs);
  if (p.window.length !== nsp || p.window.some((w) => !(w >= 1)))
    err(prim, `window needs ${nsp} positive entries; got window=${fmt(p.window)}`, inputs);
  const spatial = p.window.map((w, i) => {
    const d = windowOutDim(x.shape[i + 1]!, w, p.strides[i]!, p.dilation[i]!, p.padding[i]!);
    if (d !== null && d <= 0) err(prim, `window does not fit spatial dim ${i} (output size ${d})`, inputs);
    return d;
  });
  return { shape: [x.shape[0]!, ...spatial, x.shape[nsp + 1]!], dtype: x.dtype };
}

function sameShape(prim: string, got: readonly Dim[], want: readonly Dim[], what: string, inputs: AbstractValue[]): void {
  if (got.length !== want.length || got.some((d, i) => d !== null && want[i] !== null && d !== want[i]))
    err(prim, `${what} must have shape ${fmt(want)}`, inputs);
}

function checkConcrete(prim: string, shape: number[], inputs: AbstractValue[]): void {
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) err(prim, `shape must be non-negative integers; got shape=${fmt(shape)}`, inputs);
}

const u = unary();
const uf = unary(true);

export const shapeRules: { [P in Primitive]: ShapeRule<P> } = {
  [Primitive.Neg]: u("neg"),
  [Primitive.Abs]: u("abs"),
  [Primitive.Sign]: u("sign"),
  [Primitive.Exp]: uf("exp"),
  [Primitive.Log]: uf("log"),
  [Primitive.Log1p]: uf("log1p"),
  [Primitive.Expm1]: uf("expm1"),
  [Primitive.Sqrt]: uf("sqrt"),
  [Primitive.Sin]: uf("sin"),
  [Primitive.Cos]: uf("cos"),
  [Primitive.Tanh]: uf("tanh"),
  [Primitive.Erf]: uf("erf"),
  [Primitive.Floor]: u("floor"),
  [Primitive.Round]: u("round"),
  [Primitive.Reciprocal]: uf("reciprocal"),
  [Primitive.LogicalNot]: unary(false, "bool")("logical_not"),
  [Primitive.Add]: binary("add"),
  [Primitive.Sub]: binary("sub"),
  [Primitive.Mul]: binary("mul"),
  [Primitive.Div]: binary("div"),
  [Primitive.Pow]: binary("pow"),
  [Primitive.Maximum]: binary("maximum"),
  [Primitive.Minimum]: binary("minimum"),
  [Primitive.Mod]: binary("mod"),
  [Primitive.Equal]: binary("equal", "bool"),
  [Primitive.NotEqual]: binary("not_equal", "bool"),
  [Primitive.Less]: binary("less", "bool"),
  [Primitive.LessEqual]: binary("less_equal", "bool"),
  [Primitive.LogicalAnd]: logical("logical_and"),
  [Primitive.LogicalOr]: logical("logical_or"),
  [Primitive.Where]: (inputs) => {
    const [c, x, y] = inputs as [AbstractValue, AbstractValue, AbstractValue];
    if (c.dtype !== "bool") err("where", "condition must be bool", inputs);
    if (x.dtype !== y.dtype) err("where", "branches must share one dtype", inputs);
    return [{ shape: broadcastShapes([c.shape, x.shape, y.shape], "where"), dtype: x.dtype }];
  },
  [Primitive.Cast]: (inputs, p) => [{ shape: [...inputs[0]!.shape], dtype: p.dtype }],
  [Primitive.Sum]: reduce("sum"),
  [Primitive.Prod]: reduce("prod"),
  [Primitive.Max]: reduce("max"),
  [Primitive.Min]: reduce("min"),
  [Primitive.Argmax]: (inputs, p) => {
    const x = inputs[0]!;
    checkAxes("argmax", [p.axis], x.shape.length, inputs);
    return [{ shape: x.shape.filter((_, i) => i !== p.axis), dtype: "int32" }];
  },
  [Primitive.Cumsum]: (inputs, p) => {
    const x = inputs[0]!;
    checkAxes("cumsum", [p.axis], x.shape.length, inputs);
    return [{ shape: [...x.shape], dtype: x.dtype }];
  },
  [Primitive.Argsort]: (inputs) => {
    const x = inputs[0]!;
    if (x.shape.length < 1) err("argsort", "input must have rank >= 1", inputs);
    return [{ shape: [...x.shape], dtype: "int32" }];
  },
  [Primitive.TopK]: (inputs, p) => {
    const x = inputs[0]!;
    if (x.shape.length < 1) err("top_k", "input must have rank >= 1", inputs);
    const n = x.shape[x.shape.length - 1]!;
    if (!Number.isInteger(p.k) || p.k < 0 || (n !== null && p.k > n))
      err("top_k", `k must be in [0, ${n}]; got k=${p.k}`, inputs);
    const shape = [...x.shape.slice(0, -1), p.k];
    return [
      { shape, dtype: x.dtype },
      { shape: [...shape], dtype: "int32" },
    ];
  },
  [Primitive.Reshape]: (inputs, p) => {
    const x = inputs[0]!;
    checkConcrete("reshape", p.shape, inputs);
    const n = sizeOf(x.shape);
    const m = sizeOf(p.shape)!;
    if (n !== null && n !== m)
      err("reshape", `cannot reshape ${n} elements into shape ${fmt(p.shape)} (${m} elements)`, inputs);
    return [{ shape: [...p.shape], dtype: x.dtype }];
  },
  [Primitive.Transpose]: (inputs, p) => {
    const x = inputs[0]!;
    const r = x.shape.length;
    const sorted = [...p.perm].sort((a, b) => a - b);
    if (p.perm.length !== r || sorted.some((v, i) => v !== i))
      err("transpose", `perm must be a permutation of [0, ${r}); got perm=${fmt(p.perm)}`, inputs);
    return [{ shape: p.perm.map((i) => x.shape[i]!), dtype: x.dtype }];
  },
  [Primitive.BroadcastTo]: (inputs, p) => {
    const x = inputs[0]!;
    checkConcrete("broadcast_to", p.shape, inputs);
    const r = p.shape.length;
    if (x.shape.length > r) err("broadcast_to", `cannot broadcast to lower rank shape ${fmt(p.shape)}`, inputs);
    x.shape.forEach((d, i) => {
      const t = p.shape[r - x.shape.length + i]!;
      if (d !== 1 && d !== null && d !== t) err("broadcast_to", `cannot broadcast to shape ${fmt(p.shape)}`, inputs);
    });
    return [{ shape: [...p.shape], dtype: x.dtype }];
  },
  [Primitive.Slice]: (inputs, p) => {
    const x = inputs[0]!;
    const r = x.shape.length;
    if (p.start.length !== r || p.stop.length !== r || p.strides.length !== r)
      err("slice", `start, stop and strides need ${r} entries`, inputs);
    const shape = x.shape.map((d, i) => {
      const s = p.start[i]!;
      const e = p.stop[i]!;
      const st = p.strides[i]!;
      if (!(st >= 1) || s < 0 || e < s || (d !== null && e > d))
        err("slice", `bad range on axis ${i}: start=${s}, stop=${e}, stride=${st}`, inputs);
      return Math.ceil((e - s) / st);
    });
    return [{ shape, dtype: x.dtype }];
  },
  [Primitive.Pad]: (inputs, p) => {
    const x = inputs[0]!;
    if (p.padding.length !== x.shape.length) err("pad", `padding needs ${x.shape.length} [before, after] pairs; got ${fmt(p.padding)}`, inputs);
    if (p.padding.some(([a, b]) => a < 0 || b < 0)) err("pad", `padding must be non-negative; got ${fmt(p.padding)}`, inputs);
    return [{ shape: x.shape.map((d, i) => (d === null ? null : d + p.padding[i]![0] + p.padding[i]![1])), dtype: x.dtype }];
  },
  [Primitive.Concat]: (inputs, p) => {
    if (inputs.length === 0) err("concat", "needs at least one input", inputs);
    const first = inputs[0]!;
    const r = first.shape.length;
    if (!(p.axis >= 0 && p.axis < r)) err("concat", `axis must be in [0, ${r}); got axis=${p.axis}`, inputs);
    let total: Dim = 0;
    const shape = [...first.shape];
    for (const x of inputs) {
      if (x.dtype !== first.dtype) err("concat", "inputs must share one dtype", inputs);
      if (x.shape.length !== r) err("concat", "inputs must share one rank", inputs);
      x.shape.forEach((d, i) => {
        if (i === p.axis) return;
        if (d !== null && shape[i] !== null && d !== shape[i])
          err("concat", `all dims except axis ${p.axis} must match`, inputs);
        if (shape[i] === null) shape[i] = d;
      });
      const d = x.shape[p.axis]!;
      total = total === null || d === null ? null : total + d;
    }
    shape[p.axis] = total;
    return [{ shape, dtype: first.dtype }];
  },
  [Primitive.GatherNd]: (inputs) => {
    const [x, idx] = inputs as [AbstractValue, AbstractValue];
    if (idx.dtype !== "int32") err("gather_nd", "indices must be int32", inputs);
    const k = idx.shape[idx.shape.length - 1];
    if (idx.shape.length < 1 || k === null || k === undefined || k > x.shape.length)
      err("gather_nd", "indices' last dim must be known and <= rank of x", inputs);
    return [{ shape: [...idx.shape.slice(0, -1), ...x.shape.slice(k)], dtype: x.dtype }];
  },
  [Primitive.ScatterNd]: (inputs, p) => {
    const [idx, upd] = inputs as [AbstractValue, AbstractValue];
    checkConcrete("scatter_nd", p.shape, inputs);
    if (idx.dtype !== "int32") err("scatter_nd", "indices must be int32", inputs);
    const k = idx.shape[idx.shape.length - 1];
    if (idx.shape.length < 1 || k === null || k === undefined || k > p.shape.length)
      err("scatter_nd", "indices' last dim must be known and <= rank of shape", inputs);
    const want = [...idx.shape.slice(0, -1), ...p.shape.slice(k)];
    if (want.length !== upd.shape.length || want.some((d, i) => d !== null && upd.shape[i] !== null && d !== upd.shape[i]))
      err("scatter_nd", `updates must have shape ${fmt(want)}`, inputs);
    return [{ shape: [...p.shape], dtype: upd.dtype }];
  },
  [Primitive.Matmul]: (inputs, p) => {
    const [a, b] = inputs as [AbstractValue, AbstractValue];
    if (a.shape.length < 2 || b.shape.length < 2) err("matmul", "inputs must have rank >= 2", inputs);
    if (a.dtype !== b.dtype) err("matmul", "inputs must share one dtype", inputs);
    const ra = a.shape.length;
    const rb = b.shape.length;
    const m = p.transposeA ? a.shape[ra - 1]! : a.shape[ra - 2]!;
    const ka = p.transposeA ? a.shape[ra - 2]! : a.shape[ra - 1]!;
    const kb = p.transposeB ? b.shape[rb - 1]! : b.shape[rb - 2]!;
    const n = p.transposeB ? b.shape[rb - 2]! : b.shape[rb - 1]!;
    if (ka !== null && kb !== null && ka !== kb)
      err("matmul", `inner dimensions must match (${ka} vs ${kb})`, inputs);
    const batch = broadcastShapes([a.shape.slice(0, -2), b.shape.slice(0, -2)], "matmul");
    return [{ shape: [...batch, m, n], dtype: a.dtype }];
  },
  [Primitive.Conv]: (inputs, p) => {
    const [x, k] = inputs as [AbstractValue, AbstractValue];
    return [convOut("conv", x, k, p, inputs)];
  },
  [Primitive.ConvBackpropInput]: (inputs, p) => {
    const [dy, k] = inputs as [AbstractValue, AbstractValue];
    checkConcrete("conv_backprop_input", p.inputShape, inputs);
    const fwd = convOut("conv_backprop_input", { shape: p.inputShape, dtype: dy.dtype }, k, p, inputs);
    sameShape("conv_backprop_input", dy.shape, fwd.shape, "dy", inputs);
    return [{ shape: [...p.inputShape], dtype: dy.dtype }];
  },
  [Primitive.ConvBackpropFilter]: (inputs, p) => {
    const [x, dy] = inputs as [AbstractValue, AbstractValue];
    checkConcrete("conv_backprop_filter", p.kernelShape, inputs);
    const fwd = convOut("conv_backprop_filter", x, { shape: p.kernelShape, dtype: x.dtype }, p, inputs);
    sameShape("conv_backprop_filter", dy.shape, fwd.shape, "dy", inputs);
    return [{ shape: [...p.kernelShape], dtype: x.dtype }];
  },
  [Primitive.Pool]: (inputs, p) => [poolOut("pool", inputs[0]!, p, inputs)],
  [Primitive.PoolBackprop]: (inputs, p) => {
    const [dy, x] = inputs as [AbstractValue, AbstractValue];
    sameShape("pool_backprop", dy.shape, poolOut("pool_backprop", x, p, inputs).shape, "dy", inputs);
    return [{ shape: [...x.shape], dtype: x.dtype }];
  },
  [Primitive.Iota]: (inputs, p) => {
    checkConcrete("iota", p.shape, inputs);
    if (!(p.axis >= 0 && p.axis < p.shape.length)) throw new ValueError(`iota: axis out of range. Received: axis=${p.axis}`);
    return [{ shape: [...p.shape], dtype: p.dtype }];
  },
  [Primitive.RandomUniform]: (inputs, p) => {
    checkConcrete("random_uniform", p.shape, inputs);
    return [{ shape: [...p.shape], dtype: "float32" }];
  },
};
