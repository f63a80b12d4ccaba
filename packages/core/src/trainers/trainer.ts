/**
 * The training loop (Keras `keras/src/trainers/trainer.py` and the per-backend `train_step` /
 * `test_step` / `predict_step`): `compile`, `fit`, `evaluate`, `predict` and the `*OnBatch`
 * variants. `Model` delegates to these functions; this module imports only types from
 * `models/`, since `models/model.ts` imports it.
 *
 * Browser-minded choices:
 * - Every loop is async and yields to the event loop between steps (see event_loop.ts).
 * - Nothing is read back from the device per step unless a callback asks for batch logs
 *   (`Callback.needsBatchLogs`; the progress bar asks at most every 100 ms). Metrics accumulate
 *   on the device; logs are read once per epoch.
 * - Each step runs in one `tidy` scope, so a step leaves behind only updated Variables.
 */
import { ValueError, fmt } from "../errors";
import { valueAndGrad, noGrad } from "../autodiff/grad";
import { tidy } from "../engine/engine";
import * as lax from "../primitives/lax";
import { Tensor } from "../tensor/tensor";
import type { DType } from "../tensor/dtype";
import { KerasTensor } from "../symbolic/keras_tensor";
import * as ops from "../ops/index";
import * as optimizers from "../optimizers/index";
import type { Optimizer } from "../optimizers/optimizer";
import { Mean } from "../metrics/reduction_metrics";
import type { Metric } from "../metrics/metric";
import { serializeKerasObject } from "../saving/serialization";
import type { Model } from "../models/model";
import type { LayerIO } from "../layers/layer";
import type { Callback, Logs } from "../callbacks/callback";
import { CallbackList } from "../callbacks/callback_list";
import { History as HistoryCallback } from "../callbacks/history";
import { warn } from "../callbacks/io";
import { CompileLoss, CompileMetrics, validateLossSpec } from "./compile_utils";
import { yieldToEventLoop } from "./event_loop";
import {
  ArrayDataAdapter,
  EpochIterator,
  IterableDataAdapter,
  checkDataCardinality,
  isBatchLeaf,
  isBatchStream,
  trainValidationSplit,
  type Batch,
  type BatchLeaf,
  type DataAdapter,
} from "./data/data_adapter";
import { HostArray, flattenStruct, isDataLeaf, isPlainObject, mapStruct, toHostArray, type Struct } from "./data/host_array";

/** `fit` returns the History callback (`history.history.loss`, ...). */
export type History = HistoryCallback;

/**
 * Data `fit` / `evaluate` / `predict` accept: a Tensor, a typed array (flat: reshaped to the
 * model's input shape), a nested array of numbers, `{ data, shape }`, a list or dict of those
 * (multi-input / multi-output models), or an (async) iterable of batches / a `Dataset`.
 */
export type DataInput = unknown;

/** `compile` options (Keras `Model.compile` arguments, camelCase). */
export interface CompileConfig {
  /** Name ("adam"), instance, or serialized dict. Default "rmsprop". */
  optimizer?: Optimizer | string | { class_name: string; [k: string]: unknown };
  /** Name, Loss, function (yTrue, yPred) => Tensor, or a list / dict of them per output. */
  loss?: unknown;
  /** Per-output weights of the losses (number, list or dict). */
  lossWeights?: number | number[] | Record<string, number> | null;
  /** List of metrics (or per-output lists / dict). "accuracy" / "acc" pick the right accuracy. */
  metrics?: unknown[] | Record<string, unknown> | null;
  /** Like `metrics`, but updated with the sample weights. */
  weightedMetrics?: unknown[] | Record<string, unknown> | null;
  /** Recorded for fidelity: webkeras always runs steps eagerly. */
  runEagerly?: boolean;
  /** Steps run between two callback batch events / event-loop yields. Default 1. */
  stepsPerExecution?: number;
  /** Recorded in the compile config ("auto" resolves to true, as on Keras' JAX / numpy backends). */
  jitCompile?: boolean | "auto";
  /** Accepted for Keras compatibility (no float16 training here). */
  autoScaleLoss?: boolean;
}

/** `fit` options (Keras `Model.fit` arguments, camelCase). */
export interface FitOptions {
  /** Default 32 (arrays only; streams are already batched). */
  batchSize?: number | null;
  epochs?: number;
  /** 0 silent, 1 progress bar, 2 one line per epoch; "auto" = 1. */
  verbose?: number | "auto";
  callbacks?: Callback[];
  /** Fraction of the (array) data held out for validation: the LAST samples, as in Keras. */
  validationSplit?: number;
  /** `[xVal, yVal]`, `[xVal, yVal, sampleWeightVal]`, or a stream of batches. */
  validationData?: unknown;
  /** true, false or "batch". Default true (arrays). */
  shuffle?: boolean | "batch";
  /** Class index -> weight; scales each sample's loss. */
  classWeight?: Record<number | string, number> | null;
  /** One weight per sample (or per output). */
  sampleWeight?: DataInput;
  initialEpoch?: number;
  stepsPerEpoch?: number | null;
  validationSteps?: number | null;
  validationBatchSize?: number | null;
  /** Validate every n epochs, or at the listed (1-based) epochs. Default 1. */
  validationFreq?: number | number[];
}

