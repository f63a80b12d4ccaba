/**
 * Shape manipulation of `keras.ops` (NumPy family): reshape, transpose, concatenate, split,
 * tile, pad, flip, roll, triangles and diagonals... All are differentiable (they lower to
 * reshape, transpose, broadcast, slice, pad, concat and gather primitives).
 */
import { fmt } from "../../errors";
import type { AnyTensor } from "../../engine/bind";
import * as lax from "../../primitives/lax";
import type { Tensor } from "../../tensor/tensor";
import { convertToTensor, normalizeAxes, normalizeAxis, promoteOperands, type TensorLike } from "../convert";
import {
  boolToInt,
  broadcastBy,
  broadcastToChecked,
  desc,
  dims,
  dropAt,
  expandAt,
  fail,
  gatherAxis,
  moveAxis,
  prodDims,
  reshapeBy,
  sliceAxis,
  sliceBounds,
  type Dim,
} from "./internal";
import { deferIfUnknown, hasUnknown } from "../../symbolic/deferred_op";

const range = (n: number, from = 0): number[] => Array.from({ length: n }, (_, i) => from + i);

/**
 * Gives `x` a new shape with the same number of elements; one dim may be -1 (inferred).
 * @example keras.ops.reshape(x, [-1, 4]);
 */
export function reshape<T extends AnyTensor = Tensor>(x: TensorLike, newshape: number | readonly number[]): T {
  const t = convertToTensor<AnyTensor>(x);
  const target = typeof newshape === "number" ? [newshape] : [...newshape];
  if (target.some((d) => !Number.isInteger(d) || d < -1) || target.filter((d) => d === -1).length > 1)
    fail("reshape", "newshape must hold non-negative integers and at most one -1", `newshape=${fmt(newshape)}`);
  const known = target.reduce((a, d) => (d === -1 ? a : a * d), 1);
  const resolve = (s: Dim[]): Dim[] => {
    const n = prodDims(s);
    if (!target.includes(-1)) {
      if (n !== null && n !== known)
        fail("reshape", `cannot reshape ${n} elements into shape ${fmt(target)}`, `x.shape=${fmt(s)}, newshape=${fmt(newshape)}`);
      return target;
    }
    if (n === null) return target.map((d) => (d === -1 ? null : d));
    if (known === 0 ? n !== 0 : n % known !== 0)
      fail("reshape", `cannot reshape ${n} elements into shape ${fmt(target)}`, `x.shape=${fmt(s)}, newshape=${fmt(newshape)}`);
    return target.map((d) => (d === -1 ? (known === 0 ? 0 : n / known) : d));
  };
  return reshapeBy(t, "reshape", resolve) as T;
}

/**
 * Permutes the axes (reverses them when `axes` is null).
 * @example keras.ops.transpose(x, [0, 2, 1]);
 */
export function transpose<T extends AnyTensor = Tensor>(x: TensorLike, axes: readonly number[] | null = null): T {
  const t = convertToTensor<AnyTensor>(x);
  const r = t.shape.length;
  if (axes === null) return lax.transpose(t, range(r).reverse()) as T;
  if (axes.length !== r) fail("transpose", `axes must be a permutation of the ${r} axes`, `axes=${fmt(axes)}`);
  const perm = axes.map((a) => normalizeAxis(a, r, "transpose"));
  if (new Set(perm).size !== r) fail("transpose", `axes must be a permutation of the ${r} axes`, `axes=${fmt(axes)}`);
  return lax.transpose(t, perm) as T;
}

/**
 * Inserts size-1 dims at `axis` (a number or a list, positions in the output).
 * @example keras.ops.expandDims(x, -1); // (2, 3) -> (2, 3, 1)
 */
export function expandDims<T extends AnyTensor = Tensor>(x: TensorLike, axis: number | readonly number[]): T {
  const t = convertToTensor<AnyTensor>(x);
  const n = typeof axis === "number" ? 1 : axis.length;
  return expandAt(t, normalizeAxes(axis, t.shape.length + n, "expandDims"), "expandDims") as T;
}

/**
 * Removes size-1 dims: those at `axis`, or every known size-1 dim when null.
 * @example keras.ops.squeeze(x, 1); // (2, 1, 3) -> (2, 3)
 */
