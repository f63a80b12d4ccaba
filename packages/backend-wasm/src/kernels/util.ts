/**
 * Kernel types and index helpers shared by the kernel files.
 *
 * A kernel receives the runtime, its inputs and its outputs as `WasmTensor`s (byte offsets into
 * linear memory, already allocated by the backend and NOT zeroed) and the typed params of its
 * primitive. It must write every output element. Kernels that allocate scratch memory do so
 * before they make typed-array views (an allocation may grow memory and detach older views).
 */
import { cpuKernelUtils } from "@webkeras/core";
import type {
  BINARY_PRIMITIVES,
  COMPARE_PRIMITIVES,
  Params,
  Primitive,
  REDUCE_PRIMITIVES,
  UNARY_PRIMITIVES,
} from "@webkeras/core";
import type { Runtime, WasmTensor } from "../runtime";

// Index helpers and constants shared with the CPU oracle (one implementation for both).
export const {
  INT32_MAX,
  INT32_MIN,
  sizeOf,
  stridesOf,
  broadcastStrides,
  rowLayout,
  stridedCopy,
  normalizeBool,
} = cpuKernelUtils;
export type RowLayout = cpuKernelUtils.RowLayout;

export type WasmKernel<P extends Primitive> = (
  rt: Runtime,
  inputs: WasmTensor[],
  params: Params<P>,
  outputs: WasmTensor[],
) => void;

export type UnaryPrimitive = (typeof UNARY_PRIMITIVES)[number];
export type BinaryPrimitive = (typeof BINARY_PRIMITIVES)[number];
export type ComparePrimitive = (typeof COMPARE_PRIMITIVES)[number];
export type ReducePrimitive = (typeof REDUCE_PRIMITIVES)[number];

/** A tensor in linear memory as the CPU oracle's kernel input (a view: make it after allocating). */
export function cpuInput(rt: Runtime, t: WasmTensor): cpuKernelUtils.CpuInput {
  return { values: rt.v(t), shape: t.shape, dtype: t.dtype };
}

/**
 * Runs the CPU oracle's kernel on views of the inputs and copies its outputs into linear memory.
 * For ops that are not hot, where one copy is cheaper than a second implementation to keep in sync.
 */
export function viaCpu<P extends Primitive>(kernel: cpuKernelUtils.CpuKernel<P>): WasmKernel<P> {
  return (rt, inputs, params, outputs) => {
    const results = kernel(
      inputs.map((t) => cpuInput(rt, t)),
      params,
      outputs.map((t) => ({ shape: t.shape, dtype: t.dtype })),
    );
    results.forEach((r, i) => {
      rt.v(outputs[i]).set(r);
      cpuKernelUtils.recycle(r);
    });
  };
}

/** Formats a value for the `Received: ...` tail of an error message (like core's). */
export function fmt(value: unknown): string {
  if (Array.isArray(value)) return `(${value.map(fmt).join(", ")}${value.length === 1 ? "," : ""})`;
  if (typeof value === "object" && value !== null) {
    try {
      return JSON.stringify(value);
    } catch {
      return String(value);
    }
  }
  return String(value);
}

/**
 * `outShape` with per-input strides collapsed to the fewest dims: size-1 dims dropped, and
 * adjacent dims merged where every input steps through them contiguously.
 */
export function collapse(
  outShape: readonly number[],
  strides: number[][],
): { shape: number[]; strides: number[][] } {
  const k = strides.length;
  const shape: number[] = [];
  const st: number[][] = strides.map(() => []);
  for (let d = 0; d < outShape.length; d++) {
    if (outShape[d] === 1) continue;
    const last = shape.length - 1;
    let merge = last >= 0;
    for (let t = 0; t < k && merge; t++)
      if (st[t][last] !== strides[t][d] * outShape[d]) merge = false;
    if (merge) {
      shape[last] *= outShape[d];
      for (let t = 0; t < k; t++) st[t][last] = strides[t][d];
    } else {
      shape.push(outShape[d]);
      for (let t = 0; t < k; t++) st[t].push(strides[t][d]);
    }
  }
  return { shape, strides: st };
}

/**
 * Runs a 2-d row kernel over a broadcast: `outShape` and per-operand strides (elements, 0 on
 * broadcast dims) are collapsed; the two innermost dims become one call of `fn` with `rows` rows
 * of `n` dense outputs, where operand t's row r starts at element `offsets[t] + r * rowStrides[t]`
 * and is contiguous (`repeated[t]` false) or one value repeated (true). Outer dims, rare after
 * collapsing, loop here. `outOffset` is the element offset of the block in the dense output.
 */
export function run2d(
  outShape: readonly number[],
  strides: number[][],
  fn: (
    offsets: number[],
    outOffset: number,
    rows: number,
    n: number,
    rowStrides: number[],
    repeated: boolean[],
  ) => void,
): void {
  if (sizeOf(outShape) === 0) return;
  const { shape, strides: st } = collapse(outShape, strides);
  const r = shape.length;
  const k = strides.length;
  if (r === 0) {
    fn(
      new Array<number>(k).fill(0),
      0,
      1,
      1,
      new Array<number>(k).fill(0),
      new Array<boolean>(k).fill(false),
    );
    return;
  }
  const n = shape[r - 1];
  const repeated = st.map((s) => s[r - 1] === 0);
  const rows = r >= 2 ? shape[r - 2] : 1;
  const rowStrides = st.map((s) => (r >= 2 ? s[r - 2] : 0));
  const outer = r - 2;
  if (outer <= 0) {
    fn(new Array<number>(k).fill(0), 0, rows, n, rowStrides, repeated);
    return;
  }
  const count = sizeOf(shape.slice(0, outer));
  const idx = new Array<number>(outer).fill(0);
  const offs = new Array<number>(k).fill(0);
  for (let i = 0; i < count; i++) {
    fn(offs, i * rows * n, rows, n, rowStrides, repeated);
    for (let d = outer - 1; d >= 0; d--) {
      idx[d]++;
      for (let t = 0; t < k; t++) offs[t] += st[t][d];
      if (idx[d] < shape[d]) break;
      for (let t = 0; t < k; t++) offs[t] -= st[t][d] * shape[d];
      idx[d] = 0;
    }
  }
}

/** Calls `fn(offsets)` for every index of `shape` (row-major), with per-input element offsets. */
export function forEachOffset(
  shape: readonly number[],
  strides: number[][],
  fn: (offs: number[]) => void,
): void {
  const r = shape.length;
  const n = sizeOf(shape);
  if (n === 0) return;
  const idx = new Array<number>(r).fill(0);
  const cur = strides.map(() => 0);
  for (let i = 0; i < n; i++) {
    fn(cur);
    for (let d = r - 1; d >= 0; d--) {
      idx[d]++;
      for (let t = 0; t < cur.length; t++) cur[t] += strides[t][d];
      if (idx[d] < shape[d]) break;
      for (let t = 0; t < cur.length; t++) cur[t] -= strides[t][d] * shape[d];
      idx[d] = 0;
    }
  }
}