/** `evaluate` options. */
export interface EvaluateOptions {
  batchSize?: number | null;
  verbose?: number | "auto";
  sampleWeight?: DataInput;
  steps?: number | null;
  callbacks?: Callback[];
  /** Return `{ loss, accuracy, ... }` instead of a list (or a scalar when there is only the loss). */
  returnDict?: boolean;
}

/** `predict` options. */
export interface PredictOptions {
  batchSize?: number | null;
  verbose?: number | "auto";
  steps?: number | null;
  callbacks?: Callback[];
}

/** `trainOnBatch` / `testOnBatch` options. */
export interface BatchOptions {
  sampleWeight?: DataInput;
  /** trainOnBatch only. */
  classWeight?: Record<number | string, number> | null;
  returnDict?: boolean;
}

/**
 * What `compile` stores on the model (`model.compiled`). `compileConfig` is Keras'
 * `compile_config` (serialized when read, as Keras serializes it when saving).
 * @example model.compile({ loss: "mse" }); model.compiled!.compileConfig.loss; // "mse"
 */
export class CompiledState {
  readonly lossTracker = new Mean({ name: "loss" });
  history: History | null = null;
  /** Set by callbacks to end `evaluate` / `predict` early (Keras `stop_evaluating` / `stop_predicting`). */
  stopEvaluating = false;
  stopPredicting = false;

  constructor(
    readonly optimizer: Optimizer,
    readonly loss: unknown,
    readonly metrics: unknown,
    readonly lossWeights: unknown,
    readonly weightedMetrics: unknown,
    readonly compileLoss: CompileLoss | null,
    readonly compileMetrics: CompileMetrics | null,
    readonly runEagerly: boolean,
    readonly stepsPerExecution: number,
    readonly jitCompile: boolean,
  ) {}

  /** Keras `model.get_compile_config()`, in Keras' key order. */
  get compileConfig(): Record<string, unknown> {
    return {
      optimizer: serializeKerasObject(this.optimizer),
      loss: serializeKerasObject(this.loss ?? null),
      loss_weights: serializeKerasObject(this.lossWeights ?? null),
      metrics: serializeKerasObject(this.metrics ?? null),
      weighted_metrics: serializeKerasObject(this.weightedMetrics ?? null),
      run_eagerly: this.runEagerly,
      steps_per_execution: this.stepsPerExecution,
      jit_compile: this.jitCompile,
    };
  }

  /** Every metric, in Keras `model.metrics` order: loss tracker, compiled metrics, per-output losses. */
  get allMetrics(): Metric[] {
    return [this.lossTracker, ...(this.compileMetrics?.metrics ?? []), ...(this.compileLoss?.metrics ?? [])];
  }

  /** `[log name, metric]` in Keras order. */
  namedMetrics(): [string, Metric][] {
    return [
      ["loss", this.lossTracker],
      ...(this.compileMetrics?.namedMetrics() ?? []),
      ...(this.compileLoss?.metrics.map((m) => [m.name, m] as [string, Metric]) ?? []),
    ];
  }

  resetMetrics(): void {
    for (const m of this.allMetrics) m.resetState();
  }
}

/**
 * Configures the model for training (Keras `Model.compile`).
 * @example model.compile({ optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"] });
 */
export function compile(model: Model, config: CompileConfig = {}): void {
  const optimizer = optimizers.get(config.optimizer ?? "rmsprop");
  const loss = config.loss ?? null;
  if (loss !== null) validateLossSpec(loss);
  const compileLoss = loss !== null ? new CompileLoss(loss, config.lossWeights ?? null) : null;
  const metrics = config.metrics ?? null;
  const weighted = config.weightedMetrics ?? null;
  const compileMetrics = metrics !== null || weighted !== null ? new CompileMetrics(metrics, weighted) : null;
  const runEagerly = config.runEagerly ?? false;
  let jit = config.jitCompile ?? "auto";
  if (jit === "auto") jit = !runEagerly;
  if (jit && runEagerly) jit = false;
  const spx = config.stepsPerExecution ?? 1;
  if (!Number.isInteger(spx) || spx < 1) throw new ValueError(`\`steps_per_execution\` must be a positive integer. Received: steps_per_execution=${fmt(spx)}`);
  model.compiled = new CompiledState(optimizer, loss, metrics, config.lossWeights ?? null, weighted, compileLoss, compileMetrics, runEagerly, spx, jit);
  model.stopTraining = false;
}

function requireCompiled(model: Model, method: string): CompiledState {
  const s = model.compiled;
  if (!s) throw new ValueError(`You must call \`compile()\` before using the model (${method}). Received: model "${model.name}" is not compiled`);
  return s;
}

// ---------------------------------------------------------------------------------------------
// Inputs and outputs of the model

/** Names of a graph model's outputs (their layers' names), or null for subclassed models. */
function graphOutputNames(model: Model): string[] | null {
  const outs = model.outputs;
  if (!outs) return null;
  return outs.map((t, i) => t.kerasHistory?.node.operation.name ?? `output_${i}`);
}

