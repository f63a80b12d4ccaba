/**
 * Dataset: a small, lazy input pipeline after `tf.data.Dataset` (the subset Keras users reach
 * for): `fromTensorSlices`, `batch`, `shuffle`, `map`, `take`, `repeat`. It is async-iterable,
 * so `fit` / `evaluate` / `predict` accept it directly, and re-iterable (each `for await` starts
 * a new pass; shuffles draw a new order each pass).
 *
 * Slices and batches stay in JavaScript memory (HostArrays) until they are needed as tensors:
 * `batch` gathers rows on the host, so a shuffled, batched dataset costs one upload per batch.
 * Tensors: iterating a Dataset yourself gives you new tensors to dispose; `map` functions run in
 * a `tidy` scope, and the Dataset frees the tensors it made as inputs to them.
 */
import { ValueError, fmt } from "../../errors";
import { tidy } from "../../engine/engine";
import * as lax from "../../primitives/lax";
import type { Seed } from "../../random/seed_generator";
import { Tensor } from "../../tensor/tensor";
import { typedArrayFor } from "../../tensor/dtype";
import { HostArray, flattenStruct, isDataLeaf, mapStruct, toHostArray, type Struct } from "./host_array";
import { hostRandom } from "./shuffle";
import { convertToTensor, type TensorLike } from "../../ops/convert";

/** A leaf of a dataset element: host data, or a tensor made by `map`. */
type Leaf = HostArray | Tensor;
const isLeaf = (v: unknown): boolean => v instanceof HostArray || v instanceof Tensor;

/** An element in flight: its structure, and the tensors the pipeline owns in it. */
interface Item {
  element: Struct<Leaf>;
  owned: Tensor[];
}

type Source = () => AsyncIterator<Item>;

function release(item: Item): void {
  for (const t of item.owned) t.dispose();
}

/** Stacks HostArray rows (each without the batch dim) into one HostArray. */
function stackHost(rows: HostArray[]): HostArray {
  const first = rows[0]!;
  const size = first.data.length;
  const out = typedArrayFor(first.dtype, size * rows.length);
  rows.forEach((r, i) => {
    if (r.data.length !== size || r.dtype !== first.dtype)
      throw new ValueError(`Dataset.batch: elements must all have the same shape and dtype. Received: shapes ${fmt(first.shape)} and ${fmt(r.shape)}`);
    out.set(r.data, i * size);
  });
  return new HostArray(out, [rows.length, ...first.shape], first.dtype);
}

/**
 * @example
 * const ds = keras.Dataset.fromTensorSlices(x, y).shuffle(1000, 42).batch(32);
 * await model.fit(ds, undefined, { epochs: 3 });
 * for await (const [xb, yb] of ds.take(1)) console.log(xb.shape); // [32, ...]
 */
export class Dataset<T = unknown> implements AsyncIterable<T> {
  private constructor(private readonly source: Source) {}

