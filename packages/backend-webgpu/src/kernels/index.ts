/**
 * The WebGPU kernel table, one kernel per primitive. Typed `{ [P in Primitive]: GpuKernel<P> }`,
 * so adding a primitive without a WebGPU kernel does not compile. Reshape never reaches its
 * entry: the backend shares the input's buffer instead.
 */
import { Primitive } from "@webkeras/core";
import type { GpuKernel } from "../kernel";
import { iotaKernel, randomUniformKernel } from "./creation";
import { castKernel, opKernel, whereKernel } from "./elementwise";
import { convBackpropFilterKernel, convBackpropInputKernel, convKernel, matmulKernel } from "./gemm";
import {
  broadcastToKernel,
  concatKernel,
  gatherNdKernel,
  padKernel,
  scatterNdKernel,
  sliceKernel,
  stridedCopy,
  transposeKernel,
} from "./movement";
import { poolBackpropKernel, poolKernel } from "./pool";
import { argmaxKernel, cumsumKernel, reduceKernel } from "./reduce";
import { argsortKernel, topKKernel } from "./sort";
import { stridesOf } from "./util";

const reshapeKernel: GpuKernel<Primitive.Reshape> = (ctx, inputs, _params, outputs) => {
  const o = ctx.alloc(outputs[0]!);
  const n = inputs[0]!.shape.reduce((a, b) => a * b, 1);
  stridedCopy(ctx, inputs[0]!.data, 0, stridesOf([n]), [n], o, 0, [1]);
  return [o];
};

export const webgpuKernels: { [P in Primitive]: GpuKernel<P> } = {
  [Primitive.Neg]: opKernel(Primitive.Neg),
  [Primitive.Abs]: opKernel(Primitive.Abs),
  [Primitive.Sign]: opKernel(Primitive.Sign),
  [Primitive.Exp]: opKernel(Primitive.Exp),
  [Primitive.Log]: opKernel(Primitive.Log),
  [Primitive.Log1p]: opKernel(Primitive.Log1p),
  [Primitive.Expm1]: opKernel(Primitive.Expm1),
  [Primitive.Sqrt]: opKernel(Primitive.Sqrt),
  [Primitive.Sin]: opKernel(Primitive.Sin),
  [Primitive.Cos]: opKernel(Primitive.Cos),
  [Primitive.Tanh]: opKernel(Primitive.Tanh),
  [Primitive.Erf]: opKernel(Primitive.Erf),
  [Primitive.Floor]: opKernel(Primitive.Floor),
  [Primitive.Round]: opKernel(Primitive.Round),
  [Primitive.Reciprocal]: opKernel(Primitive.Reciprocal),
  [Primitive.LogicalNot]: opKernel(Primitive.LogicalNot),
  [Primitive.Add]: opKernel(Primitive.Add),
  [Primitive.Sub]: opKernel(Primitive.Sub),
  [Primitive.Mul]: opKernel(Primitive.Mul),
  [Primitive.Div]: opKernel(Primitive.Div),
  [Primitive.Pow]: opKernel(Primitive.Pow),
  [Primitive.Maximum]: opKernel(Primitive.Maximum),
  [Primitive.Minimum]: opKernel(Primitive.Minimum),
  [Primitive.Mod]: opKernel(Primitive.Mod),
  [Primitive.Equal]: opKernel(Primitive.Equal),
  [Primitive.NotEqual]: opKernel(Primitive.NotEqual),
  [Primitive.Less]: opKernel(Primitive.Less),
  [Primitive.LessEqual]: opKernel(Primitive.LessEqual),
  [Primitive.LogicalAnd]: opKernel(Primitive.LogicalAnd),
  [Primitive.LogicalOr]: opKernel(Primitive.LogicalOr),
  [Primitive.Where]: whereKernel,
  [Primitive.Cast]: castKernel,
  [Primitive.Sum]: reduceKernel(Primitive.Sum),
  [Primitive.Prod]: reduceKernel(Primitive.Prod),
  [Primitive.Max]: reduceKernel(Primitive.Max),
  [Primitive.Min]: reduceKernel(Primitive.Min),
  [Primitive.Argmax]: argmaxKernel,
  [Primitive.Cumsum]: cumsumKernel,
  [Primitive.Argsort]: argsortKernel,
  [Primitive.TopK]: topKKernel,
  [Primitive.Reshape]: reshapeKernel,
  [Primitive.Transpose]: transposeKernel,
  [Primitive.BroadcastTo]: broadcastToKernel,
  [Primitive.Slice]: sliceKernel,
  [Primitive.Pad]: padKernel,
  [Primitive.Concat]: concatKernel,
  [Primitive.GatherNd]: gatherNdKernel,
  [Primitive.ScatterNd]: scatterNdKernel,
  [Primitive.Matmul]: matmulKernel,
  [Primitive.Conv]: convKernel,
  [Primitive.ConvBackpropInput]: convBackpropInputKernel,
  [Primitive.ConvBackpropFilter]: convBackpropFilterKernel,
  [Primitive.Pool]: poolKernel,
  [Primitive.PoolBackprop]: poolBackpropKernel,
  [Primitive.Iota]: iotaKernel,
  [Primitive.RandomUniform]: randomUniformKernel,
};