/** Flattens model outputs: a dict output's keys name the outputs (sorted for subclassed models, as Keras' tree does). */
function flattenOutputs(model: Model, yPred: unknown): { flat: Tensor[]; names: string[] | null } {
  if (yPred instanceof Tensor) return { flat: [yPred], names: graphOutputNames(model) };
  if (isPlainObject(yPred)) {
    const keys = model.outputs ? Object.keys(yPred) : Object.keys(yPred).sort();
    return { flat: keys.map((k) => yPred[k] as Tensor), names: keys };
  }
  const flat = flattenStruct(yPred as Struct<Tensor>, (v) => v instanceof Tensor);
  return { flat, names: graphOutputNames(model) };
}

/** Aligns targets / sample weights with the flat outputs: a leaf (for all / the one output), a list, or a dict by name. */
function alignToOutputs<T>(value: Struct<T> | null, n: number, names: readonly string[] | null, what: string, broadcastLeaf: boolean): (T | null)[] {
  if (value === null || value === undefined) return Array.from({ length: n }, () => null);
  if (isBatchLeaf(value)) {
    if (n === 1 || broadcastLeaf) return Array.from({ length: n }, () => value as T);
    throw new ValueError(`The model has ${n} outputs, so \`${what}\` must be a list or a dict of ${n} arrays. Received: one array`);
  }
  if (Array.isArray(value)) {
    if (value.length !== n)
      throw new ValueError(`The model has ${n} output(s), so \`${what}\` must have ${n} entries. Received: a list of ${value.length}`);
    return value as (T | null)[];
  }
  if (isPlainObject(value)) {
    if (!names) throw new ValueError(`\`${what}\` can be a dict only for a model with named outputs. Received: keys ${Object.keys(value).join(", ")}`);
    for (const k of Object.keys(value))
      if (!names.includes(k))
        throw new ValueError(`\`${what}\` has key '${k}', which is not an output of the model. Outputs: ${names.join(", ")}. Received: keys ${Object.keys(value).join(", ")}`);
    return names.map((k) => (k in value ? (value[k] as T) : null));
  }
  throw new ValueError(`Could not interpret \`${what}\`. Received: ${fmt(value)}`);
}

/** A graph model's input specs (shape and dtype), in input order. */
function inputSpecs(model: Model): KerasTensor[] | null {
  return model.inputs;
}

/** Keras `_adjust_input_rank`: adds or drops a trailing size-1 axis to match the input spec. */
function adjustedShape(shape: readonly number[], spec: readonly (number | null)[]): number[] | null {
  if (shape.length === spec.length - 1 && spec[spec.length - 1] === 1) return [...shape, 1];
  if (shape.length === spec.length + 1 && shape[shape.length - 1] === 1) return shape.slice(0, -1);
  return null;
}

/** Orders a dict of inputs by the model's input names (graph models); other structures pass. */
function orderInputs<T>(model: Model, x: Struct<T>): Struct<T> {
  const specs = inputSpecs(model);
  if (!specs || !isPlainObject(x)) return x;
  const keys = Object.keys(x);
  const names = specs.map((s) => s.name);
  if (names.every((n) => keys.includes(n))) {
    const list = names.map((n) => x[n] as Struct<T>);
    return specs.length === 1 ? list[0]! : list;
  }
  return x;
}

/**
 * Converts user data for one role to HostArrays. `x` leaves are cast to the inputs' dtypes and
 * flat typed arrays are reshaped to the input shape; `y` flat typed arrays of `n * k` values
 * become `[n, k]`.
 */
async function toHostStruct(model: Model, value: unknown, role: "x" | "y" | "sample_weight", numSamples: number | null): Promise<Struct<HostArray>> {
  const specs = role === "x" ? inputSpecs(model) : null;
  const outs = model.outputs;
  const expected = role === "x" ? (specs?.length ?? 1) : (outs?.length ?? 1);
  const convert = async (v: unknown, where: string, index: number): Promise<HostArray> => {
    const rawFlat = ArrayBuffer.isView(v);
    const spec = specs?.[index];
    let h = await toHostArray(v, where, role === "x" && spec ? (spec.dtype as DType) : role === "sample_weight" ? "float32" : undefined);
    if (role === "x" && spec) {
      const rest = spec.shape.slice(1);
      if (rawFlat && rest.length > 0 && rest.every((d) => d !== null)) {
        const per = (rest as number[]).reduce((a, b) => a * b, 1);
        if (h.data.length % per !== 0)
          throw new ValueError(
            `Input "${spec.name}" expects samples of shape ${fmt(rest)} (${per} values each), but the flat array has ${h.data.length} values. Received: length=${h.data.length}`,
          );
        h = h.reshape([h.data.length / per, ...(rest as number[])]);
      } else {
        const adj = adjustedShape(h.shape, spec.shape);
        if (adj) h = h.reshape(adj);
      }
    } else if (role === "y" && rawFlat && numSamples !== null && numSamples > 0 && h.data.length !== numSamples && h.data.length % numSamples === 0) {
      h = h.reshape([numSamples, h.data.length / numSamples]);
    }
    return h;
  };
  if (isDataLeaf(value) && !(expected > 1 && Array.isArray(value) && value.length === expected)) return convert(value, role, 0);
  if (Array.isArray(value)) return Promise.all(value.map((v, i) => (isDataLeaf(v) ? convert(v, `${role}[${i}]`, i) : toHostStruct(model, v, role, numSamples))));
  if (isPlainObject(value)) {
    const ordered = role === "x" ? orderInputs(model, value as Struct<unknown>) : value;
    if (ordered !== value) return toHostStruct(model, ordered, role, numSamples);
    const entries = await Promise.all(Object.entries(value).map(async ([k, v]) => [k, await convert(v, `${role}.${k}`, 0)] as const));
    return Object.fromEntries(entries);
  }
  throw new ValueError(`Could not interpret \`${role}\`: expected a Tensor, a typed array, a nested array, { data, shape }, or a list / dict of those. Received: ${fmt(value)}`);
}