export function squeeze<T extends AnyTensor = Tensor>(x: TensorLike, axis: number | readonly number[] | null = null): T {
  const t = convertToTensor<AnyTensor>(x);
  if (axis === null) return dropAt(t, range(t.shape.length).filter((i) => t.shape[i] === 1), "squeeze") as T;
  const axes = normalizeAxes(axis, t.shape.length, "squeeze");
  for (const a of axes)
    if (t.shape[a] !== 1 && t.shape[a] !== null)
      fail("squeeze", `cannot squeeze axis ${a}, whose size is not 1`, `x.shape=${fmt(t.shape)}, axis=${fmt(axis)}`);
  return dropAt(t, axes, "squeeze") as T;
}

/**
 * Flattens to 1-D.
 * @example keras.ops.ravel([[1, 2], [3, 4]]); // [1, 2, 3, 4]
 */
export function ravel<T extends AnyTensor = Tensor>(x: TensorLike): T {
  return reshapeBy(convertToTensor<AnyTensor>(x), "ravel", (s) => [prodDims(s)]) as T;
}

/**
 * Number of dims of `x`.
 * @example keras.ops.ndim([[1, 2]]); // 2
 */
export function ndim(x: TensorLike): number {
  return convertToTensor<AnyTensor>(x).shape.length;
}

/**
 * Broadcasts `x` to `shape` with NumPy rules.
 * @example keras.ops.broadcastTo([1, 2, 3], [2, 3]);
 */
export function broadcastTo<T extends AnyTensor = Tensor>(x: TensorLike, shape: readonly number[]): T {
  return broadcastToChecked("broadcastTo", convertToTensor<AnyTensor>(x), shape) as T;
}

/**
 * Joins tensors along an existing `axis` (all flattened first when `axis` is null); operands are
 * promoted to one dtype.
 * @example keras.ops.concatenate([a, b], -1);
 */
export function concatenate<T extends AnyTensor = Tensor>(xs: readonly TensorLike[], axis: number | null = 0): T {
  if (xs.length === 0) fail("concatenate", "needs at least one tensor", "xs=[]");
  let ts = promoteOperands<AnyTensor>([...xs]);
  if (axis === null) {
    ts = ts.map((t) => ravel<AnyTensor>(t));
    axis = 0;
  }
  const r = ts[0]!.shape.length;
  if (r === 0) fail("concatenate", "zero-dimensional tensors cannot be concatenated", `shapes=${ts.map((t) => fmt(t.shape)).join(", ")}`);
  const ax = normalizeAxis(axis, r, "concatenate");
  const shape = [...ts[0]!.shape];
  for (const t of ts) {
    const bad =
      t.shape.length !== r ||
      t.shape.some((d, i) => i !== ax && d !== null && shape[i] !== null && d !== shape[i]);
    if (bad)
      fail("concatenate", `all dims except axis ${ax} must match`, ts.map(desc).join(", "));
  }
  return lax.concat(ts, ax) as T;
}

/**
 * Joins same-shape tensors along a new `axis`.
 * @example keras.ops.stack([a, b], 1); // two (2, 3) -> (2, 2, 3)
 */
export function stack<T extends AnyTensor = Tensor>(xs: readonly TensorLike[], axis = 0): T {
  if (xs.length === 0) fail("stack", "needs at least one tensor", "xs=[]");
  const ts = promoteOperands<AnyTensor>([...xs]);
  const first = ts[0]!.shape;
  for (const t of ts)
    if (t.shape.length !== first.length || t.shape.some((d, i) => d !== null && first[i] !== null && d !== first[i]))
      fail("stack", "all tensors must have the same shape", ts.map(desc).join(", "));
  const ax = normalizeAxis(axis, first.length + 1, "stack");
  return lax.concat(
    ts.map((t) => expandAt(t, [ax], "stack")),
    ax,
  ) as T;
}

/** Pieces of `x` along `ax` between the given boundaries (already resolved against the length). */
function pieces<T extends AnyTensor>(t: AnyTensor, ax: number, bounds: number[]): T[] {
  const out: T[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) out.push(sliceAxis(t, ax, bounds[i]!, Math.max(bounds[i]!, bounds[i + 1]!)) as T);
  return out;
}

