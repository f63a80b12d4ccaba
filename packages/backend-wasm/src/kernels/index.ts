/**
 * The wasm kernel table, one kernel per primitive, typed `{ [P in Primitive]: WasmKernel<P> }` so
 * adding a primitive to core without a kernel here does not compile.
 *
 * Where each runs: wasm SIMD for float32 matmul, conv (im2col/col2im + GEMM) and its two
 * backprops, the SIMD elementwise table and float32 sum/max/min; TypeScript on views of linear
 * memory for the rest (see each file's header).
 */
import { Primitive } from "@webkeras/core";
import { convBackpropFilterKernel, convBackpropInputKernel, convKernel } from "./conv";
import { iotaKernel, randomUniformKernel } from "./creation";
import { binaryKernel, castKernel, unaryKernel, whereKernel } from "./elementwise";
import { matmulKernel } from "./matmul";
import {
  broadcastToKernel,
  concatKernel,
  gatherNdKernel,
  padKernel,
  reshapeKernel,
  scatterNdKernel,
  sliceKernel,
  transposeKernel,
} from "./movement";
import { poolBackpropKernel, poolKernel } from "./pool";
import { argmaxKernel, cumsumKernel, reduceKernel } from "./reduce";
import { argsortKernel, topKKernel } from "./sort";
import type { WasmKernel } from "./util";

export type { WasmKernel } from "./util";

/** @example wasmKernels[Primitive.Add](rt, [a, b], {}, [out]); // out = a + b, broadcasting */
export const wasmKernels: { [P in Primitive]: WasmKernel<P> } = {
  [Primitive.Neg]: unaryKernel(Primitive.Neg),
  [Primitive.Abs]: unaryKernel(Primitive.Abs),
  [Primitive.Sign]: unaryKernel(Primitive.Sign),
  [Primitive.Exp]: unaryKernel(Primitive.Exp),
  [Primitive.Log]: unaryKernel(Primitive.Log),
  [Primitive.Log1p]: unaryKernel(Primitive.Log1p),
  [Primitive.Expm1]: unaryKernel(Primitive.Expm1),
  [Primitive.Sqrt]: unaryKernel(Primitive.Sqrt),
  [Primitive.Sin]: unaryKernel(Primitive.Sin),
  [Primitive.Cos]: unaryKernel(Primitive.Cos),
  [Primitive.Tanh]: unaryKernel(Primitive.Tanh),
  [Primitive.Erf]: unaryKernel(Primitive.Erf),
  [Primitive.Floor]: unaryKernel(Primitive.Floor),
  [Primitive.Round]: unaryKernel(Primitive.Round),
  [Primitive.Reciprocal]: unaryKernel(Primitive.Reciprocal),
  [Primitive.LogicalNot]: unaryKernel(Primitive.LogicalNot),
  [Primitive.Add]: binaryKernel(Primitive.Add),
  [Primitive.Sub]: binaryKernel(Primitive.Sub),
  [Primitive.Mul]: binaryKernel(Primitive.Mul),
  [Primitive.Div]: binaryKernel(Primitive.Div),
  [Primitive.Pow]: binaryKernel(Primitive.Pow),
  [Primitive.Maximum]: binaryKernel(Primitive.Maximum),
  [Primitive.Minimum]: binaryKernel(Primitive.Minimum),
  [Primitive.Mod]: binaryKernel(Primitive.Mod),
  [Primitive.Equal]: binaryKernel(Primitive.Equal),
  [Primitive.NotEqual]: binaryKernel(Primitive.NotEqual),
  [Primitive.Less]: binaryKernel(Primitive.Less),
  [Primitive.LessEqual]: binaryKernel(Primitive.LessEqual),
  [Primitive.LogicalAnd]: binaryKernel(Primitive.LogicalAnd),
  [Primitive.LogicalOr]: binaryKernel(Primitive.LogicalOr),
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
