/**
 * HostArray: a dense array in JavaScript memory (a typed array, a shape, a dtype), which is how
 * the trainer holds in-memory training data. Batches are gathered here, one `memcpy` per row,
 * and uploaded as one tensor per batch, so shuffling never launches device work.
 *
 * Also: conversion of what users pass as data (Tensors, typed arrays, nested JS arrays,
 * `{ data, shape }` objects) and small helpers over nested structures of them.
 */
import { ValueError, fmt } from "../../errors";
import * as lax from "../../primitives/lax";
import type { DType, TypedArray } from "../../tensor/dtype";
import { typedArrayFor } from "../../tensor/dtype";
import { Tensor } from "../../tensor/tensor";

/** `{ data, shape }`: a flat typed (or plain) array with its shape; `dtype` optional. */
export interface ArrayWithShape {
  data: ArrayLike<number>;
  shape: readonly number[];
  dtype?: DType;
}

/** A tree of leaves: arrays and plain objects of `T`. */
export type Struct<T> = T | Struct<T>[] | { [key: string]: Struct<T> };

/**
 * @example const h = new HostArray(new Float32Array(6), [3, 2], "float32"); h.gather([2, 0]).shape; // [2, 2]
 */
export class HostArray {
  readonly data: TypedArray;
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** Elements per row (product of the non-batch dimensions). */
  readonly rowSize: number;

  constructor(data: TypedArray, shape: readonly number[], dtype: DType) {
    this.data = data;
    this.shape = shape;
    this.dtype = dtype;
    this.rowSize = shape.slice(1).reduce((a, b) => a * b, 1);
  }

  /** Number of rows (samples). */
  get length(): number {
    return this.shape[0] ?? 1;
  }

  /** Rows `start..end` (a view: no copy). */
  slice(start: number, end: number): HostArray {
    const r = this.rowSize;
    return new HostArray(this.data.subarray(start * r, end * r) as TypedArray, [end - start, ...this.shape.slice(1)], this.dtype);
  }

  /** The rows at `indices`, in that order (a copy). */
  gather(indices: ArrayLike<number>): HostArray {
    const r = this.rowSize;
    const out = typedArrayFor(this.dtype, indices.length * r);
    for (let i = 0; i < indices.length; i++) {
      const s = indices[i]! * r;
      out.set(this.data.subarray(s, s + r), i * r);
    }
    return new HostArray(out, [indices.length, ...this.shape.slice(1)], this.dtype);
  }

  /** A new tensor on the active backend. */
  toTensor(): Tensor {
    return lax.constant(this.data, this.shape, this.dtype);
  }

  /** Same data seen with another shape of the same size. */
  reshape(shape: readonly number[]): HostArray {
    return new HostArray(this.data, shape, this.dtype);
  }

  cast(dtype: DType): HostArray {
    if (dtype === this.dtype) return this;
    const out = typedArrayFor(dtype, this.data.length);
    if (dtype === "int32") for (let i = 0; i < out.length; i++) out[i] = Math.trunc(this.data[i]!);
    else if (dtype === "bool") for (let i = 0; i < out.length; i++) out[i] = this.data[i] ? 1 : 0;
    else out.set(this.data);
    return new HostArray(out, this.shape, dtype);
  }
}

/** A `{...}` object literal (not a class instance). @example isPlainObject({}); // true */
export function isPlainObject(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === "object" && Object.getPrototypeOf(x) === Object.prototype;
}

/** `{ data, shape }` (and optionally `dtype`) and nothing else. @example isArrayWithShape({ data: [1, 2], shape: [2, 1] }); // true */
export function isArrayWithShape(x: unknown): x is ArrayWithShape {
  if (!isPlainObject(x)) return false;
  const keys = Object.keys(x);
  return (
    keys.every((k) => k === "data" || k === "shape" || k === "dtype") &&
    Array.isArray(x.shape) &&
    (ArrayBuffer.isView(x.data) || Array.isArray(x.data))
  );
}

/** A (possibly nested) array of numbers / booleans: checks the first element at each depth. @example isNumericNested([[1, 2]]); // true */
export function isNumericNested(x: unknown): boolean {
  let v: unknown = x;
  while (Array.isArray(v)) {
    if (v.length === 0) return true;
    v = v[0];
  }
  return v !== x && (typeof v === "number" || typeof v === "boolean");
}

/** One array of data (as opposed to a list or dict of them). @example isDataLeaf(new Float32Array(3)); // true */
export function isDataLeaf(x: unknown): boolean {
  return x instanceof Tensor || x instanceof HostArray || (ArrayBuffer.isView(x) && !(x instanceof DataView)) || isArrayWithShape(x) || isNumericNested(x);
}