function splitImpl<T extends AnyTensor>(op: string, x: TensorLike, spec: number | readonly number[], axis: number, uneven: boolean): T[] {
  const t = convertToTensor<AnyTensor>(x);
  if (t.shape.length === 0) fail(op, "cannot split a 0-dimensional tensor", `x.shape=${fmt(t.shape)}`);
  const ax = normalizeAxis(axis, t.shape.length, op);
  const n = t.shape[ax]!;
  if (typeof spec === "number" && (!Number.isInteger(spec) || spec < 1))
    fail(op, "the number of sections must be a positive integer", `indicesOrSections=${spec}`);
  const boundsFor = (len: number): number[] => {
    if (typeof spec !== "number") return [0, ...spec.map((i) => sliceBounds(len, i, null)[0]), len];
    if (!uneven && len % spec !== 0)
      fail(op, `the split does not result in an equal division (${len} into ${spec} sections)`, `x.shape=${fmt(t.shape)}, indicesOrSections=${spec}, axis=${axis}`);
    const base = Math.floor(len / spec);
    const extra = len % spec;
    const b = [0];
    for (let i = 0; i < spec; i++) b.push(b[i]! + base + (i < extra ? 1 : 0));
    return b;
  };
  const count = typeof spec === "number" ? spec : spec.length + 1;
  const deferred = deferIfUnknown(
    op,
    [t],
    () => {
      const b = n === null ? null : boundsFor(n);
      return range(count).map((i) => ({
        shape: t.shape.map((d, j) => (j === ax ? (b ? Math.max(0, b[i + 1]! - b[i]!) : null) : d)),
        dtype: t.dtype,
      }));
    },
    ([u]) => splitImpl(op, u!, spec, ax, uneven),
  );
  if (deferred) return deferred as unknown as T[];
  return pieces<T>(t, ax, boundsFor(n));
}

/**
 * Splits into `indicesOrSections` equal pieces (a number that must divide the axis), or at the
 * given indices, along `axis`.
 * @example const [a, b] = keras.ops.split(x, 2, -1);
 */
export function split<T extends AnyTensor = Tensor>(x: TensorLike, indicesOrSections: number | readonly number[], axis = 0): T[] {
  return splitImpl("split", x, indicesOrSections, axis, false);
}

/**
 * Like `split`, but a number of sections need not divide the axis: the first `len % n` pieces get
 * one extra element.
 * @example keras.ops.arraySplit([1, 2, 3, 4, 5], 2); // [[1, 2, 3], [4, 5]]
 */
export function arraySplit<T extends AnyTensor = Tensor>(x: TensorLike, indicesOrSections: number | readonly number[], axis = 0): T[] {
  return splitImpl("arraySplit", x, indicesOrSections, axis, true);
}

/**
 * Repeats the whole tensor `repeats` times along each axis (NumPy `tile`).
 * @example keras.ops.tile([1, 2], [2, 2]); // [[1, 2, 1, 2], [1, 2, 1, 2]]
 */
export function tile<T extends AnyTensor = Tensor>(x: TensorLike, repeats: number | readonly number[]): T {
  const t = convertToTensor<AnyTensor>(x);
  const reps = typeof repeats === "number" ? [repeats] : [...repeats];
  if (reps.some((r) => !Number.isInteger(r) || r < 0)) fail("tile", "repeats must be non-negative integers", `repeats=${fmt(repeats)}`);
  const d = Math.max(t.shape.length, reps.length);
  const rp = [...Array<number>(d - reps.length).fill(1), ...reps];
  // (d0, d1, ...) -> (1, d0, 1, d1, ...) -> broadcast (r0, d0, r1, d1, ...) -> (r0*d0, r1*d1, ...),
  // inserting the repeat axis only where r != 1.
  const lead = expandAt(t, range(d - t.shape.length), "tile");
  const at = range(d).filter((i) => rp[i] !== 1);
  if (at.length === 0) return lead as T;
  const pos = at.map((a, k) => a + k); // output positions of the inserted axes
  const inserted = expandAt(lead, pos, "tile");
  const wide = broadcastBy(inserted, "tile", (s) => s.map((v, i) => (pos.includes(i) ? rp[at[pos.indexOf(i)]!]! : v)));
  return reshapeBy(wide, "tile", (s) => {
    const out: Dim[] = [];
    for (let i = 0; i < s.length; i++) {
      if (pos.includes(i)) {
        const a = s[i]!;
        const b = s[i + 1]!;
        out.push(a === null || b === null ? null : a * b);
        i++;
      } else out.push(s[i]!);
    }
    return out;
  }) as T;
}

/**
 * Repeats each element `repeats` times (a number, or one count per element) along `axis`
 * (over the flattened input when null). A tensor of counts is read, so it must be concrete.
 * @example keras.ops.repeat([1, 2], 2); // [1, 1, 2, 2]
 */