  /**
   * One element per row of `x` (and `y`): `x_i`, or `[x_i, y_i]` when `y` is given. `x` and `y`
   * may be Tensors, typed arrays, nested arrays, or lists / dicts of them. Tensors are read
   * once, on the first pass.
   */
  static fromTensorSlices(x: unknown, y?: unknown): Dataset {
    let cached: { x: Struct<HostArray>; y: Struct<HostArray> | null; n: number } | null = null;
    const load = async (): Promise<NonNullable<typeof cached>> => {
      if (cached) return cached;
      const conv = async (v: unknown, where: string): Promise<Struct<HostArray>> => {
        if (isDataLeaf(v)) return toHostArray(v, where);
        if (Array.isArray(v)) return Promise.all(v.map((e, i) => conv(e, `${where}[${i}]`)));
        if (v !== null && typeof v === "object")
          return Object.fromEntries(await Promise.all(Object.entries(v).map(async ([k, e]) => [k, await conv(e, `${where}.${k}`)] as const)));
        throw new ValueError(`Dataset.fromTensorSlices: expected array data. Received: ${where}=${fmt(v)}`);
      };
      const hx = await conv(x, "x");
      const hy = y === undefined || y === null ? null : await conv(y, "y");
      const all = [...flattenStruct(hx, isLeaf), ...(hy === null ? [] : flattenStruct(hy, isLeaf))] as HostArray[];
      const n = all[0]?.length ?? 0;
      for (const h of all)
        if (h.length !== n)
          throw new ValueError(`Dataset.fromTensorSlices: all arrays must have the same first dimension. Received: sizes ${all.map((a) => a.length).join(", ")}`);
      cached = { x: hx, y: hy, n };
      return cached;
    };
    return new Dataset(async function* () {
      const { x: hx, y: hy, n } = await load();
      const row = (h: HostArray, i: number): HostArray => h.slice(i, i + 1).reshape(h.shape.slice(1));
      for (let i = 0; i < n; i++) {
        const xi = mapStruct(hx, isLeaf, (h: HostArray) => row(h, i));
        const element = hy === null ? xi : [xi, mapStruct(hy, isLeaf, (h: HostArray) => row(h, i))];
        yield { element, owned: [] };
      }
    } as Source);
  }

  /** A dataset over any (async) iterable of elements (tensors you yield stay yours). */
  static from<E>(iterable: Iterable<E> | AsyncIterable<E>): Dataset<E> {
    return new Dataset(async function* () {
      for await (const e of iterable as AsyncIterable<E>) yield { element: e as Struct<Leaf>, owned: [] };
    } as Source);
  }

  /**
   * Groups `batchSize` consecutive elements into one, stacking each leaf along a new first axis.
   * @param dropRemainder drop a last, smaller batch. Default false.
   */
  batch(batchSize: number, dropRemainder = false): Dataset<T> {
    if (!Number.isInteger(batchSize) || batchSize < 1)
      throw new ValueError(`Dataset.batch: batch_size must be a positive integer. Received: batch_size=${fmt(batchSize)}`);
    const src = this.source;
    return new Dataset(async function* () {
      let pending: Item[] = [];
      const flush = (): Item => {
        const structure = pending[0]!.element;
        const leaves = pending.map((p) => flattenStruct(p.element, isLeaf));
        const owned: Tensor[] = [];
        const stacked = leaves[0]!.map((_, j) => {
          const column = leaves.map((l) => l[j]!);
          if (column.every((c) => c instanceof HostArray)) return stackHost(column as HostArray[]);
          const t = tidy(() =>
            lax.concat(
              column.map((c) => {
                const ct = c instanceof HostArray ? c.toTensor() : c;
                return lax.reshape(ct, [1, ...ct.shape]);
              }),
              0,
            ),
          );
          owned.push(t);
          return t;
        });
        for (const p of pending) release(p);
        pending = [];
        let k = 0;
        return { element: mapStruct(structure, isLeaf, () => stacked[k++]!), owned };
      };
      const it = src();
      for (;;) {
        const r = await it.next();
        if (r.done) break;
        pending.push(r.value);
        if (pending.length === batchSize) yield flush();
      }
      if (pending.length > 0 && !dropRemainder) yield flush();
      else for (const p of pending) release(p);
    } as Source);
  }

  /**
   * Shuffles with a buffer of `bufferSize` elements (tf.data semantics: a buffer at least the
   * dataset's size gives a uniform shuffle). A new order each pass.
   */
  shuffle(bufferSize: number, seed?: Seed): Dataset<T> {
    if (!Number.isInteger(bufferSize) || bufferSize < 1)
      throw new ValueError(`Dataset.shuffle: buffer_size must be a positive integer. Received: buffer_size=${fmt(bufferSize)}`);
    const src = this.source;
    const rand = hostRandom(seed ?? null);
    return new Dataset(async function* () {
      const buffer: Item[] = [];
      const it = src();
      for (;;) {
        const r = await it.next();
        if (r.done) break;
        buffer.push(r.value);
        if (buffer.length >= bufferSize) {
          const j = Math.floor(rand() * buffer.length);
          const out = buffer[j]!;
          buffer[j] = buffer[buffer.length - 1]!;
          buffer.pop();
          yield out;
        }
      }
      while (buffer.length > 0) {
        const j = Math.floor(rand() * buffer.length);
        const out = buffer[j]!;
        buffer[j] = buffer[buffer.length - 1]!;
        buffer.pop();
        yield out;
      }
    } as Source);
  }

