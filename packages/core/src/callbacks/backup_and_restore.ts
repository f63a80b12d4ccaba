/**
 * BackupAndRestore (Keras `keras/src/callbacks/backup_and_restore.py`): backs up the weights,
 * the optimizer state and the epoch during `fit`, and restores them when `fit` starts again
 * after an interruption (a closed tab, a crashed process), so training resumes where the last
 * backup left it.
 *
 * Targets:
 * - a Node directory: `latest.weights.h5` and `training_metadata.json` inside it, as Keras
 *   writes them (each file replaced atomically);
 * - `"indexeddb://key"`: one IndexedDB entry holding both (a zip of the same two files), so the
 *   weights and the epoch are always replaced together.
 *
 * Resuming needs the trainer to start from `model._initialEpoch` when a callback sets it in
 * `onTrainBegin` (Keras: `initial_epoch = self._initial_epoch or initial_epoch`).
 *
 * Python reference: https://github.com/keras-team/keras/blob/v3.15.1/keras/src/callbacks/backup_and_restore.py
 */
import { ValueError, fmt } from "../errors";
import { loadWeights, saveWeights } from "../saving/saving_api";
import { indexedDbName, isNode, nodeFs, writeNodeFile } from "../saving/io";
import { pythonJsonDumps, pythonJsonLoads } from "../saving/python_json";
import { decodeUtf8, encodeUtf8 } from "../saving/text";
import { readZip, writeZip } from "../saving/zip";
import { ModelNotFoundError } from "../saving/errors";
import { Callback, type Logs } from "./callback";

/** Keras `model._initial_epoch`: where the next `fit` starts (null: its `initialEpoch`). */
function setInitialEpoch(model: object, epoch: number | null): void {
  (model as { _initialEpoch?: number | null })._initialEpoch = epoch;
}

export interface BackupAndRestoreOptions {
  /** "epoch", or back up every this many batches. */
  saveFreq?: "epoch" | number;
  /** Delete the backup when training ends normally (default true). */
  deleteCheckpoint?: boolean;
  /** Keep the previous backup too (Node directories), to fall back to if the latest is damaged. */
  doubleCheckpoint?: boolean;
}

interface TrainingMetadata {
  epoch: number;
  batch: number;
}

/**
 * Backs up training state and resumes interrupted training.
 * @example
 * const backup = new keras.callbacks.BackupAndRestore("indexeddb://mnist-backup");
 * await model.fit(x, y, { epochs: 20, callbacks: [backup] }); // resumes after a reload
 */
export class BackupAndRestore extends Callback {
  readonly backupDir: string;
  readonly saveFreq: "epoch" | number;
  readonly deleteCheckpoint: boolean;
  readonly doubleCheckpoint: boolean;
  private batchesSinceSave = 0;
  private lastBatchSeen = 0;
  private currentEpoch = 0;
  private readonly idbKey: string | null;

  constructor(backupDir: string, options: BackupAndRestoreOptions = {}) {
    super();
    if (typeof backupDir !== "string" || backupDir.length === 0)
      throw new ValueError(`Empty \`backup_dir\` argument passed. Received: backupDir=${fmt(backupDir)}`);
    this.backupDir = backupDir.replace(/\/+$/, "");
    this.idbKey = indexedDbName(backupDir);
    this.saveFreq = options.saveFreq ?? "epoch";
    this.deleteCheckpoint = options.deleteCheckpoint ?? true;
    this.doubleCheckpoint = options.doubleCheckpoint ?? false;
    if (this.saveFreq !== "epoch" && !(Number.isInteger(this.saveFreq) && this.saveFreq > 0))
      throw new ValueError(`Invalid value for argument \`save_freq\`. Received: save_freq=${fmt(this.saveFreq)}. Expected either 'epoch' or an integer value.`);
    if (this.idbKey === null && !isNode())
      throw new ValueError(`BackupAndRestore: outside Node, the backup target must be "indexeddb://key". Received: backupDir=${backupDir}`);
  }

  private get weightsPath(): string {
    return `${this.backupDir}/latest.weights.h5`;
  }

  private get metadataPath(): string {
    return `${this.backupDir}/training_metadata.json`;
  }

  override async onTrainBegin(): Promise<void> {
    const model = this.model;
    if (!model) return;
    if (!model.built)
      throw new ValueError(
        `To use the BackupAndRestore callback, you model must be built before you call \`fit()\`. Model ${model.name} is unbuilt. You can build it beforehand by calling it on a batch of data. Received: built=false`,
      );
    const candidates = await this.readBackups();
    if (candidates.length === 0) return;
    const opt = model.compiled?.optimizer;
    // Optimizer variables must exist before their saved values can be loaded.
    if (opt && !opt.built) opt.build(model.trainableWeights);
    let lastError: unknown = null;
    for (const read of candidates) {
      try {
        const backup = await read();
        if (backup.weights) await loadWeights(model, backup.weights);
        if (backup.metadata) setInitialEpoch(model, backup.metadata.epoch);
        return;
      } catch (err) {
        // A damaged latest backup: fall back to the previous one when it was kept.
        lastError = err;
      }
    }
    throw lastError;
  }