export function repeat<T extends AnyTensor = Tensor>(
  x: TensorLike,
  repeats: number | readonly number[] | Tensor,
  axis: number | null = null,
): T {
  let t = convertToTensor<AnyTensor>(x);
  if (axis === null) {
    t = ravel<AnyTensor>(t);
    axis = 0;
  }
  const ax = normalizeAxis(axis, t.shape.length, "repeat");
  let reps: number | number[];
  if (typeof repeats === "number") reps = repeats;
  else if (Array.isArray(repeats)) reps = [...(repeats as number[])];
  else reps = Array.from((repeats as Tensor).dataSync(), Number);
  if (Array.isArray(reps) && reps.length === 1) reps = reps[0]!;
  if ((typeof reps === "number" ? [reps] : reps).some((r) => !Number.isInteger(r) || r < 0))
    fail("repeat", "repeats must be non-negative integers", `repeats=${fmt(reps)}`);
  if (typeof reps === "number") {
    const r = reps;
    // (..., n, ...) -> (..., n, 1, ...) -> (..., n, r, ...) -> (..., n*r, ...)
    const e = expandAt(t, [ax + 1], "repeat");
    const b = broadcastBy(e, "repeat", (s) => s.map((v, i) => (i === ax + 1 ? r : v)));
    return reshapeBy(b, "repeat", (s) => [...s.slice(0, ax), s[ax] === null ? null : s[ax]! * r, ...s.slice(ax + 2)]) as T;
  }
  const n = t.shape[ax];
  if (n === null || reps.length !== n)
    fail("repeat", `needs one count per element along axis ${ax}`, `x.shape=${fmt(t.shape)}, repeats has ${reps.length} entries`);
  const idx: number[] = [];
  reps.forEach((r, i) => {
    for (let j = 0; j < r; j++) idx.push(i);
  });
  return gatherAxis(t, idx, ax) as T;
}

/** NumPy pad widths (int, pair, or per-axis pairs) to one [before, after] per axis. */
function padWidths(pw: number | readonly number[] | readonly (readonly number[])[], rank: number): [number, number][] {
  const bad = () => fail("pad", `padWidth must be an int, a (before, after) pair or ${rank} such pairs`, `padWidth=${fmt(pw)}`);
  let out: [number, number][];
  if (typeof pw === "number") out = range(rank).map(() => [pw, pw]);
  else if (pw.length > 0 && pw.every((v) => typeof v === "number")) {
    const p = pw as readonly number[];
    if (p.length > 2) bad();
    out = range(rank).map(() => [p[0]!, p[p.length - 1]!]);
  } else {
    const p = (pw as readonly (readonly number[])[]).map((v): [number, number] => {
      if (!Array.isArray(v) || v.length < 1 || v.length > 2) bad();
      return [v[0]!, v[v.length - 1]!];
    });
    if (p.length === 1) out = range(rank).map(() => p[0]!);
    else if (p.length === rank) out = p;
    else bad();
  }
  if (out!.some(([a, b]) => !Number.isInteger(a) || !Number.isInteger(b) || a < 0 || b < 0))
    fail("pad", "pad widths must be non-negative integers", `padWidth=${fmt(pw)}`);
  return out!;
}

/** Padding modes of `pad`. */
export type PadMode = "constant" | "edge" | "reflect" | "symmetric" | "wrap";

/**
 * Pads `x` (NumPy `pad`). `padWidth`: an int, a `[before, after]` pair, or one pair per axis.
 * Modes: "constant" (with `constantValues`), "edge", "reflect" (mirror without the edge),
 * "symmetric" (mirror with the edge) and "wrap"; the mirror and wrap modes need widths no larger
 * than the axis (reflect: axis - 1).
 * @example keras.ops.pad([[1, 2]], [[1, 1], [0, 2]]);
 */
