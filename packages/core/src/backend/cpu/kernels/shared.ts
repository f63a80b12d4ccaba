/**
 * The CPU oracle's kernels and helpers that other backends reuse for their TypeScript fallbacks,
 * so that the exact semantics (round half to even, Python modulo and int32 floor division, C99
 * pow, NaN ordering, saturating casts, ...) live in one place. Exported from `@webkeras/core` as
 * `cpuKernelUtils`.
 *
 * The `*Into` functions write into a caller's typed array (e.g. a view of wasm memory) and write
 * every element; the `CpuKernel`s allocate their outputs (copy them where they must live).
 */
export {
  INT32_MAX,
  INT32_MIN,
  broadcastStrides,
  normalizeBool,
  recycle,
  rowLayout,
  sizeOf,
  stridedCopy,
  stridesOf,
  type CpuInput,
  type CpuKernel,
  type RowLayout,
} from "./util";
export {
  binaryInto,
  castInto,
  erf,
  floatMod,
  intFloorDiv,
  intMod,
  intPow,
  powC99,
  roundHalfEven,
  sign,
  unaryInto,
  whereInto,
} from "./elementwise";
export { convGeom, convPlan, isPointwise, rowsOf, type ConvGeom, type ConvPlan } from "./conv";
export { poolLoop } from "./pool";
export { argmaxKernel, axisSplit, cumsumKernel, reduceInto, reduceRuns } from "./reduce";
export { iotaKernel, randomUniformKernel } from "./creation";
export { scatterNdKernel } from "./movement";
