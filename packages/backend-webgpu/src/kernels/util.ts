/**
 * Index helpers shared by the kernel templates: dense strides, broadcast strides and dim
 * collapsing (fewer dims = fewer divisions per element in the generated index arithmetic).
 */

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides of a dense array of `shape`. */
export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
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
    s[d] = shape[i] === 1 && outShape[d] !== 1 ? 0 : own[i]!;
  }
  return s;
}

/**
 * Drops size-1 dims and merges dim d into d+1 wherever every stride list steps contiguously
 * across them. Returns the collapsed shape and stride lists (rank >= 1).
 * @example collapse([2, 3, 4], [[12, 4, 1]]) // { shape: [24], strides: [[1]] }
 */
export function collapse(shape: readonly number[], strides: number[][]): { shape: number[]; strides: number[][] } {
  const outShape: number[] = [];
  const out: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const last = outShape.length - 1;
    let merge = last >= 0;
    for (let t = 0; t < strides.length && merge; t++) if (out[t]![last] !== strides[t]![d]! * shape[d]!) merge = false;
    if (merge) {
      outShape[last]! *= shape[d]!;
      for (let t = 0; t < strides.length; t++) out[t]![last] = strides[t]![d]!;
    } else {
      outShape.push(shape[d]!);
      for (let t = 0; t < strides.length; t++) out[t]!.push(strides[t]![d]!);
    }
  }
  if (outShape.length === 0) return { shape: [1], strides: strides.map(() => [0]) };
  return { shape: outShape, strides: out };
}

/**
 * WGSL that decodes the flat index `idx` over a shape read from uniforms (`U(shapeAt + d)`) and
 * accumulates one offset per stride list (`off<t>`, strides at `U(stridesAt[t] + d)`).
 */
export function decodeIndex(rank: number, shapeAt: number, stridesAt: number[], idx = "idx"): string {
  const lines: string[] = [];
  for (let t = 0; t < stridesAt.length; t++) lines.push(`var off${t} = 0u;`);
  lines.push(`var rem = ${idx};`);
  for (let d = rank - 1; d >= 0; d--) {
    const c = `c${d}`;
    if (d > 0) lines.push(`let ${c} = rem % U(${shapeAt + d}u); rem = rem / U(${shapeAt + d}u);`);
    else lines.push(`let ${c} = rem;`);
    for (let t = 0; t < stridesAt.length; t++) lines.push(`off${t} += ${c} * U(${stridesAt[t]! + d}u);`);
  }
  return lines.join("\n  ");
}