export function pad<T extends AnyTensor = Tensor>(
  x: TensorLike,
  padWidth: number | readonly number[] | readonly (readonly number[])[],
  mode: PadMode = "constant",
  constantValues: number | null = null,
): T {
  const t = convertToTensor<AnyTensor>(x);
  const widths = padWidths(padWidth, t.shape.length);
  if (mode === "constant") return lax.pad(t, widths, constantValues ?? 0) as T;
  if (!["edge", "reflect", "symmetric", "wrap"].includes(mode))
    fail("pad", 'mode must be one of "constant", "edge", "reflect", "symmetric", "wrap"', `mode=${mode}`);
  const deferred = deferIfUnknown(
    "pad",
    [t],
    () => [{ shape: t.shape.map((d, i) => (d === null ? null : d + widths[i]![0] + widths[i]![1])), dtype: t.dtype }],
    ([u]) => [pad(u!, widths, mode)],
  );
  if (deferred) return deferred[0] as unknown as T;
  let y = t;
  widths.forEach(([b, a], ax) => {
    if (b === 0 && a === 0) return;
    const n = dims(y)[ax]!;
    const limit = mode === "reflect" ? n - 1 : n;
    if (b > limit || a > limit || n === 0)
      fail("pad", `${mode} padding of (${b}, ${a}) does not fit axis ${ax} of length ${n}`, `x.shape=${fmt(t.shape)}, padWidth=${fmt(padWidth)}`);
    const rev = (z: AnyTensor) => gatherAxis(z, range(dims(z)[ax]!).reverse(), ax);
    let left: AnyTensor;
    let right: AnyTensor;
    if (mode === "edge") {
      const w = (z: AnyTensor, k: number) => lax.broadcastTo(z, dims(z).map((d, i) => (i === ax ? k : d)));
      left = w(sliceAxis(y, ax, 0, 1), b);
      right = w(sliceAxis(y, ax, n - 1, n), a);
    } else if (mode === "reflect") {
      left = rev(sliceAxis(y, ax, 1, b + 1));
      right = rev(sliceAxis(y, ax, n - 1 - a, n - 1));
    } else if (mode === "symmetric") {
      left = rev(sliceAxis(y, ax, 0, b));
      right = rev(sliceAxis(y, ax, n - a, n));
    } else {
      left = sliceAxis(y, ax, n - b, n);
      right = sliceAxis(y, ax, 0, a);
    }
    y = lax.concat([left, y, right].filter((z) => z.shape[ax] !== 0), ax);
  });
  return y as T;
}

/**
 * Reverses the order of elements along `axis` (all axes when null).
 * @example keras.ops.flip([[1, 2], [3, 4]], 1); // [[2, 1], [4, 3]]
 */
export function flip<T extends AnyTensor = Tensor>(x: TensorLike, axis: number | readonly number[] | null = null): T {
  const t = convertToTensor<AnyTensor>(x);
  const axes = normalizeAxes(axis, t.shape.length, "flip");
  if (axes.some((a) => t.shape[a] === null)) {
    return deferIfUnknown("flip", [t], () => [{ shape: [...t.shape], dtype: t.dtype }], ([u]) => [flip(u!, axes)])![0] as unknown as T;
  }
  let y = t;
  for (const a of axes) if (dims(y)[a]! > 1) y = gatherAxis(y, range(dims(y)[a]!).reverse(), a);
  return y as T;
}

/**
 * Shifts elements by `shift` along `axis` (cyclically); over the flattened input when null.
 * `shift` and `axis` may be lists of the same length.
 * @example keras.ops.roll([1, 2, 3, 4], 1); // [4, 1, 2, 3]
 */
export function roll<T extends AnyTensor = Tensor>(
  x: TensorLike,
  shift: number | readonly number[],
  axis: number | readonly number[] | null = null,
): T {
  const t = convertToTensor<AnyTensor>(x);
  const shifts = typeof shift === "number" ? [shift] : [...shift];
  if (axis === null) {
    if (shifts.length !== 1) fail("roll", "a list of shifts needs a list of axes", `shift=${fmt(shift)}, axis=None`);
    if (hasUnknown(t))
      return deferIfUnknown("roll", [t], () => [{ shape: [...t.shape], dtype: t.dtype }], ([u]) => [roll(u!, shift, null)])![0] as unknown as T;
    return lax.reshape(roll<AnyTensor>(ravel<AnyTensor>(t), shifts[0]!, 0), dims(t)) as T;
  }
  const axList = typeof axis === "number" ? [axis] : [...axis];
  if (shifts.length !== axList.length && shifts.length !== 1 && axList.length !== 1)
    fail("roll", "shift and axis must have the same length", `shift=${fmt(shift)}, axis=${fmt(axis)}`);
  const k = Math.max(shifts.length, axList.length);
  const pairs = range(k).map((i) => [shifts[shifts.length === 1 ? 0 : i]!, normalizeAxis(axList[axList.length === 1 ? 0 : i]!, t.shape.length, "roll")] as const);
  if (pairs.some(([, a]) => t.shape[a] === null))
    return deferIfUnknown("roll", [t], () => [{ shape: [...t.shape], dtype: t.dtype }], ([u]) => [roll(u!, shift, axis)])![0] as unknown as T;
  let y = t;
  for (const [s, a] of pairs) {
    const n = dims(y)[a]!;
    if (n === 0) continue;
    const m = ((s % n) + n) % n;
    if (m === 0) continue;
    if (!hasUnknown(y)) y = lax.concat([sliceAxis(y, a, n - m, n), sliceAxis(y, a, 0, n - m)], a);
    else y = gatherAxis(y, range(n).map((i) => (i - m + n) % n), a);
  }
  return y as T;
}

