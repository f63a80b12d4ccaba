/**
 * Kernel types and index helpers shared by the kernel files.
 *
 * A kernel receives the runtime, its inputs and its outputs as `WasmTensor`s (byte offsets into
 * linear memory, already allocated by the backend and NOT zeroed) and the typed params of its
 * primitive. It must write every output element. Kernels that allocate scratch memory do so
 * before they make typed-array views (an allocation may grow memory and detach older views).
 */
import type {
  BINARY_PRIMITIVES,
  COMPARE_PRIMITIVES,
  Params,
  Primitive,
  REDUCE_PRIMITIVES,
  TypedArray,
  UNARY_PRIMITIVES,
} from "@webkeras/core";
import type { Runtime, WasmTensor } from "../runtime";

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

export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i];
  return n;
}

/** Row-major strides (in elements) of a dense array of `shape`. */
export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/** Strides of an input of `shape` read as if broadcast to `outShape` (0 on broadcast dims). */
export function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const r = outShape.length;
  const own = stridesOf(shape);
  const s = new Array<number>(r).fill(0);
  for (let i = 0; i < shape.length; i++) {
    const d = r - shape.length + i;
    s[d] = shape[i] === 1 && outShape[d] !== 1 ? 0 : own[i];
  }
  return s;
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
 * A strided view as rows: the innermost collapsed dim has length `inner` and a constant stride per
 * input; `rowOffsets[t][row]` is where row `row` of input t starts.
 */
export interface RowLayout {
  inner: number;
  rows: number;
  innerStrides: number[];
  rowOffsets: Int32Array[];
}

export function rowLayout(outShape: readonly number[], strides: number[][]): RowLayout {
  const k = strides.length;
  const { shape: ms, strides: mst } = collapse(outShape, strides);
  const size = sizeOf(outShape);
  if (ms.length === 0) {
    return {
      inner: size === 0 ? 0 : 1,
      rows: size === 0 ? 0 : 1,
      innerStrides: strides.map(() => 0),
      rowOffsets: strides.map(() => new Int32Array(1)),
    };
  }
  const r = ms.length;
  const inner = ms[r - 1];
  const rows = inner === 0 ? 0 : size / inner;
  const rowOffsets = strides.map(() => new Int32Array(rows));
  if (rows > 0) {
    const idx = new Array<number>(r - 1).fill(0);
    const cur = new Array<number>(k).fill(0);
    for (let row = 0; row < rows; row++) {
      for (let t = 0; t < k; t++) rowOffsets[t][row] = cur[t];
      for (let d = r - 2; d >= 0; d--) {
        idx[d]++;
        for (let t = 0; t < k; t++) cur[t] += mst[t][d];
        if (idx[d] < ms[d]) break;
        for (let t = 0; t < k; t++) cur[t] -= mst[t][d] * ms[d];
        idx[d] = 0;
      }
    }
  }
  return { inner, rows, innerStrides: mst.map((s) => s[r - 1]), rowOffsets };
}

/** Copies a strided view of `src` (start `offset`, per-dim `strides`, `shape`) into dense `dst`. */
export function stridedCopy(
  src: TypedArray,
  offset: number,
  strides: number[],
  shape: readonly number[],
  dst: TypedArray,
): void {
  const lay = rowLayout(shape, [strides]);
  const n = lay.inner;
  const s = lay.innerStrides[0];
  const offs = lay.rowOffsets[0];
  let o = 0;
  if (s === 1) {
    for (let row = 0; row < lay.rows; row++) {
      const b = offset + offs[row];
      dst.set(src.subarray(b, b + n), o);
      o += n;
    }
  } else {
    for (let row = 0; row < lay.rows; row++) {
      let i = offset + offs[row];
      for (let j = 0; j < n; j++, i += s) dst[o++] = src[i];
    }
  }
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

/** Rewrites a bool result in place so that every element is 0 or 1. */
export function normalizeBool(a: TypedArray): void {
  for (let i = 0; i < a.length; i++) a[i] = a[i] !== 0 ? 1 : 0;
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
