/**
 * The backend's one wasm module, generated at start-up for the engine it runs on: the GEMM
 * (`gemm.ts`), the elementwise table (`elementwise.ts`), reductions (`reduce.ts`) and convolution
 * patch movement (`conv.ts`), all over one imported memory. Building it takes about a millisecond;
 * compiling is asynchronous (see `Runtime.create`).
 */
import { emitConv } from "./conv";
import { SIMD_BINARY, SIMD_UNARY, emitElementwise, type SimdBinary, type SimdUnary } from "./elementwise";
import { emitGemm } from "./gemm";
import { emitPool } from "./pool";
import { SIMD_REDUCE, emitReduce, type SimdReduce } from "./reduce";
import { SIMD_COMPARE, emitSelect, type SimdCompare } from "./select";
import { ModuleBuilder, type MemorySpec } from "./wasmblr";

export {
  SIMD_BINARY,
  SIMD_UNARY,
  SIMD_REDUCE,
  SIMD_COMPARE,
  type SimdBinary,
  type SimdUnary,
  type SimdReduce,
  type SimdCompare,
};

export interface ModuleConfig {
  /** Use relaxed SIMD (`f32x4.relaxed_madd`) in the GEMM micro-kernel. */
  relaxed: boolean;
  /** Register block rows. */
  MR: number;
  /** Register block columns (a multiple of 4). */
  NR: number;
  /** Rows of A per packed block (a multiple of MR; the block stays in L2). */
  MC: number;
  /** Depth of a k slice (a KC x NR panel of B stays in L1). */
  KC: number;
  /** Columns of B per packed block (a multiple of NR). */
  NC: number;
}

type Fn<N extends number> = N extends 5
  ? (a: number, b: number, c: number, d: number, e: number) => void
  : N extends 3
  ? (a: number, b: number, c: number) => void
  : N extends 4
    ? (a: number, b: number, c: number, d: number) => void
    : N extends 6
      ? (a: number, b: number, c: number, d: number, e: number, f: number) => void
      : N extends 7
        ? (a: number, b: number, c: number, d: number, e: number, f: number, g: number) => void
        : (...args: number[]) => void;

/** Exports of the kernel module (all pointers are byte offsets into the shared memory). */
export type KernelExports = {
  gemm: Fn<15>;
  gemm_micro: Fn<6>;
  gemm_macro: Fn<9>;
  gemm_pack_a: Fn<6>;
  gemm_pack_b: Fn<6>;
  im2col: Fn<6>;
  col2im: Fn<6>;
  f64_to_f32: Fn<3>;
  pool_max: Fn<5>;
  pool_avg: Fn<5>;
  pool_max_bwd: Fn<6>;
  pool_avg_bwd: Fn<6>;
  copy_0: Fn<5>;
  copy_1: Fn<5>;
} & { [K in `ew_${SimdBinary}_${0 | 1 | 2 | 3}`]: Fn<7> } & { [K in `un_${SimdUnary}`]: Fn<3> } & { [K in `where_${0 | 1}${0 | 1}${0 | 1}`]: Fn<9> } & {
  [K in `cmp_${SimdCompare}_${0 | 1}${0 | 1}`]: Fn<7>;
} & {
  [K in `red_rows_${SimdReduce}` | `red_cols_${SimdReduce}`]: Fn<4>;
};

/** Encodes the kernel module for `config`, importing a memory of `memory`'s kind. */
export function buildKernelModule(config: ModuleConfig, memory: MemorySpec): Uint8Array<ArrayBuffer> {
  const m = new ModuleBuilder(memory);
  emitGemm(m, config);
  emitElementwise(m);
  emitReduce(m);
  emitConv(m);
  emitSelect(m);
  emitPool(m);
  return m.encode();
}