/** Flattens a structure to its leaves (depth first, object keys in insertion order). @example flattenStruct({ a: h1, b: [h2] }, (v) => v instanceof HostArray); // [h1, h2] */
export function flattenStruct<T>(x: Struct<T>, isLeaf: (v: unknown) => boolean, out: T[] = []): T[] {
  if (isLeaf(x)) out.push(x as T);
  else if (Array.isArray(x)) for (const v of x) flattenStruct(v, isLeaf, out);
  else if (isPlainObject(x)) for (const v of Object.values(x)) flattenStruct(v as Struct<T>, isLeaf, out);
  else out.push(x as T);
  return out;
}

/** Maps the leaves of a structure, keeping its arrays and objects. @example mapStruct(xs, (v) => v instanceof HostArray, (h) => h.toTensor()); */
export function mapStruct<T, U>(x: Struct<T>, isLeaf: (v: unknown) => boolean, fn: (leaf: T) => U): Struct<U> {
  if (isLeaf(x)) return fn(x as T);
  if (Array.isArray(x)) return x.map((v) => mapStruct(v, isLeaf, fn));
  if (isPlainObject(x)) return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, mapStruct(v as Struct<T>, isLeaf, fn)]));
  return fn(x as T);
}

function typedDType(x: ArrayBufferView): DType {
  if (x instanceof Float32Array || x instanceof Float64Array) return "float32";
  return "int32";
}

function flattenNested(x: unknown, shape: number[], out: (number | boolean)[], depth: number, where: string): void {
  if (Array.isArray(x)) {
    if (shape.length <= depth) shape.push(x.length);
    else if (shape[depth] !== x.length)
      throw new ValueError(`${where}: nested arrays must be rectangular. Received: a ragged array (length ${x.length} at depth ${depth}, expected ${shape[depth]})`);
    for (const v of x) flattenNested(v, shape, out, depth + 1, where);
  } else {
    if (depth !== shape.length || (typeof x !== "number" && typeof x !== "boolean"))
      throw new ValueError(`${where}: expected a rectangular nested array of numbers. Received: ${fmt(x)} at depth ${depth}`);
    out.push(x);
  }
}

/**
 * Converts one data leaf to a HostArray: a Tensor is read back (once), a typed array is a flat
 * rank-1 array (Float64 -> float32, other integer arrays -> int32), plain numbers -> float32
 * (JavaScript has no separate int type), booleans -> bool. `dtype` casts the result.
 * @example const h = await toHostArray([[1, 2], [3, 4]], "x"); // shape [2, 2], float32
 */
export async function toHostArray(x: unknown, where: string, dtype?: DType): Promise<HostArray> {
  let h: HostArray;
  if (x instanceof HostArray) h = x;
  else if (x instanceof Tensor) {
    const data = await x.data();
    h = new HostArray(data.slice() as TypedArray, [...x.shape], x.dtype);
  } else if (ArrayBuffer.isView(x) && !(x instanceof DataView)) {
    const arr = x as unknown as ArrayLike<number> & ArrayBufferView;
    const dt = typedDType(arr);
    const data = arr instanceof Float32Array || arr instanceof Int32Array ? arr : typedArrayFor(dt, arr.length);
    if (data !== arr) (data as TypedArray).set(arr as unknown as ArrayLike<number>);
    h = new HostArray(data as TypedArray, [arr.length], dt);
  } else if (isArrayWithShape(x)) {
    const size = x.shape.reduce((a, b) => a * b, 1);
    if (size !== x.data.length)
      throw new ValueError(`${where}: data has ${x.data.length} values but shape ${fmt(x.shape)} needs ${size}. Received: shape=${fmt(x.shape)}`);
    const inner = await toHostArray(x.data, where, x.dtype);
    h = inner.reshape([...x.shape]);
  } else if (Array.isArray(x)) {
    const shape: number[] = [];
    const flat: (number | boolean)[] = [];
    flattenNested(x, shape, flat, 0, where);
    const dt: DType = flat.length > 0 && typeof flat[0] === "boolean" ? "bool" : "float32";
    const data = typedArrayFor(dt, flat.length);
    for (let i = 0; i < flat.length; i++) data[i] = Number(flat[i]);
    h = new HostArray(data, shape, dt);
  } else throw new ValueError(`${where}: expected a Tensor, a typed array, a nested array of numbers or { data, shape }. Received: ${fmt(x)}`);
  if (h.shape.length === 0) throw new ValueError(`${where}: expected an array with a batch dimension, not a scalar. Received: shape=()`);
  return dtype ? h.cast(dtype) : h;
}