/**
 * Swaps two axes.
 * @example keras.ops.swapaxes(x, 0, -1);
 */
export function swapaxes<T extends AnyTensor = Tensor>(x: TensorLike, axis1: number, axis2: number): T {
  const t = convertToTensor<AnyTensor>(x);
  const r = t.shape.length;
  const a = normalizeAxis(axis1, r, "swapaxes");
  const b = normalizeAxis(axis2, r, "swapaxes");
  const perm = range(r);
  perm[a] = b;
  perm[b] = a;
  return lax.transpose(t, perm) as T;
}

/**
 * Moves axes `source` to positions `destination` (numbers or lists of the same length).
 * @example keras.ops.moveaxis(x, 0, -1); // (3, 4, 5) -> (4, 5, 3)
 */
export function moveaxis<T extends AnyTensor = Tensor>(
  x: TensorLike,
  source: number | readonly number[],
  destination: number | readonly number[],
): T {
  const t = convertToTensor<AnyTensor>(x);
  const r = t.shape.length;
  const src = (typeof source === "number" ? [source] : [...source]).map((a) => normalizeAxis(a, r, "moveaxis"));
  const dst = (typeof destination === "number" ? [destination] : [...destination]).map((a) => normalizeAxis(a, r, "moveaxis"));
  if (src.length !== dst.length || new Set(src).size !== src.length || new Set(dst).size !== dst.length)
    fail("moveaxis", "source and destination must be unique axes, as many of each", `source=${fmt(source)}, destination=${fmt(destination)}`);
  const order = range(r).filter((i) => !src.includes(i));
  src
    .map((s, i) => [dst[i]!, s] as const)
    .sort((p, q) => p[0] - q[0])
    .forEach(([d, s]) => order.splice(d, 0, s));
  return lax.transpose(t, order) as T;
}

/** (M, N) bool mask of `cmp(j - i, k)`; (i, j) = (row, column). */
function bandMask(m: number, n: number, k: number, lower: boolean): Tensor {
  const diff = lax.sub(lax.iota([m, n], 1), lax.iota([m, n], 0));
  return lower ? lax.lessEqual(diff, k) : lax.greaterEqual(diff, k);
}

function triangle<T extends AnyTensor>(op: string, x: TensorLike, k: number, lower: boolean): T {
  const t = convertToTensor<AnyTensor>(x);
  const r = t.shape.length;
  if (r < 2) fail(op, "needs a tensor of rank >= 2", `x.shape=${fmt(t.shape)}`);
  const m = t.shape[r - 2];
  const n = t.shape[r - 1];
  if (m === null || n === null)
    return deferIfUnknown(op, [t], () => [{ shape: [...t.shape], dtype: t.dtype }], ([u]) => [triangle(op, u!, k, lower)])![0] as unknown as T;
  return lax.where(bandMask(m, n, k, lower), t, 0) as T;
}

/**
 * Lower triangle of the last two dims: zeros above the `k`-th diagonal.
 * @example keras.ops.tril(keras.ops.ones([3, 3]));
 */
export function tril<T extends AnyTensor = Tensor>(x: TensorLike, k = 0): T {
  return triangle("tril", x, k, true);
}

/**
 * Upper triangle of the last two dims: zeros below the `k`-th diagonal.
 * @example keras.ops.triu(keras.ops.ones([3, 3]), 1);
 */
export function triu<T extends AnyTensor = Tensor>(x: TensorLike, k = 0): T {
  return triangle("triu", x, k, false);
}

/**
 * The `offset`-th diagonal over axes `axis1` and `axis2`, as the last axis of the result.
 * @example keras.ops.diagonal([[1, 2], [3, 4]]); // [1, 4]
 */
