/**
 * Model: a Layer with training (compile / fit / evaluate / predict) and inspection (summary,
 * getLayer). Subclass it and implement `call`, or build a Functional model with
 * `new keras.Model({ inputs, outputs })` (which returns a Functional), or use Sequential.
 */
import { ValueError, fmt } from "../errors";
import type { KerasTensor } from "../symbolic/keras_tensor";
import type { Tensor } from "../tensor/tensor";
import { Layer, type CallArgs, type LayerIO, type LayerOptions } from "../layers/layer";
import * as trainer from "../trainers/trainer";
import type { Optimizer } from "../optimizers/optimizer";
import type { Metric } from "../metrics/metric";
import { summaryText, type SummaryOptions } from "./summary";

export interface ModelOptions extends LayerOptions {
  /** Functional API: the model's inputs (a KerasTensor or a structure of them). */
  inputs?: unknown;
  /** Functional API: the model's outputs. */
  outputs?: unknown;
}

/** Set by functional.ts; lets `new Model({ inputs, outputs })` return a Functional. */
export const modelHooks: { makeFunctional: ((options: ModelOptions) => Model) | null } = { makeFunctional: null };

export class Model extends Layer {
  static override className = "Model";
  /** Set by callbacks (EarlyStopping, TerminateOnNaN) to end `fit` after the current batch. */
  stopTraining = false;
  /** Filled by `compile` (the trainer's state). */
  compiled: trainer.CompiledState | null = null;

  constructor(options: ModelOptions = {}) {
    super(options);
    if (options.inputs !== undefined || options.outputs !== undefined) {
      if (new.target !== Model)
        throw new ValueError(`${new.target.className}: inputs/outputs are only for keras.Model itself; a subclass implements call(). Received: inputs and outputs`);
      if (!modelHooks.makeFunctional) throw new ValueError("Model: the Functional API is not loaded. Received: inputs and outputs");
      return modelHooks.makeFunctional(options);
    }
  }

  call(_inputs: LayerIO, _args: CallArgs): LayerIO {
    throw new ValueError(`Model "${this.name}": subclasses of Model must implement call(). Received: ${this.className}`);
  }

  /** Layers of the model, in Keras order. Subclassed models: the tracked sub-layers. */
  get layers(): Layer[] {
    return this.subLayers;
  }

  /**
   * A layer by name or index.
   * @example model.getLayer("dense_1")
   */
  getLayer(nameOrIndex: string | number): Layer {
    const layers = this.layers;
    if (typeof nameOrIndex === "number") {
      const l = layers[nameOrIndex];
      if (!l) throw new ValueError(`getLayer: index ${nameOrIndex} is out of range for ${layers.length} layers. Received: index=${nameOrIndex}`);
      return l;
    }
    const l = layers.find((x) => x.name === nameOrIndex);
    if (!l)
      throw new ValueError(`getLayer: no layer named "${nameOrIndex}". Layers: ${layers.map((x) => x.name).join(", ")}. Received: name=${fmt(nameOrIndex)}`);
    return l;
  }

  /** Configures training. @example model.compile({ optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"] }) */
  compile(config: trainer.CompileConfig = {}): void {
    trainer.compile(this, config);
  }

  /** Trains the model. @example const history = await model.fit(x, y, { epochs: 5, batchSize: 32 }); */
  fit(x: trainer.DataInput, y?: trainer.DataInput, options?: trainer.FitOptions): Promise<trainer.History> {
    return trainer.fit(this, x, y, options);
  }

  /** Loss and metrics on data. @example const [loss, acc] = await model.evaluate(xTest, yTest); */
  evaluate(x: trainer.DataInput, y?: trainer.DataInput, options?: trainer.EvaluateOptions): Promise<LayerIO> {
    return trainer.evaluate(this, x, y, options);
  }

  /** Outputs for data, in batches. @example const probs = await model.predict(xTest); */
  predict(x: trainer.DataInput, options?: trainer.PredictOptions): Promise<LayerIO> {
    return trainer.predict(this, x, options);
  }

  /** One training step. @example const [loss, acc] = await model.trainOnBatch(xb, yb); */
  trainOnBatch(x: trainer.DataInput, y?: trainer.DataInput, options?: trainer.BatchOptions): Promise<LayerIO> {
    return trainer.trainOnBatch(this, x, y, options);
  }

  /** One evaluation step. @example const loss = await model.testOnBatch(xb, yb); */
  testOnBatch(x: trainer.DataInput, y?: trainer.DataInput, options?: trainer.BatchOptions): Promise<LayerIO> {
    return trainer.testOnBatch(this, x, y, options);
  }

  /** Inference on one batch. @example const y = await model.predictOnBatch(xb); */
  predictOnBatch(x: trainer.DataInput): Promise<LayerIO> {
    return trainer.predictOnBatch(this, x);
  }

  /** The optimizer given to `compile` (Keras `model.optimizer`), or null before compiling. */
  get optimizer(): Optimizer | null {
    return this.compiled?.optimizer ?? null;
  }

  /** The `loss` given to `compile` (Keras `model.loss`). */
  get loss(): unknown {
    return this.compiled?.loss ?? null;
  }

  /** Log names in order: "loss", then the compiled metrics (e.g. ["loss", "accuracy"]). */
  get metricsNames(): string[] {
    return trainer.metricsNames(this);
  }

  /** Metric objects (Keras `model.metrics`): the loss tracker, compiled metrics, per-output losses. */
  get metrics(): Metric[] {
    return trainer.getMetrics(this);
  }

  /** The History of the last `fit` (Keras `model.history`). */
  get history(): trainer.History | null {
    return this.compiled?.history ?? null;
  }

  /** Resets the compiled metrics (Keras `model.reset_metrics()`). */
  resetMetrics(): void {
    trainer.resetMetrics(this);
  }

  /** Keras `get_compile_config()`: the compile arguments, serialized; null when not compiled. */
  getCompileConfig(): Record<string, unknown> | null {
    return trainer.getCompileConfig(this);
  }

  /**
   * Prints (and returns) Keras' summary table.
   * @example model.summary();
   */
  summary(options: SummaryOptions = {}): string {
    const text = summaryText(this, options);
    const log = (globalThis as { console?: { log(s: string): void } }).console?.log;
    (options.printFn ?? ((t: string) => log?.(t.replace(/\n$/, ""))))(text);
    return text;
  }

  /** Symbolic inputs / outputs (Functional and built Sequential models). */
  get inputs(): KerasTensor[] | null {
    return null;
  }
  get outputs(): KerasTensor[] | null {
    return null;
  }

  /** Calls the model on concrete tensors in inference mode (`model(x)` in Keras). */
  callEager(x: Tensor | Tensor[], args: CallArgs = {}): LayerIO {
    return this.apply(x, { training: false, ...args });
  }
}
