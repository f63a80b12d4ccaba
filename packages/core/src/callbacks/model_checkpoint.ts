/**
 * ModelCheckpoint (Keras `keras/src/callbacks/model_checkpoint.py`): saves the model, or only
 * its weights, during `fit`, every epoch or every `saveFreq` batches, optionally only when the
 * monitored metric improves.
 *
 * Targets: a Node file path (`.keras`, or `.weights.h5` with `saveWeightsOnly`), or
 * `"indexeddb://name"` in a browser. The path may hold Python-style placeholders filled from
 * the epoch and the logs, as in Keras: `"ckpt-{epoch:02d}-{val_loss:.2f}.keras"`.
 *
 * Python reference: https://github.com/keras-team/keras/blob/v3.15.1/keras/src/callbacks/model_checkpoint.py
 */
import { ValueError, fmt } from "../errors";
import { saveModelTo, saveWeights } from "../saving/saving_api";
import type { Logs } from "./callback";
import { printMsg, warn } from "./io";
import { MonitorCallback } from "./monitor_callback";

export interface ModelCheckpointOptions {
  /** The metric to watch for `saveBestOnly` (default "val_loss"). */
  monitor?: string;
  /** 0 silent, 1 prints a line per save. */
  verbose?: number;
  /** Save only when `monitor` improves on the best value so far. */
  saveBestOnly?: boolean;
  /** Save only the weights (a `.weights.h5` file) instead of the whole `.keras` model. */
  saveWeightsOnly?: boolean;
  /** "auto", "min" or "max": whether lower or higher `monitor` values are better. */
  mode?: "auto" | "min" | "max";
  /** "epoch", or save every this many batches. */
  saveFreq?: "epoch" | number;
  /** A value `monitor` must beat before the first save (saveBestOnly). */
  initialValueThreshold?: number | null;
}

/**
 * Formats a Python `str.format` template with named fields: `{epoch}`, `{epoch:02d}`,
 * `{val_loss:.2f}`, `{loss:.3e}`.
 * @example formatPath("m-{epoch:02d}-{loss:.2f}.keras", { epoch: 3, loss: 0.12345 }) // "m-03-0.12.keras"
 */
export function formatPath(template: string, values: Record<string, number>): string {
  return template.replace(/\{([A-Za-z_][A-Za-z0-9_]*)(?::([^}]*))?\}/g, (_m, name: string, spec: string | undefined) => {
    if (!(name in values))
      throw new ValueError(`Failed to format this callback filepath: "${template}". Reason: '${name}' is not in the logs. Received: keys ${Object.keys(values).join(", ")}`);
    const v = values[name]!;
    if (!spec) return Number.isInteger(v) ? String(v) : String(v);
    const m = /^(0)?(\d+)?(?:\.(\d+))?([dfeg%])?$/.exec(spec);
    if (!m) throw new ValueError(`Unsupported format spec in callback filepath: "{${name}:${spec}}". Received: ${spec}`);
    const [, zero, width, precision, type] = m;
    let s: string;
    if (type === "d") s = String(Math.round(v));
    else if (type === "e") s = v.toExponential(precision === undefined ? 6 : Number(precision)).replace(/e([+-])(\d)$/, "e$10$2");
    else if (type === "%") s = `${(v * 100).toFixed(precision === undefined ? 6 : Number(precision))}%`;
    else s = v.toFixed(precision === undefined ? 6 : Number(precision));
    if (width !== undefined) s = s.padStart(Number(width), zero ? "0" : " ");
    return s;
  });
}

/**
 * Saves the model or its weights during training.
 * @example
 * const ckpt = new keras.callbacks.ModelCheckpoint("indexeddb://best-mnist", { saveBestOnly: true });
 * await model.fit(x, y, { epochs: 10, validationSplit: 0.1, callbacks: [ckpt] });
 */
export class ModelCheckpoint extends MonitorCallback {
  readonly filepath: string;
  readonly verbose: number;
  readonly saveBestOnly: boolean;
  readonly saveWeightsOnly: boolean;
  readonly saveFreq: "epoch" | number;
  private batchesSinceSave = 0;
  private lastBatchSeen = 0;
  private currentEpoch = 0;