export function diagonal<T extends AnyTensor = Tensor>(x: TensorLike, offset = 0, axis1 = 0, axis2 = 1): T {
  const t = convertToTensor<AnyTensor>(x);
  const r = t.shape.length;
  if (r < 2) fail("diagonal", "needs a tensor of rank >= 2", `x.shape=${fmt(t.shape)}`);
  const a1 = normalizeAxis(axis1, r, "diagonal");
  const a2 = normalizeAxis(axis2, r, "diagonal");
  if (a1 === a2) fail("diagonal", "axis1 and axis2 must differ", `axis1=${axis1}, axis2=${axis2}`);
  const A = t.shape[a1]!;
  const B = t.shape[a2]!;
  const rest = range(r).filter((i) => i !== a1 && i !== a2);
  if (A === null || B === null) {
    return deferIfUnknown(
      "diagonal",
      [t],
      () => [{ shape: [...rest.map((i) => t.shape[i]!), null], dtype: t.dtype }],
      ([u]) => [diagonal(u!, offset, a1, a2)],
    )![0] as unknown as T;
  }
  const len = Math.max(0, offset >= 0 ? Math.min(A, B - offset) : Math.min(A + offset, B));
  const coords: number[] = [];
  for (let i = 0; i < len; i++) coords.push(offset >= 0 ? i : i - offset, offset >= 0 ? i + offset : i);
  // (A, B, ...rest) gathered at (i, i + offset) -> (len, ...rest) -> (...rest, len)
  const moved = lax.transpose(t, [a1, a2, ...rest]);
  const g = lax.gatherNd(moved, lax.constant(coords, [len, 2], "int32"));
  return moveAxis(g, 0, rest.length) as T;
}

/**
 * For a 1-D input, a square matrix with it on the `k`-th diagonal; for a 2-D input, its `k`-th
 * diagonal.
 * @example keras.ops.diag([1, 2]); // [[1, 0], [0, 2]]
 */
export function diag<T extends AnyTensor = Tensor>(x: TensorLike, k = 0): T {
  const t = convertToTensor<AnyTensor>(x);
  if (t.shape.length === 2) return diagonal<T>(t, k);
  if (t.shape.length !== 1) fail("diag", "needs a 1-D or 2-D input", `x.shape=${fmt(t.shape)}`);
  const n = t.shape[0];
  if (n === null) fail("diag", "needs a known length for a 1-D input", `x.shape=${fmt(t.shape)}`);
  const m = n + Math.abs(k);
  const v = lax.pad(t, [[0, Math.abs(k)]]);
  // k >= 0: row i holds x[i] at column i + k; k < 0: column j holds x[j] at row j - k.
  const line = k >= 0 ? lax.reshape(v, [m, 1]) : lax.reshape(v, [1, m]);
  const mask = lax.equal(lax.sub(lax.iota([m, m], 1), lax.iota([m, m], 0)), k);
  return lax.where(mask, line, 0) as T;
}

/**
 * Sum of the `offset`-th diagonal over axes `axis1`, `axis2` (bool gives int32).
 * @example keras.ops.trace([[1, 2], [3, 4]]); // 5
 */
export function trace<T extends AnyTensor = Tensor>(x: TensorLike, offset = 0, axis1 = 0, axis2 = 1): T {
  const d = diagonal<AnyTensor>(boolToInt(x), offset, axis1, axis2);
  return lax.sum(d, [d.shape.length - 1]) as T;
}

/** Options of `meshgrid`. */
export interface MeshgridOptions {
  /** "xy" (Cartesian, default: the first two output axes swapped) or "ij" (matrix). */
  indexing?: "xy" | "ij";
}

/**
 * Coordinate grids from 1-D coordinate vectors (NumPy `meshgrid`); a trailing options object
 * sets `indexing`.
 * @example const [X, Y] = keras.ops.meshgrid([1, 2, 3], [4, 5], { indexing: "ij" });
 */
export function meshgrid<T extends AnyTensor = Tensor>(...args: (TensorLike | MeshgridOptions)[]): T[] {
  const last = args[args.length - 1];
  const isOptions = (v: unknown): v is MeshgridOptions =>
    typeof v === "object" && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v) && "indexing" in v;
  const opts: MeshgridOptions = isOptions(last) ? last : {};
  const xs = (isOptions(last) ? args.slice(0, -1) : args) as TensorLike[];
  const indexing = opts.indexing ?? "xy";
  if (indexing !== "xy" && indexing !== "ij") fail("meshgrid", 'indexing must be "xy" or "ij"', `indexing=${indexing}`);
  const vs = xs.map((v) => ravel<AnyTensor>(v));
  const k = vs.length;
  // Output axis of input i: i, except that "xy" swaps the first two.
  const pos = range(k).map((i) => (indexing === "xy" && k >= 2 && i < 2 ? 1 - i : i));
  const outShape: Dim[] = new Array<Dim>(k);
  vs.forEach((v, i) => (outShape[pos[i]!] = v.shape[0]!));
  const deferred = deferIfUnknown(
    "meshgrid",
    vs,
    () => vs.map((v) => ({ shape: [...outShape], dtype: v.dtype })),
    (us) => meshgrid(...us, { indexing }),
  );
  if (deferred) return deferred as unknown as T[];
  return vs.map((v, i) => {
    const s = range(k).map((j) => (j === pos[i] ? v.shape[0]! : 1)) as number[];
    return lax.broadcastTo(lax.reshape(v, s), outShape as number[]) as T;
  });
}

