/**
 * Creation kernels: iota and the counter-based Threefry-2x32 uniform generator (element i = top 23
 * bits of threefry2x32(key, (i, 0))[0] times 2^-23), so every backend draws the same bits for the
 * same key. Both are the CPU oracle's kernels, their output copied into linear memory.
 */
import { cpuKernelUtils } from "@webkeras/core";
import type { Primitive } from "@webkeras/core";
import { viaCpu, type WasmKernel } from "./util";

export const iotaKernel: WasmKernel<Primitive.Iota> = viaCpu(cpuKernelUtils.iotaKernel);

export const randomUniformKernel: WasmKernel<Primitive.RandomUniform> = viaCpu(
  cpuKernelUtils.randomUniformKernel,
);