  override async onEpochEnd(epoch: number, _logs?: Logs): Promise<void> {
    this.currentEpoch = epoch + 1;
    this.lastBatchSeen = 0;
    if (this.saveFreq === "epoch") await this.save();
  }

  override onTrainBatchEnd(batch: number, _logs?: Logs): Promise<void> | void {
    if (this.saveFreq === "epoch") return;
    const add = batch <= this.lastBatchSeen ? batch + 1 : batch - this.lastBatchSeen;
    this.batchesSinceSave += add;
    this.lastBatchSeen = batch;
    if (this.batchesSinceSave >= this.saveFreq) {
      this.batchesSinceSave = 0;
      return this.save();
    }
  }

  override needsBatchLogs(): boolean {
    return false;
  }

  override async onTrainEnd(): Promise<void> {
    if (this.deleteCheckpoint) await this.deleteBackup();
    if (this.model) setInitialEpoch(this.model, null);
  }

  /** Writes the weights (with optimizer state) and the epoch reached. */
  private async save(): Promise<void> {
    const model = this.model;
    if (!model) return;
    const weights = await saveWeights(model);
    const metadata = encodeUtf8(pythonJsonDumps({ epoch: this.currentEpoch, batch: this.lastBatchSeen } satisfies TrainingMetadata));
    if (this.idbKey !== null) {
      const store = await import("../saving/model_store");
      const bytes = writeZip([
        { name: "latest.weights.h5", data: weights },
        { name: "training_metadata.json", data: metadata },
      ]);
      await store.writeModelBytes(this.idbKey, bytes, { kind: "backup", kerasVersion: null });
      return;
    }
    const fs = await nodeFs();
    await fs.mkdir(this.backupDir, { recursive: true });
    if (this.doubleCheckpoint) {
      for (const p of [this.weightsPath, this.metadataPath]) {
        const prev = await fs.readFile(p).catch(() => null);
        if (prev) await writeNodeFile(`${p}.bkp`, prev);
      }
    }
    await writeNodeFile(this.weightsPath, weights);
    await writeNodeFile(this.metadataPath, metadata);
  }

  /** Loaders of the stored backups, latest first (then the previous one, if kept). */
  private async readBackups(): Promise<(() => Promise<{ weights: Uint8Array | null; metadata: TrainingMetadata | null }>)[]> {
    const parseMeta = (b: Uint8Array): TrainingMetadata => {
      const m = pythonJsonLoads(decodeUtf8(b)) as Partial<TrainingMetadata> | null;
      if (!m || !Number.isInteger(m.epoch) || (m.epoch as number) < 0)
        throw new ValueError(`BackupAndRestore: training_metadata.json has no valid epoch. Received: ${fmt(m)}`);
      return { epoch: m.epoch as number, batch: m.batch ?? 0 };
    };
    if (this.idbKey !== null) {
      const store = await import("../saving/model_store");
      let bytes: Uint8Array;
      try {
        bytes = await store.readModelBytes(this.idbKey);
      } catch (err) {
        if (err instanceof ModelNotFoundError) return [];
        throw err;
      }
      return [
        async () => {
          const zip = readZip(bytes);
          return {
            weights: zip.has("latest.weights.h5") ? zip.read("latest.weights.h5") : null,
            metadata: zip.has("training_metadata.json") ? parseMeta(zip.read("training_metadata.json")) : null,
          };
        },
      ];
    }
    const fs = await nodeFs();
    const read = (p: string): Promise<Uint8Array | null> =>
      fs.readFile(p).then((b) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength)).catch(() => null);
    const out: (() => Promise<{ weights: Uint8Array | null; metadata: TrainingMetadata | null }>)[] = [];
    for (const suffix of ["", ".bkp"]) {
      const weights = await read(this.weightsPath + suffix);
      const meta = await read(this.metadataPath + suffix);
      if (weights || meta) out.push(async () => ({ weights, metadata: meta ? parseMeta(meta) : null }));
    }
    return out;
  }

  private async deleteBackup(): Promise<void> {
    if (this.idbKey !== null) {
      const store = await import("../saving/model_store");
      await store.removeModel(this.idbKey).catch((err: unknown) => {
        if (!(err instanceof ModelNotFoundError)) throw err;
      });
      return;
    }
    const fs = await nodeFs();
    await fs.rm(this.backupDir, { force: true, recursive: true });
  }
}
