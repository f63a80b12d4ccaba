/**
 * Data adapters (Keras `trainers/data_adapters/`): turn what `fit` / `evaluate` / `predict` are
 * given into batches, and an `EpochIterator` that walks them with Keras' `steps_per_epoch` /
 * `steps_per_execution` rules.
 *
 * - In-memory data (Tensors, typed arrays, nested arrays, lists / dicts of them) is held as
 *   HostArrays; each epoch draws a permutation on the host (seeded from `keras.random`'s global
 *   generator, so `setRandomSeed` makes runs repeatable) and gathers each batch there.
 * - Iterables and async iterables (generators, `Dataset`) yield one batch per item:
 *   `[x, y]` or `[x, y, sampleWeight]` (`[x]` or `x` for predict).
 */
import { ValueError, fmt } from "../../errors";
import type { Seed } from "../../random/seed_generator";
import { Tensor } from "../../tensor/tensor";
import { warn } from "../../callbacks/io";
import { HostArray, flattenStruct, isDataLeaf, isNumericNested, mapStruct, toHostArray, type Struct } from "./host_array";
import { Dataset } from "./dataset";
import { hostRandom, shuffleInPlace } from "./shuffle";

/** A data leaf in a batch: host data (uploaded by the trainer) or a tensor. */
export type BatchLeaf = HostArray | Tensor;

export const isBatchLeaf = (v: unknown): boolean => v instanceof HostArray || v instanceof Tensor;

/** One batch: inputs, targets and sample weights, and the tensors the trainer must free after it. */
export interface Batch {
  x: Struct<BatchLeaf>;
  y: Struct<BatchLeaf> | null;
  sampleWeight: Struct<BatchLeaf> | null;
  /** Tensors made for this batch by a pipeline (Dataset.map); freed after the step. */
  owned: Tensor[];
}

export interface DataAdapter {
  /** Batches per pass, or null when unknown (iterables). */
  readonly numBatches: number | null;
  /** One pass over the data. */
  iterator(): AsyncIterator<Batch> | Iterator<Batch>;
}

/** Is `x` a stream of batches (iterable / async iterable / Dataset) rather than arrays? @example isBatchStream((function* () {})()); // true */
export function isBatchStream(x: unknown): boolean {
  if (x instanceof Dataset) return true;
  if (x === null || typeof x !== "object" || Array.isArray(x) || ArrayBuffer.isView(x) || x instanceof Tensor) return false;
  return Symbol.asyncIterator in x || Symbol.iterator in x || typeof (x as { next?: unknown }).next === "function";
}

const leavesOf = (s: Struct<BatchLeaf> | null): BatchLeaf[] => (s === null ? [] : flattenStruct(s, isBatchLeaf));
const hostLeaves = (s: Struct<HostArray> | null): HostArray[] => (s === null ? [] : flattenStruct(s, (v) => v instanceof HostArray));

/**
 * Keras `check_data_cardinality`: every array must have the same number of samples. Returns it.
 * @example checkDataCardinality(xHost, yHost, null); // 100, or a ValueError naming both sizes
 */
export function checkDataCardinality(x: Struct<BatchLeaf>, y: Struct<BatchLeaf> | null, sampleWeight: Struct<BatchLeaf> | null): number {
  const parts: [string, number[]][] = [
    ["x", leavesOf(x).map((l) => l.shape[0] ?? 1)],
    ["y", leavesOf(y).map((l) => l.shape[0] ?? 1)],
    ["sample_weight", leavesOf(sampleWeight).map((l) => l.shape[0] ?? 1)],
  ];
  const sizes = new Set(parts.flatMap(([, ns]) => ns));
  if (sizes.size > 1) {
    const given = parts.filter(([, ns]) => ns.length > 0);
    throw new ValueError(
      `Data cardinality is ambiguous. Make sure all arrays contain the same number of samples. ${given.map(([label, ns]) => `'${label}' sizes: ${ns.join(", ")}`).join("; ")}. Received: ${given.map(([label, ns]) => `${label} sizes=${ns.join(", ")}`).join("; ")}`,
    );
  }
  const [n] = sizes;
  return n ?? 0;
}

/** Keras `train_validation_split`: the LAST `validationSplit` fraction of the samples validates. @example const [[xt, yt], [xv, yv]] = trainValidationSplit([x, y], 0.2); */
export function trainValidationSplit<T extends Struct<HostArray> | null>(arrays: T[], validationSplit: number): [T[], T[]] {
  if (!(validationSplit > 0 && validationSplit < 1))
    throw new ValueError(`\`validation_split\` must be between 0 and 1 (exclusive). Received: validation_split=${validationSplit}`);
  const leaves = arrays.flatMap((a) => hostLeaves(a));
  const n = leaves[0]?.length ?? 0;
  const splitAt = Math.floor(n * (1 - validationSplit));
  if (splitAt === 0 || splitAt === n)
    throw new ValueError(
      `Training data contains ${n} samples, which is not sufficient to split it into a validation and training set as specified by \`validation_split=${validationSplit}\`. Either provide more data, or a different value for the \`validation_split\` argument. Received: validation_split=${validationSplit}`,
    );
  const cut = (a: T, s: number, e: number): T => (a === null ? a : (mapStruct(a as Struct<HostArray>, (v) => v instanceof HostArray, (h) => h.slice(s, e)) as T));
  return [arrays.map((a) => cut(a, 0, splitAt)), arrays.map((a) => cut(a, splitAt, n))];
}

