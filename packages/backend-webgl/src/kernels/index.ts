/**
 * The WebGL kernel table, one entry per primitive, typed `{ [P in Primitive]: ... }` so adding a
 * primitive to core without a WebGL kernel does not compile. Elementwise primitives (and
 * BroadcastTo, a view) are `FUSED`: the backend records them lazily and compiles chains of them into one program
 * (`elementwise.ts`); Reshape is `SHARED` (the buffer is reused as is).
 */
import { Primitive } from "@webkeras/core";
import { convBackpropFilterKernel, convBackpropInputKernel, convKernel, poolBackpropKernel, poolKernel } from "./conv";
import { iotaKernel, randomUniformKernel } from "./creation";
import type { Kernel } from "./kernel";
import { matmulKernel } from "./matmul";
import { concatKernel, gatherNdKernel, padKernel, scatterNdKernel, sliceKernel, transposeKernel } from "./movement";
import { argmaxKernel, cumsumKernel, reduceKernel } from "./reduce";
import { argsortKernel, topKKernel } from "./sort";

/** Marks a primitive the backend fuses instead of running a kernel. */
export const FUSED = "fused" as const;
/** Marks Reshape: the output shares the input's buffer. */
export const SHARED = "shared" as const;

export const webglKernels: { [P in Primitive]: Kernel<P> | typeof FUSED | typeof SHARED } = {
  [Primitive.Neg]: FUSED,
  [Primitive.Abs]: FUSED,
  [Primitive.Sign]: FUSED,
  [Primitive.Exp]: FUSED,
  [Primitive.Log]: FUSED,
  [Primitive.Log1p]: FUSED,
  [Primitive.Expm1]: FUSED,
  [Primitive.Sqrt]: FUSED,
  [Primitive.Sin]: FUSED,
  [Primitive.Cos]: FUSED,
  [Primitive.Tanh]: FUSED,
  [Primitive.Erf]: FUSED,
  [Primitive.Floor]: FUSED,
  [Primitive.Round]: FUSED,
  [Primitive.Reciprocal]: FUSED,
  [Primitive.LogicalNot]: FUSED,
  [Primitive.Add]: FUSED,
  [Primitive.Sub]: FUSED,
  [Primitive.Mul]: FUSED,
  [Primitive.Div]: FUSED,
  [Primitive.Pow]: FUSED,
  [Primitive.Maximum]: FUSED,
  [Primitive.Minimum]: FUSED,
  [Primitive.Mod]: FUSED,
  [Primitive.Equal]: FUSED,
  [Primitive.NotEqual]: FUSED,
  [Primitive.Less]: FUSED,
  [Primitive.LessEqual]: FUSED,
  [Primitive.LogicalAnd]: FUSED,
  [Primitive.LogicalOr]: FUSED,
  [Primitive.Where]: FUSED,
  [Primitive.Cast]: FUSED,
  [Primitive.Sum]: reduceKernel(Primitive.Sum),
  [Primitive.Prod]: reduceKernel(Primitive.Prod),
  [Primitive.Max]: reduceKernel(Primitive.Max),
  [Primitive.Min]: reduceKernel(Primitive.Min),
  [Primitive.Argmax]: argmaxKernel,
  [Primitive.Cumsum]: cumsumKernel,
  [Primitive.Argsort]: argsortKernel,
  [Primitive.TopK]: topKKernel,
  [Primitive.Reshape]: SHARED,
  [Primitive.Transpose]: transposeKernel,
  // A view: fused as a broadcast read of its operand (`codegen.linearize`).
  [Primitive.BroadcastTo]: FUSED,
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