/** Tensors for one batch (host data is uploaded in the current scope; x is rank-adjusted). */
function materialize(model: Model, batch: Batch): { x: unknown; y: Struct<Tensor> | null; sw: Struct<Tensor> | null; batchSize: number } {
  const up = (l: BatchLeaf): Tensor => (l instanceof HostArray ? l.toTensor() : l);
  const specs = inputSpecs(model);
  let k = 0;
  const x = mapStruct(orderInputs(model, batch.x), isBatchLeaf, (l: BatchLeaf) => {
    let t = up(l);
    const spec = specs?.[k++];
    if (spec) {
      const adj = adjustedShape(t.shape, spec.shape);
      if (adj) t = lax.reshape(t, adj);
      if (spec.dtype !== t.dtype && spec.dtype === "float32") t = lax.cast(t, "float32");
    }
    return t;
  });
  const first = flattenStruct(x as Struct<Tensor>, (v) => v instanceof Tensor)[0];
  return {
    x,
    y: batch.y === null ? null : mapStruct(batch.y, isBatchLeaf, up),
    sw: batch.sampleWeight === null ? null : mapStruct(batch.sampleWeight, isBatchLeaf, up),
    batchSize: first?.shape[0] ?? 0,
  };
}

/** Keras `class_weight_to_sample_weights`, on the device: weight of argmax / rounded label. */
function classWeightsFor(y: Tensor, classWeight: Record<number | string, number>): Tensor {
  const keys = Object.keys(classWeight).map(Number);
  if (keys.some((k) => !Number.isInteger(k) || k < 0))
    throw new ValueError(`\`class_weight\` keys must be non-negative class indices. Received: class_weight=${fmt(classWeight)}`);
  const size = Math.max(...keys) + 1;
  const table = Array.from({ length: size }, (_, i) => classWeight[i] ?? 1);
  let idx: Tensor;
  if (y.shape.length > 1 && y.shape[y.shape.length - 1] !== 1) idx = ops.argmax(y, -1);
  else idx = lax.cast(ops.round(y.shape.length > 1 ? ops.squeeze(y, -1) : y), "int32");
  const inRange = lax.logicalAnd(lax.greaterEqual(idx, 0), lax.less(idx, size));
  const safe = lax.where(inRange, idx, 0);
  const w = ops.take(lax.constant(table, [size], "float32"), safe);
  return lax.where(inRange, w, lax.scalar(1, "float32"));
}