export interface ArrayAdapterOptions {
  batchSize: number;
  /** true: a new permutation each epoch; "batch": shuffle batch order and within batches. */
  shuffle?: boolean | "batch";
  seed?: Seed;
}

/**
 * In-memory arrays (Keras `ArrayDataAdapter`): batches of `batchSize` rows, the last one partial.
 * @example const a = new ArrayDataAdapter(xHost, yHost, null, { batchSize: 32, shuffle: true });
 */
export class ArrayDataAdapter implements DataAdapter {
  readonly numSamples: number;
  readonly numBatches: number;
  readonly batchSize: number;
  private readonly rand: () => number;

  constructor(
    readonly x: Struct<HostArray>,
    readonly y: Struct<HostArray> | null,
    readonly sampleWeight: Struct<HostArray> | null,
    readonly options: ArrayAdapterOptions,
  ) {
    if (!Number.isInteger(options.batchSize) || options.batchSize < 1)
      throw new ValueError(`\`batch_size\` must be a positive integer. Received: batch_size=${fmt(options.batchSize)}`);
    this.numSamples = checkDataCardinality(x, y, sampleWeight);
    this.batchSize = options.batchSize;
    this.numBatches = Math.ceil(this.numSamples / this.batchSize);
    this.rand = hostRandom(options.seed ?? null);
  }

  *iterator(): Iterator<Batch> {
    const n = this.numSamples;
    const bs = this.batchSize;
    let order: Int32Array | null = null;
    if (this.options.shuffle === true) {
      order = Int32Array.from({ length: n }, (_, i) => i);
      shuffleInPlace(order, this.rand);
    } else if (this.options.shuffle === "batch") {
      const batches = Int32Array.from({ length: this.numBatches }, (_, i) => i);
      shuffleInPlace(batches, this.rand);
      order = new Int32Array(n);
      let k = 0;
      for (const b of batches) {
        const start = k;
        for (let i = b * bs; i < Math.min(n, (b + 1) * bs); i++) order[k++] = i;
        shuffleInPlace(order, this.rand, start, k);
      }
    }
    const isHost = (v: unknown): boolean => v instanceof HostArray;
    for (let b = 0; b < this.numBatches; b++) {
      const s = b * bs;
      const e = Math.min(n, s + bs);
      const idx = order ? order.subarray(s, e) : null;
      const take = (h: HostArray): HostArray => (idx ? h.gather(idx) : h.slice(s, e));
      yield {
        x: mapStruct(this.x, isHost, take),
        y: this.y === null ? null : mapStruct(this.y, isHost, take),
        sampleWeight: this.sampleWeight === null ? null : mapStruct(this.sampleWeight, isHost, take),
        owned: [],
      };
    }
  }
}

/** Converts the data leaves of a batch structure that are not tensors to HostArrays. */
async function hostify(x: unknown, where: string): Promise<Struct<BatchLeaf>> {
  if (x instanceof Tensor || x instanceof HostArray) return x;
  if (isDataLeaf(x)) return toHostArray(x, where);
  if (Array.isArray(x)) return Promise.all(x.map((v, i) => hostify(v, `${where}[${i}]`)));
  if (x !== null && typeof x === "object")
    return Object.fromEntries(await Promise.all(Object.entries(x).map(async ([k, v]) => [k, await hostify(v, `${where}.${k}`)] as const)));
  throw new ValueError(`${where}: expected array data. Received: ${fmt(x)}`);
}

/** Splits one element of a batch stream into `[x, y, sampleWeight]` (Keras `unpack_x_y_sample_weight`). @example unpackElement([xb, yb], false); // [xb, yb, null] */
export function unpackElement(el: unknown, predict: boolean): [unknown, unknown, unknown] {
  const isTuple = Array.isArray(el) && el.length >= 1 && el.length <= 3 && (!predict || !isNumericNested(el));
  if (isTuple) {
    const [x, y = null, sw = null] = el as unknown[];
    return [x, y, sw];
  }
  if (predict) return [el, null, null];
  throw new ValueError(`Each batch must be [x], [x, y] or [x, y, sampleWeight]. Received: ${fmt(el)}`);
}

/**
 * Iterables / async iterables of batches (Keras' generator and tf.data adapters). Tensors the
 * source yields stay the source's (a generator may free them once it resumes); a `Dataset`
 * hands the tensors it made to the trainer, which frees them after each step.
 * @example const adapter = new IterableDataAdapter(dataset);
 */