  /**
   * Applies `fn` to each element (its leaves as tensors; a `[x, y]` element is passed as two
   * arguments, as tf.data does for tuples). Runs inside `tidy`: only what `fn` returns survives,
   * and input tensors it does not return are freed.
   * @example ds.map((x, y) => [keras.ops.divide(x, 255), y])
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  map<U>(fn: (...args: any[]) => U): Dataset<U> {
    const src = this.source;
    return new Dataset(async function* () {
      const it = src();
      for (;;) {
        const r = await it.next();
        if (r.done) return;
        const item = r.value;
        const inputs = new Set(item.owned);
        const userTensors = new Set(flattenStruct(item.element, isLeaf).filter((l): l is Tensor => l instanceof Tensor && !inputs.has(l)));
        const asTensors = mapStruct(item.element, isLeaf, (l: Leaf) => {
          if (l instanceof Tensor) return l;
          const t = l.toTensor();
          inputs.add(t);
          return t;
        });
        let out: Struct<unknown>;
        try {
          out = tidy(() => {
            const o = (Array.isArray(asTensors) && Array.isArray(item.element) ? fn(...asTensors) : fn(asTensors)) as Struct<unknown>;
            // Plain data returned by fn becomes tensors here, inside the scope that keeps results.
            return mapStruct(o, (v) => v instanceof Tensor || isDataLeaf(v), (v) => (v instanceof Tensor ? v : convertToTensor(v as TensorLike, undefined)));
          });
        } catch (err) {
          for (const t of inputs) t.dispose();
          throw err;
        }
        const outTensors = flattenStruct(out, (v) => v instanceof Tensor) as Tensor[];
        const returned = new Set(outTensors);
        for (const t of inputs) if (!returned.has(t)) t.dispose();
        yield { element: out as Struct<Leaf>, owned: outTensors.filter((t) => !userTensors.has(t)) };
      }
    } as Source);
  }

  /** The first `count` elements (all when count is -1). */
  take(count: number): Dataset<T> {
    const src = this.source;
    return new Dataset(async function* () {
      if (count === 0) return;
      let n = 0;
      const it = src();
      for (;;) {
        const r = await it.next();
        if (r.done) return;
        yield r.value;
        n++;
        if (count >= 0 && n >= count) {
          await it.return?.();
          return;
        }
      }
    } as Source);
  }

  /** Repeats the dataset `count` times (forever when omitted). */
  repeat(count = -1): Dataset<T> {
    const src = this.source;
    return new Dataset(async function* () {
      for (let i = 0; count < 0 || i < count; i++) {
        let any = false;
        const it = src();
        for (;;) {
          const r = await it.next();
          if (r.done) break;
          any = true;
          yield r.value;
        }
        if (!any) return;
      }
    } as Source);
  }

  /** Elements with the pipeline's tensors handed over (the trainer frees `owned` after each step). */
  iterateOwned(): AsyncIterator<Item> {
    return this.source();
  }

  /** Elements as tensors, which the caller owns. */
  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    const it = this.source();
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      // Tensors the pipeline made pass to the caller; host data is uploaded now.
      yield mapStruct(r.value.element, isLeaf, (l: Leaf) => (l instanceof Tensor ? l : l.toTensor())) as T;
    }
  }

  /** All elements as tensors (for small datasets and tests). */
  async toArray(): Promise<T[]> {
    const out: T[] = [];
    for await (const e of this) out.push(e);
    return out;
  }
}