/**
 * Joins tensors along the second axis (the first for 1-D tensors).
 * @example keras.ops.hstack([[1, 2], [3]]); // [1, 2, 3]
 */
export function hstack<T extends AnyTensor = Tensor>(xs: readonly TensorLike[]): T {
  const ts = xs.map((x) => {
    const t = convertToTensor<AnyTensor>(x);
    return t.shape.length === 0 ? lax.reshape(t, [1]) : t;
  });
  return concatenate<T>(ts, ts[0] !== undefined && ts[0].shape.length === 1 ? 0 : 1);
}

/**
 * Joins tensors along the first axis, after making 0-D and 1-D inputs rows.
 * @example keras.ops.vstack([[1, 2], [3, 4]]); // [[1, 2], [3, 4]]
 */
export function vstack<T extends AnyTensor = Tensor>(xs: readonly TensorLike[]): T {
  const ts = xs.map((x) => {
    const t = convertToTensor<AnyTensor>(x);
    return t.shape.length === 0 ? lax.reshape(t, [1, 1]) : t.shape.length === 1 ? expandAt(t, [0], "vstack") : t;
  });
  return concatenate<T>(ts, 0);
}

/**
 * Appends `x2` to `x1` along `axis` (both flattened when null).
 * @example keras.ops.append([1, 2], [3]); // [1, 2, 3]
 */
export function append<T extends AnyTensor = Tensor>(x1: TensorLike, x2: TensorLike, axis: number | null = null): T {
  return concatenate<T>([x1, x2], axis);
}

/**
 * Rotates by 90 degrees `k` times in the plane of `axes` (from the first axis toward the second).
 * @example keras.ops.rot90([[1, 2], [3, 4]]); // [[2, 4], [1, 3]]
 */
export function rot90<T extends AnyTensor = Tensor>(array: TensorLike, k = 1, axes: readonly [number, number] = [0, 1]): T {
  const t = convertToTensor<AnyTensor>(array);
  const r = t.shape.length;
  if (r < 2) fail("rot90", "needs a tensor of rank >= 2", `array.shape=${fmt(t.shape)}`);
  const a0 = normalizeAxis(axes[0], r, "rot90");
  const a1 = normalizeAxis(axes[1], r, "rot90");
  if (a0 === a1) fail("rot90", "axes must be different", `axes=${fmt(axes)}`);
  const kk = ((k % 4) + 4) % 4;
  if (kk === 0) return t as T;
  if (kk === 2) return flip<T>(t, [a0, a1]);
  if (kk === 1) return swapaxes<T>(flip<AnyTensor>(t, a1), a0, a1);
  return flip<T>(swapaxes<AnyTensor>(t, a0, a1), a1);
}

/**
 * n-th discrete difference `x[i + 1] - x[i]` along `axis` (for bools: `!=`).
 * @example keras.ops.diff([1, 4, 9, 16]); // [3, 5, 7]
 */
export function diff<T extends AnyTensor = Tensor>(a: TensorLike, n = 1, axis = -1): T {
  const t = convertToTensor<AnyTensor>(a);
  if (t.shape.length === 0) fail("diff", "needs a tensor of rank >= 1", `a.shape=${fmt(t.shape)}`);
  const ax = normalizeAxis(axis, t.shape.length, "diff");
  if (!Number.isInteger(n) || n < 0) fail("diff", "n must be a non-negative integer", `n=${n}`);
  const deferred = deferIfUnknown(
    "diff",
    [t],
    () => [{ shape: t.shape.map((d, i) => (i === ax && d !== null ? Math.max(0, d - n) : d)), dtype: t.dtype }],
    ([u]) => [diff(u!, n, ax)],
  );
  if (deferred) return deferred[0] as unknown as T;
  let y = t;
  for (let i = 0; i < n; i++) {
    const len = dims(y)[ax]!;
    if (len === 0) break;
    const hi = sliceAxis(y, ax, 1, len);
    const lo = sliceAxis(y, ax, 0, len - 1);
    y = y.dtype === "bool" ? lax.notEqual(hi, lo) : lax.sub(hi, lo);
  }
  return y as T;
}