export class IterableDataAdapter implements DataAdapter {
  readonly numBatches: number | null = null;

  constructor(
    readonly source: unknown,
    readonly predict = false,
  ) {}

  async *iterator(): AsyncIterator<Batch> {
    const src = this.source;
    let owned: Tensor[] = [];
    let it: AsyncIterator<unknown> | Iterator<unknown>;
    if (src instanceof Dataset) {
      const inner = src.iterateOwned();
      it = {
        next: async () => {
          const r = await inner.next();
          if (r.done) return r;
          owned = r.value.owned;
          return { done: false, value: r.value.element };
        },
      };
    } else if (src !== null && typeof src === "object" && Symbol.asyncIterator in src) it = (src as AsyncIterable<unknown>)[Symbol.asyncIterator]();
    else if (src !== null && typeof src === "object" && Symbol.iterator in src) it = (src as Iterable<unknown>)[Symbol.iterator]();
    else it = src as Iterator<unknown>;
    for (;;) {
      owned = [];
      const r = await it.next();
      if (r.done) return;
      const [x, y, sw] = unpackElement(r.value, this.predict);
      yield {
        x: await hostify(x, "x"),
        y: y === null ? null : await hostify(y, "y"),
        sampleWeight: sw === null ? null : await hostify(sw, "sample_weight"),
        owned,
      };
    }
  }
}

/** Yielded by `EpochIterator.epoch()`: steps `begin..end` (inclusive) and their batches. */
export interface StepGroup {
  begin: number;
  end: number;
  batches: Batch[];
}

/**
 * Walks an adapter epoch by epoch (Keras `EpochIterator`). With `stepsPerEpoch`, one iterator
 * lasts across epochs and is restarted when the data runs out; `stepsPerExecution` batches are
 * handed out together (callbacks see one batch event per group).
 * @example for await (const { begin, end, batches } of new EpochIterator(adapter).epoch()) {}
 */
export class EpochIterator {
  readonly stepsPerEpoch: number | null;
  readonly stepsPerExecution: number;
  private current: AsyncIterator<Batch> | Iterator<Batch> | null = null;
  private stepsSeen = 0;
  private knownBatches: number | null;

  constructor(
    readonly adapter: DataAdapter,
    options: { stepsPerEpoch?: number | null; stepsPerExecution?: number } = {},
  ) {
    this.stepsPerEpoch = options.stepsPerEpoch ?? null;
    this.stepsPerExecution = options.stepsPerExecution ?? 1;
    this.knownBatches = adapter.numBatches;
    if (this.stepsPerEpoch !== null && (!Number.isInteger(this.stepsPerEpoch) || this.stepsPerEpoch < 1))
      throw new ValueError(`\`steps_per_epoch\` must be a positive integer. Received: steps_per_epoch=${this.stepsPerEpoch}`);
    if (!Number.isInteger(this.stepsPerExecution) || this.stepsPerExecution < 1)
      throw new ValueError(`\`steps_per_execution\` must be a positive integer. Received: steps_per_execution=${this.stepsPerExecution}`);
  }

  /** Steps per epoch as callbacks see them (Keras `num_batches`), or null when unknown. */
  get numBatches(): number | null {
    return this.stepsPerEpoch ?? this.knownBatches;
  }

  private interrupted(): void {
    warn(
      "Your input ran out of data; interrupting training. Make sure that your dataset or generator can generate at least `stepsPerEpoch * epochs` batches. You may need to use the `.repeat()` function when building your dataset.",
    );
  }

  /** The step groups of one epoch. */
  async *epoch(): AsyncGenerator<StepGroup> {
    const spx = this.stepsPerExecution;
    const limit = this.stepsPerEpoch ?? this.knownBatches;
    if (this.current === null || this.stepsPerEpoch === null) {
      this.current = this.adapter.iterator();
      this.stepsSeen = 0;
    }
    const it = this.current;
    for (let step = 0; limit === null || step < limit; step += spx) {
      if (this.knownBatches !== null && this.stepsSeen >= this.knownBatches) {
        if (this.stepsPerEpoch !== null) this.interrupted();
        break;
      }
      const want = limit === null ? spx : Math.min(spx, limit - step);
      const batches: Batch[] = [];
      let exhausted = false;
      while (batches.length < want) {
        const r = await it.next();
        if (r.done) {
          exhausted = true;
          break;
        }
        batches.push(r.value);
      }
      this.stepsSeen += batches.length;
      if (batches.length > 0) yield { begin: step, end: step + batches.length - 1, batches };
      if (exhausted) {
        this.knownBatches ??= this.stepsSeen;
        if (this.stepsPerEpoch !== null) this.interrupted();
        this.current = null;
        return;
      }
    }
    if (this.knownBatches !== null && this.stepsSeen >= this.knownBatches) this.current = null;
  }
}