/** Models without a graph (subclassed, or Sequential without Input) get their weights from one dry forward pass before training (Keras `_symbolic_build`). */
const dryRun = new WeakSet<Model>();
function ensureBuilt(model: Model, batch: Batch): void {
  if ((model.built && model.inputs !== null) || dryRun.has(model)) return;
  dryRun.add(model);
  noGrad(() =>
    tidy(() => {
      const { x } = materialize(model, batch);
      model.apply(x, { training: false });
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// Steps

interface StepContext {
  classWeight?: Record<number | string, number> | null;
}

/** Keras `compute_loss`: compiled loss plus the model's added / regularization losses. */
function computeLoss(
  model: Model,
  state: CompiledState,
  yPred: unknown,
  y: Struct<Tensor> | null,
  sw: Struct<Tensor> | null,
): { total: Tensor; values: (Tensor | null)[]; flat: Tensor[]; names: string[] | null; yTrue: (Tensor | null)[]; sws: (Tensor | null)[] } {
  const { flat, names } = flattenOutputs(model, yPred);
  const yTrue = alignToOutputs<Tensor>(y, flat.length, names, "y", false);
  const sws = alignToOutputs<Tensor>(sw, flat.length, names, "sample_weight", true);
  const parts: Tensor[] = [];
  let values: (Tensor | null)[] = [];
  if (state.compileLoss) {
    if (y === null) throw new ValueError("The model was compiled with a loss, but no targets (y) were given. Received: y=None");
    const r = state.compileLoss.call(yTrue, flat, sws, names);
    values = r.values;
    if (r.total) parts.push(r.total);
  }
  for (const l of model.losses) parts.push(lax.cast(lax.sum(l, l.shape.map((_, i) => i)), "float32"));
  if (parts.length === 0) throw new ValueError("No loss to compute. Provide a `loss` argument in `compile()`. Received: loss=None");
  const total = parts.reduce((a, b) => lax.add(a, b));
  return { total, values, flat, names, yTrue, sws };
}

function withClassWeight(y: Struct<Tensor> | null, sw: Struct<Tensor> | null, classWeight: StepContext["classWeight"]): Struct<Tensor> | null {
  if (!classWeight) return sw;
  if (sw !== null) throw new ValueError(`You cannot \`class_weight\` and \`sample_weight\` at the same time. Received: class_weight=${fmt(classWeight)}`);
  if (!(y instanceof Tensor)) throw new ValueError("`class_weight` is only supported for Models with a single output. Received: several targets");
  return classWeightsFor(y, classWeight);
}

let warnedNoWeights = false;

/** One optimization step on one batch (Keras `train_step`). */
function trainStep(model: Model, state: CompiledState, batch: Batch, ctx: StepContext): void {
  ensureBuilt(model, batch);
  try {
    tidy(() => {
      const { x, y, sw: sw0, batchSize } = materialize(model, batch);
      const sw = withClassWeight(y, sw0, ctx.classWeight);
      const vars = model.trainableWeights;
      let r: ReturnType<typeof computeLoss>;
      if (vars.length === 0) {
        if (!warnedNoWeights) warn("The model does not have any trainable weights.");
        warnedNoWeights = true;
        r = noGrad(() => computeLoss(model, state, model.apply(x, { training: true }), y, sw));
      } else {
        const [, grads, aux] = valueAndGrad(
          (_values: Tensor[]) => {
            const out = computeLoss(model, state, model.apply(x, { training: true }), y, sw);
            return [state.optimizer.scaleLoss(out.total), out];
          },
          { hasAux: true },
        )(vars.map((v) => v.value));
        r = aux as ReturnType<typeof computeLoss>;
        state.optimizer.apply(grads as Tensor[], vars);
      }
      updateMetrics(state, r, batchSize);
    });
  } finally {
    for (const t of batch.owned) t.dispose();
  }
}

function updateMetrics(state: CompiledState, r: ReturnType<typeof computeLoss>, batchSize: number): void {
  state.lossTracker.updateState(r.total, batchSize);
  state.compileLoss?.updateTrackers(r.values, batchSize);
  state.compileMetrics?.updateState(r.yTrue, r.flat, r.sws, r.names);
}

/** One evaluation step (Keras `test_step`). */
function testStep(model: Model, state: CompiledState, batch: Batch): void {
  try {
    noGrad(() =>
      tidy(() => {
        const { x, y, sw, batchSize } = materialize(model, batch);
        const r = computeLoss(model, state, model.apply(x, { training: false }), y, sw);
        updateMetrics(state, r, batchSize);
      }),
    );
  } finally {
    for (const t of batch.owned) t.dispose();
  }
}

/** One inference step (Keras `predict_step`): the outputs, which the caller owns. */
function predictStep(model: Model, batch: Batch): unknown {
  try {
    return noGrad(() =>
      tidy(() => {
        const { x } = materialize(model, batch);
        return model.apply(x, { training: false });
      }),
    );
  } finally {
    for (const t of batch.owned) t.dispose();
  }
}

// ---------------------------------------------------------------------------------------------
// Logs

/**
 * Reads the metrics back (one device read for all of them). Keys are sorted, as Keras 3's logs
 * come out of its compiled train function (`accuracy`, `loss`, ...).
 */
async function readLogs(state: CompiledState): Promise<Logs> {
  const named = state.namedMetrics();
  const tensors = named.map(([, m]) => m.result());
  try {
    const values = await Promise.all(tensors.map((t) => t.data()));
    const out: Record<string, number> = {};
    const pairs = named.map(([name], i) => [name, values[i]!.length === 1 ? Number(values[i]![0]) : (Array.from(values[i]!) as unknown as number)] as const);
    for (const [k, v] of [...pairs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) out[k] = v;
    return out;
  } finally {
    for (const t of tensors) t.dispose();
  }
}

/** Keras `_flatten_metrics_in_order`: values in `metricsNames` order, then other keys sorted; one value alone is returned bare. */
function flattenMetricsInOrder(state: CompiledState, logs: Logs): number | number[] {
  const names = state.namedMetrics().map(([n]) => n);
  const out: number[] = [];
  for (const n of names) if (n in logs) out.push(logs[n]!);
  for (const k of Object.keys(logs).sort()) if (!names.includes(k)) out.push(logs[k]!);
  return out.length === 1 ? out[0]! : out;
}

/** Log names in Keras `metrics_names` order (flattened): "loss", then the compiled metrics. @example metricsNames(model); // ["loss", "accuracy"] */
export function metricsNames(model: Model): string[] {
  return model.compiled ? model.compiled.namedMetrics().map(([n]) => n) : [];
}

/** Metric objects (Keras `model.metrics`): loss tracker, compiled metrics, per-output loss trackers. @example getMetrics(model).map((m) => m.name); */
export function getMetrics(model: Model): Metric[] {
  return model.compiled?.allMetrics ?? [];
}

/** Resets every metric of a compiled model (Keras `model.reset_metrics()`). @example resetMetrics(model); */
export function resetMetrics(model: Model): void {
  model.compiled?.resetMetrics();
}

/** Keras `get_compile_config`: the compile arguments, serialized (null when not compiled). @example getCompileConfig(model)?.optimizer; */
export function getCompileConfig(model: Model): Record<string, unknown> | null {
  return model.compiled?.compileConfig ?? null;
}

// ---------------------------------------------------------------------------------------------
// Data

interface AdapterOptions {
  batchSize: number | null | undefined;
  shuffle: boolean | "batch";
  method: string;
  predict?: boolean;
}

/** An adapter for user data: arrays (with y / sample weights), or a stream of batches. */
async function makeAdapter(model: Model, x: unknown, y: unknown, sampleWeight: unknown, o: AdapterOptions): Promise<DataAdapter> {
  if (isBatchStream(x)) {
    if (y !== undefined && y !== null)
      throw new ValueError(`${o.method}: when \`x\` is a dataset or generator, \`y\` should not be passed; the targets should be part of each batch. Received: y=${fmt(y)}`);
    if (sampleWeight !== undefined && sampleWeight !== null)
      throw new ValueError(`${o.method}: when \`x\` is a dataset or generator, \`sample_weight\` should not be passed; sample weights should be part of each batch. Received: sample_weight=${fmt(sampleWeight)}`);
    return new IterableDataAdapter(x, o.predict ?? false);
  }
  const hx = await toHostStruct(model, x, "x", null);
  const n = flattenStruct(hx, (v) => v instanceof HostArray)[0]?.length ?? null;
  const hy = y === undefined || y === null ? null : await toHostStruct(model, y, "y", n);
  const hsw = sampleWeight === undefined || sampleWeight === null ? null : await toHostStruct(model, sampleWeight, "sample_weight", n);
  return new ArrayDataAdapter(hx, hy, hsw, { batchSize: o.batchSize ?? 32, shuffle: o.shuffle });
}

function normalizeVerbose(v: number | "auto" | undefined): number {
  return v === undefined || v === "auto" ? 1 : v;
}

function shouldEval(epoch: number, freq: number | number[]): boolean {
  const e = epoch + 1;
  if (typeof freq === "number") {
    if (!Number.isInteger(freq) || freq < 1) throw new ValueError(`\`validation_freq\` must be a positive integer or a list of epochs. Received: validation_freq=${fmt(freq)}`);
    return e % freq === 0;
  }
  if (Array.isArray(freq)) return freq.includes(e);
  throw new ValueError(`Expected \`validation_freq\` to be a list or int. Received: validation_freq=${fmt(freq)}`);
}

// ---------------------------------------------------------------------------------------------
// Loops

async function testLoop(model: Model, state: CompiledState, iterator: EpochIterator, callbacks: CallbackList): Promise<Logs> {
  state.stopEvaluating = false;
  await callbacks.onTestBegin();
  state.resetMetrics();
  for await (const group of iterator.epoch()) {
    await callbacks.onTestBatchBegin(group.begin);
    for (const b of group.batches) testStep(model, state, b);
    const logs = callbacks.needsBatchLogs("test", group.end) ? await readLogs(state) : {};
    await callbacks.onTestBatchEnd(group.end, logs);
    if (state.stopEvaluating) break;
    await yieldToEventLoop();
  }
  const logs = await readLogs(state);
  await callbacks.onTestEnd(logs);
  return logs;
}

/**
 * Trains the model (Keras `Model.fit`). Returns the History callback.
 * @example
 * const history = await model.fit(x, y, { epochs: 5, batchSize: 64, validationSplit: 0.1 });
 * console.log(history.history.loss, history.history.val_accuracy);
 */
export async function fit(model: Model, x: DataInput, y?: DataInput, options: FitOptions = {}): Promise<History> {
  const state = requireCompiled(model, "fit");
  const epochs = options.epochs ?? 1;
  const initialEpoch = options.initialEpoch ?? 0;
  const verbose = normalizeVerbose(options.verbose);
  const batchSize = options.batchSize ?? null;
  if (batchSize !== null && (!Number.isInteger(batchSize) || batchSize < 1))
    throw new ValueError(`\`batch_size\` must be a positive integer. Received: batch_size=${fmt(batchSize)}`);
  const classWeight = options.classWeight ?? null;
  if (classWeight && options.sampleWeight !== undefined && options.sampleWeight !== null)
    throw new ValueError(`You cannot \`class_weight\` and \`sample_weight\` at the same time. Received: class_weight=${fmt(classWeight)}`);
  if (classWeight && (model.outputs?.length ?? 1) > 1)
    throw new ValueError(`\`class_weight\` is only supported for Models with a single output. Received: ${model.outputs!.length} outputs`);

  let trainAdapter: DataAdapter;
  let valAdapter: DataAdapter | null = null;
  const valBatchSize = options.validationBatchSize ?? batchSize;
  const shuffle = options.shuffle ?? true;
  if (options.validationData !== undefined && options.validationData !== null) {
    trainAdapter = await makeAdapter(model, x, y, options.sampleWeight, { batchSize, shuffle, method: "fit" });
    const vd = options.validationData;
    if (isBatchStream(vd)) valAdapter = new IterableDataAdapter(vd);
    else {
      if (!Array.isArray(vd) || vd.length < 2 || vd.length > 3)
        throw new ValueError(
          `When passing a \`validation_data\` argument, it must contain either 2 items (x_val, y_val), or 3 items (x_val, y_val, val_sample_weights), or alternatively it could be a dataset or a generator. Received: validation_data=${fmt(vd)}`,
        );
      valAdapter = await makeAdapter(model, vd[0], vd[1], vd[2] ?? null, { batchSize: valBatchSize, shuffle: false, method: "fit" });
    }
  } else if (options.validationSplit) {
    if (isBatchStream(x))
      throw new ValueError(`\`validation_split\` is only supported for Tensors or arrays, not for datasets or generators. Received: x=${fmt(x)}`);
    const hx = await toHostStruct(model, x, "x", null);
    const n = flattenStruct(hx, (v) => v instanceof HostArray)[0]?.length ?? null;
    const hy = y === undefined || y === null ? null : await toHostStruct(model, y, "y", n);
    const hsw = options.sampleWeight === undefined || options.sampleWeight === null ? null : await toHostStruct(model, options.sampleWeight, "sample_weight", n);
    checkDataCardinality(hx, hy, hsw);
    const [train, val] = trainValidationSplit([hx, hy, hsw], options.validationSplit);
    trainAdapter = new ArrayDataAdapter(train[0]!, train[1]!, train[2]!, { batchSize: batchSize ?? 32, shuffle });
    valAdapter = new ArrayDataAdapter(val[0]!, val[1]!, val[2]!, { batchSize: valBatchSize ?? 32, shuffle: false });
  } else trainAdapter = await makeAdapter(model, x, y, options.sampleWeight, { batchSize, shuffle, method: "fit" });

  const epochIterator = new EpochIterator(trainAdapter, { stepsPerEpoch: options.stepsPerEpoch ?? null, stepsPerExecution: state.stepsPerExecution });
  const valIterator = valAdapter
    ? new EpochIterator(valAdapter, { stepsPerEpoch: options.validationSteps ?? null, stepsPerExecution: state.stepsPerExecution })
    : null;
  const callbacks = new CallbackList(options.callbacks ?? [], {
    addHistory: true,
    addProgbar: verbose !== 0,
    model,
    params: { verbose, epochs, steps: epochIterator.numBatches },
  });
  state.history = callbacks.history;
  const validationFreq = options.validationFreq ?? 1;
  const ctx: StepContext = { classWeight };

  model.stopTraining = false;
  await callbacks.onTrainBegin();
  // Keras `initial_epoch = self._initial_epoch or initial_epoch`: BackupAndRestore sets it in
  // on_train_begin to resume interrupted training.
  const startEpoch = (model as { _initialEpoch?: number | null })._initialEpoch || initialEpoch;
  let trainingLogs: Logs | undefined;
  for (let epoch = startEpoch; epoch < epochs; epoch++) {
    state.resetMetrics();
    await callbacks.onEpochBegin(epoch);
    for await (const group of epochIterator.epoch()) {
      await callbacks.onTrainBatchBegin(group.begin);
      for (const b of group.batches) trainStep(model, state, b, ctx);
      const logs = callbacks.needsBatchLogs("train", group.end) ? await readLogs(state) : {};
      await callbacks.onTrainBatchEnd(group.end, logs);
      if (model.stopTraining) break;
      await yieldToEventLoop();
    }
    const epochLogs = await readLogs(state);
    if (valIterator && shouldEval(epoch, validationFreq)) {
      const valLogs = await testLoop(model, state, valIterator, callbacks);
      for (const [k, v] of Object.entries(valLogs)) epochLogs[`val_${k}`] = v;
    }
    await callbacks.onEpochEnd(epoch, epochLogs);
    trainingLogs = epochLogs;
    if (model.stopTraining) break;
  }
  if (epochs > 0) state.optimizer.finalizeVariableValues(model.trainableWeights);
  await callbacks.onTrainEnd(trainingLogs);
  return callbacks.history!;
}

/**
 * Evaluates the model (Keras `Model.evaluate`): the loss alone when there are no metrics, else
 * `[loss, ...metrics]`, or a dict with `returnDict`.
 * @example const [loss, acc] = await model.evaluate(xTest, yTest);
 */
export async function evaluate(model: Model, x: DataInput, y?: DataInput, options: EvaluateOptions = {}): Promise<number | number[] | Logs> {
  const state = requireCompiled(model, "evaluate");
  const verbose = normalizeVerbose(options.verbose);
  const adapter = await makeAdapter(model, x, y, options.sampleWeight, { batchSize: options.batchSize, shuffle: false, method: "evaluate" });
  const iterator = new EpochIterator(adapter, { stepsPerEpoch: options.steps ?? null, stepsPerExecution: state.stepsPerExecution });
  const callbacks = new CallbackList(options.callbacks ?? [], {
    addProgbar: verbose !== 0,
    model,
    params: { verbose, epochs: 1, steps: iterator.numBatches },
  });
  const logs = await testLoop(model, state, iterator, callbacks);
  return options.returnDict ? logs : flattenMetricsInOrder(state, logs);
}

/** Concatenates per-batch outputs (structures of tensors) along the batch axis, freeing the parts. */
function concatOutputs(outputs: unknown[]): unknown {
  const first = outputs[0];
  const parts = outputs.map((o) => flattenStruct(o as Struct<Tensor>, (v) => v instanceof Tensor));
  const merged = parts[0]!.map((_, j) => {
    const column = parts.map((p) => p[j]!);
    return column.length === 1 ? column[0]! : lax.concat(column, 0);
  });
  if (parts.length > 1) for (const p of parts) for (const t of p) t.dispose();
  let k = 0;
  return mapStruct(first as Struct<Tensor>, (v) => v instanceof Tensor, () => merged[k++]!);
}

/**
 * Runs the model in inference mode over `x` in batches (Keras `Model.predict`) and returns the
 * outputs concatenated (a Tensor, or the model's structure of them), which the caller owns.
 * @example const probs = await model.predict(xTest, { batchSize: 256 });
 */
export async function predict(model: Model, x: DataInput, options: PredictOptions = {}): Promise<LayerIO> {
  const verbose = normalizeVerbose(options.verbose);
  const adapter = await makeAdapter(model, x, null, null, { batchSize: options.batchSize, shuffle: false, method: "predict", predict: true });
  const iterator = new EpochIterator(adapter, { stepsPerEpoch: options.steps ?? null, stepsPerExecution: model.compiled?.stepsPerExecution ?? 1 });
  const callbacks = new CallbackList(options.callbacks ?? [], {
    addProgbar: verbose !== 0,
    model,
    params: { verbose, epochs: 1, steps: iterator.numBatches },
  });
  const state = model.compiled;
  if (state) state.stopPredicting = false;
  const outputs: unknown[] = [];
  try {
    await callbacks.onPredictBegin();
    for await (const group of iterator.epoch()) {
      await callbacks.onPredictBatchBegin(group.begin);
      const batchOutputs = group.batches.map((b) => predictStep(model, b));
      outputs.push(...batchOutputs);
      await callbacks.onPredictBatchEnd(group.end, { outputs: batchOutputs.length === 1 ? batchOutputs[0] : batchOutputs });
      if (state?.stopPredicting) break;
      await yieldToEventLoop();
    }
    await callbacks.onPredictEnd();
  } catch (err) {
    for (const o of outputs) for (const t of flattenStruct(o as Struct<Tensor>, (v) => v instanceof Tensor)) t.dispose();
    throw err;
  }
  if (outputs.length === 0)
    throw new ValueError("Unexpected result of `predict`: no batches were produced (empty input). Received: 0 batches");
  return concatOutputs(outputs);
}

/** A single batch from user data: tensors stay on the device; other data is converted. */
async function singleBatch(model: Model, x: unknown, y: unknown, sampleWeight: unknown): Promise<Batch> {
  const conv = async (v: unknown, role: "x" | "y" | "sample_weight"): Promise<Struct<BatchLeaf> | null> => {
    if (v === undefined || v === null) return null;
    if (v instanceof Tensor) return v;
    if (Array.isArray(v) && v.some((e) => e instanceof Tensor)) return Promise.all(v.map((e) => (e instanceof Tensor ? e : toHostStruct(model, e, role, null)))) as Promise<Struct<BatchLeaf>>;
    if (isPlainObject(v) && Object.values(v).some((e) => e instanceof Tensor))
      return Object.fromEntries(await Promise.all(Object.entries(v).map(async ([k, e]) => [k, e instanceof Tensor ? e : await toHostStruct(model, e, role, null)] as const)));
    return toHostStruct(model, v, role, null);
  };
  const bx = (await conv(x, "x"))!;
  const n = flattenStruct(bx, isBatchLeaf)[0]?.shape[0] ?? null;
  const by = await conv(y, "y");
  const fixY = (h: Struct<BatchLeaf> | null): Struct<BatchLeaf> | null =>
    h instanceof HostArray && n !== null && h.shape.length === 1 && h.data.length !== n && h.data.length % n === 0 ? h.reshape([n, h.data.length / n]) : h;
  const bsw = await conv(sampleWeight, "sample_weight");
  const batch: Batch = { x: bx, y: fixY(by), sampleWeight: bsw, owned: [] };
  checkDataCardinality(bx as Struct<HostArray>, batch.y as Struct<HostArray> | null, bsw as Struct<HostArray> | null);
  return batch;
}

/**
 * One training step on one batch (Keras `train_on_batch`); metrics keep accumulating across calls.
 * @example const [loss, acc] = await model.trainOnBatch(xb, yb);
 */
export async function trainOnBatch(model: Model, x: DataInput, y?: DataInput, options: BatchOptions = {}): Promise<number | number[] | Logs> {
  const state = requireCompiled(model, "trainOnBatch");
  if (options.classWeight && options.sampleWeight !== undefined && options.sampleWeight !== null)
    throw new ValueError(
      `Arguments \`sample_weight\` and \`class_weight\` cannot be specified at the same time. Received: sample_weight=${fmt(options.sampleWeight)}, class_weight=${fmt(options.classWeight)}`,
    );
  const batch = await singleBatch(model, x, y, options.sampleWeight);
  trainStep(model, state, batch, { classWeight: options.classWeight ?? null });
  const logs = await readLogs(state);
  return options.returnDict ? logs : flattenMetricsInOrder(state, logs);
}

/**
 * One evaluation step on one batch (Keras `test_on_batch`).
 * @example const loss = await model.testOnBatch(xb, yb);
 */
export async function testOnBatch(model: Model, x: DataInput, y?: DataInput, options: BatchOptions = {}): Promise<number | number[] | Logs> {
  const state = requireCompiled(model, "testOnBatch");
  const batch = await singleBatch(model, x, y, options.sampleWeight);
  testStep(model, state, batch);
  const logs = await readLogs(state);
  return options.returnDict ? logs : flattenMetricsInOrder(state, logs);
}

/**
 * Inference on one batch (Keras `predict_on_batch`); the caller owns the result.
 * @example const y = await model.predictOnBatch(xb);
 */
export async function predictOnBatch(model: Model, x: DataInput): Promise<LayerIO> {
  const batch = await singleBatch(model, x, null, null);
  return predictStep(model, batch);
}