  constructor(filepath: string, options: ModelCheckpointOptions = {}) {
    super(options.monitor ?? "val_loss", options.mode ?? "auto", 0, "ModelCheckpoint");
    if (typeof filepath !== "string" || filepath.length === 0)
      throw new ValueError(`ModelCheckpoint: \`filepath\` must be a non-empty string. Received: filepath=${fmt(filepath)}`);
    this.filepath = filepath;
    this.verbose = options.verbose ?? 0;
    this.saveBestOnly = options.saveBestOnly ?? false;
    this.saveWeightsOnly = options.saveWeightsOnly ?? false;
    this.saveFreq = options.saveFreq ?? "epoch";
    this.best = options.initialValueThreshold ?? null;
    const idb = filepath.startsWith("indexeddb://");
    if (!idb) {
      if (this.saveWeightsOnly && !filepath.endsWith(".weights.h5"))
        throw new ValueError(
          `When using \`saveWeightsOnly: true\` in \`ModelCheckpoint\`, the filepath provided must end in \`.weights.h5\` (Keras weights format). Received: filepath=${filepath}`,
        );
      if (!this.saveWeightsOnly && !filepath.endsWith(".keras"))
        throw new ValueError(`The filepath provided must end in \`.keras\` (Keras model format). Received: filepath=${filepath}`);
    }
    if (this.saveFreq !== "epoch" && !(Number.isInteger(this.saveFreq) && this.saveFreq > 0))
      throw new ValueError(`Unrecognized save_freq: ${fmt(this.saveFreq)}. Expected save_freq are 'epoch' or integer values. Received: saveFreq=${fmt(this.saveFreq)}`);
  }

  override onEpochBegin(epoch: number): void {
    this.currentEpoch = epoch;
  }

  override onTrainBatchEnd(batch: number, logs?: Logs): Promise<void> | void {
    if (this.shouldSaveOnBatch(batch)) return this.saveModel(this.currentEpoch, batch, logs);
  }

  override async onEpochEnd(epoch: number, logs?: Logs): Promise<void> {
    if (this.monitorOp === null) this.setMonitorOp();
    if (this.saveFreq === "epoch") await this.saveModel(epoch, null, logs);
  }

  override needsBatchLogs(mode: "train" | "test" | "predict", _batch: number): boolean {
    return mode === "train" && this.saveFreq !== "epoch";
  }

  private shouldSaveOnBatch(batch: number): boolean {
    if (this.saveFreq === "epoch") return false;
    const add = batch <= this.lastBatchSeen ? batch + 1 : batch - this.lastBatchSeen;
    this.batchesSinceSave += add;
    this.lastBatchSeen = batch;
    if (this.batchesSinceSave >= this.saveFreq) {
      this.batchesSinceSave = 0;
      return true;
    }
    return false;
  }

  /** The path for this save, placeholders filled (Keras `_get_file_path`). */
  filePath(epoch: number, batch: number | null, logs: Logs = {}): string {
    const values: Record<string, number> = { ...logs, epoch: epoch + 1 };
    if (batch !== null && !("batch" in logs)) values.batch = batch + 1;
    return formatPath(this.filepath, values);
  }

  private shouldSave(epoch: number, logs: Logs, filepath: string): boolean {
    if (!this.saveBestOnly) {
      if (this.verbose > 0) printMsg(`\nEpoch ${epoch + 1}: saving model to ${filepath}`);
      return true;
    }
    const current = logs[this.monitor];
    if (current === undefined || current === null) {
      warn(`Can save best model only with ${this.monitor} available.`);
      return false;
    }
    const bestStr = this.best === null ? "None" : this.best.toFixed(5);
    if (this.isImprovement(current, this.best)) {
      if (this.verbose > 0)
        printMsg(`\nEpoch ${epoch + 1}: ${this.monitor} improved from ${bestStr} to ${current.toFixed(5)}, saving model to ${filepath}`);
      this.best = current;
      return true;
    }
    if (this.verbose > 0) printMsg(`\nEpoch ${epoch + 1}: ${this.monitor} did not improve from ${bestStr}`);
    return false;
  }

  private async saveModel(epoch: number, batch: number | null, logs: Logs = {}): Promise<void> {
    const model = this.model;
    if (!model) return;
    if (this.monitorOp === null && this.saveBestOnly) this.setMonitorOp();
    const filepath = this.filePath(epoch, batch, logs);
    if (!this.shouldSave(epoch, logs, filepath)) return;
    if (this.saveWeightsOnly) await saveWeights(model, filepath);
    else await saveModelTo(model, filepath);
  }
}
