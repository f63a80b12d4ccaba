/**
 * Callbacks: the order of hooks in fit / evaluate / predict, History, EarlyStopping,
 * ReduceLROnPlateau, LearningRateScheduler, TerminateOnNaN, CSVLogger (sink and file),
 * LambdaCallback, and the Keras progress bar format.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import "../src/index";
import {
  CSVLogger,
  Callback,
  EarlyStopping,
  History,
  LambdaCallback,
  LearningRateScheduler,
  Progbar,
  ProgbarLogger,
  ReduceLROnPlateau,
  TerminateOnNaN,
  type Logs,
} from "../src/callbacks/index";
import { Dense } from "../src/layers/core/dense";
import { Input } from "../src/layers/core/input_layer";
import { Sequential } from "../src/models/sequential";
import { SGD } from "../src/optimizers/sgd";
import { setRandomSeed } from "../src/random/seed_generator";

/** 1 -> 1 linear model and y = 2x data: training moves the kernel towards 2. */
function linearSetup(lr = 0.05) {
  const model = new Sequential([Input([1]), new Dense(1, { useBias: false, kernelInitializer: "zeros" })]);
  model.compile({ optimizer: new SGD({ learningRate: lr }), loss: "mse", metrics: ["mae"] });
  const x = [[1], [2], [3], [4]];
  const y = [2, 4, 6, 8];
  return { model, x, y };
}

class Recorder extends Callback {
  events: string[] = [];
  override onTrainBegin() {
    this.events.push("train_begin");
  }
  override onTrainEnd() {
    this.events.push("train_end");
  }
  override onEpochBegin(e: number) {
    this.events.push(`epoch_begin ${e}`);
  }
  override onEpochEnd(e: number, logs?: Logs) {
    this.events.push(`epoch_end ${e} ${Object.keys(logs ?? {}).join(",")}`);
  }
  override onTrainBatchBegin(b: number) {
    this.events.push(`train_batch_begin ${b}`);
  }
  override onTrainBatchEnd(b: number, logs?: Logs) {
    this.events.push(`train_batch_end ${b} ${Object.keys(logs ?? {}).join(",")}`);
  }
  override onTestBegin() {
    this.events.push("test_begin");
  }
  override onTestEnd(logs?: Logs) {
    this.events.push(`test_end ${Object.keys(logs ?? {}).join(",")}`);
  }
  override onTestBatchBegin(b: number) {
    this.events.push(`test_batch_begin ${b}`);
  }
  override onTestBatchEnd(b: number) {
    this.events.push(`test_batch_end ${b}`);
  }
  override onPredictBegin() {
    this.events.push("predict_begin");
  }
  override onPredictEnd() {
    this.events.push("predict_end");
  }
  override onPredictBatchBegin(b: number) {
    this.events.push(`predict_batch_begin ${b}`);
  }
  override onPredictBatchEnd(b: number, logs?: Logs | { outputs: unknown }) {
    this.events.push(`predict_batch_end ${b} ${Object.keys(logs ?? {}).join(",")}`);
  }
}

/** Overwrites logs[key] with a scripted value per epoch (runs before the callbacks after it). */
class Script extends Callback {
  constructor(
    private readonly key: string,
    private readonly values: number[],
  ) {
    super();
  }
  override onEpochEnd(epoch: number, logs: Logs = {}) {
    logs[this.key] = this.values[epoch]!;
  }
}

describe("callback order", () => {
  it("fit with validation calls the hooks in Keras' order", async () => {
    const { model, x, y } = linearSetup();
    const rec = new Recorder();
    await model.fit(x, y, { epochs: 2, batchSize: 2, validationData: [x.slice(0, 2), y.slice(0, 2)], validationBatchSize: 1, verbose: 0, callbacks: [rec] });
    const epoch = (e: number) => [
      `epoch_begin ${e}`,
      "train_batch_begin 0",
      "train_batch_end 0 loss,mae",
      "train_batch_begin 1",
      "train_batch_end 1 loss,mae",
      "test_begin",
      "test_batch_begin 0",
      "test_batch_end 0",
      "test_batch_begin 1",
      "test_batch_end 1",
      "test_end loss,mae",
      `epoch_end ${e} loss,mae,val_loss,val_mae`,
    ];
    expect(rec.events).toEqual(["train_begin", ...epoch(0), ...epoch(1), "train_end"]);
    expect(rec.model).toBe(model);
    expect(rec.params).toEqual({ verbose: 0, epochs: 2, steps: 2 });
  });

  it("evaluate and predict", async () => {
    const { model, x, y } = linearSetup();
    const rec = new Recorder();
    await model.evaluate(x, y, { batchSize: 3, verbose: 0, callbacks: [rec] });
    const p = await model.predict(x, { batchSize: 3, verbose: 0, callbacks: [rec] });
    p.dispose();
    expect(rec.events).toEqual([
      "test_begin",
      "test_batch_begin 0",
      "test_batch_end 0",
      "test_batch_begin 1",
      "test_batch_end 1",
      "test_end loss,mae",
      "predict_begin",
      "predict_batch_begin 0",
      "predict_batch_end 0 outputs",
      "predict_batch_begin 1",
      "predict_batch_end 1 outputs",
      "predict_end",
    ]);
  });

  it("batch logs are read only for callbacks that want them", async () => {
    const { model, x, y } = linearSetup();
    const seen: Logs[] = [];
    class Quiet extends Callback {
      override needsBatchLogs() {
        return false;
      }
      override onTrainBatchEnd(_b: number, logs?: Logs) {
        seen.push(logs ?? {});
      }
    }
    await model.fit(x, y, { epochs: 1, batchSize: 2, verbose: 0, callbacks: [new Quiet()] });
    expect(seen).toEqual([{}, {}]);
  });

  it("async hooks are awaited", async () => {
    const { model, x, y } = linearSetup();
    const order: string[] = [];
    const cb = new LambdaCallback({
      onEpochEnd: async (e) => {
        await new Promise((r) => setTimeout(r, 5));
        order.push(`end ${e}`);
      },
      onEpochBegin: (e) => void order.push(`begin ${e}`),
    });
    await model.fit(x, y, { epochs: 2, verbose: 0, callbacks: [cb] });
    expect(order).toEqual(["begin 0", "end 0", "begin 1", "end 1"]);
  });

  it("a History passed in is the one fit returns", async () => {
    const { model, x, y } = linearSetup();
    const h = new History();
    const out = await model.fit(x, y, { epochs: 2, verbose: 0, callbacks: [h] });
    expect(out).toBe(h);
    expect(h.history.loss!.length).toBe(2);
  });
});

describe("EarlyStopping", () => {
  it("stops after `patience` epochs without improvement and restores the best weights", async () => {
    const { model, x, y } = linearSetup(0.01);
    const weights: number[] = [];
    const snapshot = new LambdaCallback({ onEpochEnd: async () => void weights.push((await model.getWeights())[0]![0]!) });
    // val_loss: best at epoch 1, then worse: with patience 2 training stops at epoch 3.
    const stop = new EarlyStopping({ monitor: "val_loss", patience: 2, restoreBestWeights: true });
    const h = await model.fit(x, y, {
      epochs: 10,
      verbose: 0,
      validationData: [x, y],
      callbacks: [snapshot, new Script("val_loss", [1.0, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1, 1, 1]), stop],
    });
    expect(h.history.loss!.length).toBe(4);
    expect(stop.stoppedEpoch).toBe(3);
    expect(stop.bestEpoch).toBe(1);
    expect(weights[3]).not.toBeCloseTo(weights[1]!, 6);
    expect((await model.getWeights())[0]![0]).toBeCloseTo(weights[1]!, 7);
  });

  it("mode auto: accuracy is maximized, and minDelta / baseline count", async () => {
    const { model, x, y } = linearSetup();
    model.compile({ optimizer: "sgd", loss: "mse", metrics: ["accuracy"] });
    const stop = new EarlyStopping({ monitor: "accuracy", patience: 1, minDelta: 0.1 });
    const h = await model.fit(x, y, { epochs: 10, verbose: 0, callbacks: [new Script("accuracy", [0.5, 0.55, 0.58, 0.9, 0.95]), stop] });
    // 0.55 and 0.58 are not 0.1 better than 0.5: wait reaches 1 at epoch 1.
    expect(h.history.loss!.length).toBe(2);
    const base = new EarlyStopping({ monitor: "loss", patience: 3, baseline: 0.1 });
    const h2 = await model.fit(x, y, { epochs: 10, verbose: 0, callbacks: [new Script("loss", [5, 4, 4, 4, 4, 4, 4, 4, 4, 4]), base] });
    // Never beating the baseline, `wait` is not reset by improvements: it stops at epoch 2.
    expect(h2.history.loss!.length).toBe(3);
  });

  it("an unknown metric direction needs a mode", async () => {
    const { model, x, y } = linearSetup();
    await expect(model.fit(x, y, { epochs: 2, verbose: 0, callbacks: [new EarlyStopping({ monitor: "custom" })] })).rejects.toThrow(
      /isn't able to automatically determine whether that metric should be maximized or minimized/,
    );
  });
});

describe("learning rate callbacks", () => {
  it("ReduceLROnPlateau divides the learning rate on a plateau and logs it", async () => {
    const { model, x, y } = linearSetup(0.1);
    const reduce = new ReduceLROnPlateau({ monitor: "val_loss", factor: 0.5, patience: 1, minLr: 0.02 });
    const h = await model.fit(x, y, { epochs: 5, verbose: 0, validationData: [x, y], callbacks: [new Script("val_loss", [1, 1, 1, 1, 1]), reduce] });
    // Logged before reducing: 0.1, then 0.1 (wait 1 -> reduce to 0.05), 0.05 -> 0.025, 0.025 -> 0.02, 0.02.
    expect(h.history.learning_rate!.map((v) => Number(v.toPrecision(6)))).toEqual([0.1, 0.1, 0.05, 0.025, 0.02]);
    expect(model.optimizer!.learningRateValue()).toBeCloseTo(0.02, 7);
    expect(() => new ReduceLROnPlateau({ factor: 1 })).toThrow(/factor >= 1.0/);
  });

  it("LearningRateScheduler sets the rate at each epoch begin", async () => {
    const { model, x, y } = linearSetup(0.1);
    const seen: number[] = [];
    const sched = new LearningRateScheduler((epoch, lr) => (epoch === 0 ? lr : lr / 2));
    const probe = new LambdaCallback({ onEpochBegin: () => void seen.push(model.optimizer!.learningRateValue()) });
    const h = await model.fit(x, y, { epochs: 3, verbose: 0, callbacks: [sched, probe] });
    expect(seen.map((v) => Number(v.toPrecision(6)))).toEqual([0.1, 0.05, 0.025]);
    expect(h.history.learning_rate!.length).toBe(3);
    const bad = new LearningRateScheduler(() => "x" as unknown as number);
    await expect(model.fit(x, y, { epochs: 1, verbose: 0, callbacks: [bad] })).rejects.toThrow(/should be a float/);
  });
});

describe("TerminateOnNaN", () => {
  it("stops at the first batch whose loss is NaN", async () => {
    const { model, y } = linearSetup();
    const x = [[NaN], [1], [2], [3]];
    const batches: number[] = [];
    const h = await model.fit(x, y, {
      epochs: 3,
      batchSize: 1,
      shuffle: false,
      verbose: 0,
      callbacks: [new TerminateOnNaN(), new LambdaCallback({ onTrainBatchEnd: (b) => void batches.push(b) })],
    });
    expect(batches).toEqual([0]);
    expect(h.history.loss!.length).toBe(1);
    expect(Number.isNaN(h.history.loss![0])).toBe(true);
  });
});

describe("CSVLogger", () => {
  it("writes Keras' CSV (sorted keys, \\r\\n, epoch first) to a sink", async () => {
    const { model, x, y } = linearSetup();
    let text = "";
    const h = await model.fit(x, y, { epochs: 2, verbose: 0, validationData: [x, y], callbacks: [new CSVLogger((t) => void (text += t))] });
    const lines = text.split("\r\n");
    expect(lines[0]).toBe("epoch,loss,mae,val_loss,val_mae");
    expect(lines.length).toBe(4);
    expect(lines[3]).toBe("");
    const row1 = lines[2]!.split(",");
    expect(row1[0]).toBe("1");
    expect(Number(row1[1])).toBe(h.history.loss![1]);
    expect(Number(row1[4])).toBe(h.history.val_mae![1]);
  });

  it("writes a file in Node; append keeps one header; the separator is configurable", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "csvlogger-"));
    const file = path.join(dir, "log.csv");
    const { model, x, y } = linearSetup();
    await model.fit(x, y, { epochs: 2, verbose: 0, callbacks: [new CSVLogger(file, { separator: ";" })] });
    await model.fit(x, y, { epochs: 1, verbose: 0, callbacks: [new CSVLogger(file, { separator: ";", append: true })] });
    const lines = readFileSync(file, "utf8").split("\r\n");
    // Without validation the header still lists val_ columns (Keras), filled with NA.
    expect(lines[0]).toBe("epoch;loss;mae;val_loss;val_mae");
    expect(lines.length).toBe(5);
    expect(lines[1]!.startsWith("0;")).toBe(true);
    expect(lines[3]!.startsWith("0;")).toBe(true);
    expect(lines[3]!.endsWith(";NA;NA")).toBe(true);
    writeFileSync(file, "");
    await model.fit(x, y, { epochs: 1, verbose: 0, callbacks: [new CSVLogger(file, { append: true })] });
    expect(readFileSync(file, "utf8").startsWith("epoch,loss")).toBe(true);
  });
});

describe("progress bar", () => {
  // eslint-disable-next-line no-control-regex -- ANSI colour codes
  const strip = (s: string) => s.replace(/\x1b\[\d+m/g, "");
  /** A logged value: Python's %.4f, or %.4e for tiny values. */
  const N = String.raw`-?\d+\.\d{4}(?:e[+-]\d\d)?`;
  const T = String.raw`\d+s \d+(?:ms|us|s)\/step`;

  it("ProgbarLogger writes Keras' format", async () => {
    setRandomSeed(1);
    const { model, x, y } = linearSetup();
    let out = "";
    await model.fit(x, y, { epochs: 2, batchSize: 2, callbacks: [new ProgbarLogger({ write: (s) => void (out += s), interval: 0 })] });
    const text = strip(out);
    expect(text.startsWith("Epoch 1/2\n")).toBe(true);
    expect(text).toContain("\nEpoch 2/2\n");
    // In-place updates with \r, one finished line per epoch:
    expect(text).toMatch(new RegExp(String.raw`\r1/2 ━{20} ${T} - loss: ${N} - mae: ${N}`));
    const finals = text.match(new RegExp(String.raw`\r2/2 ━{20} ${T} - loss: ${N} - mae: ${N} *\n`, "g"));
    expect(finals?.length).toBe(2);
  });

  it("evaluate shows a bar; validation inside fit is silent; predict has no metrics", async () => {
    const { model, x, y } = linearSetup();
    let out = "";
    const write = (s: string) => void (out += s);
    await model.evaluate(x, y, { batchSize: 4, callbacks: [new ProgbarLogger({ write })] });
    // The last batch draws the bar, then the end of the loop draws it final (as Keras does).
    expect(strip(out)).toMatch(new RegExp(String.raw`^\r1/1 ━{20} ${T} - loss: ${N} - mae: ${N} *\r1/1 ━{20} ${T} - loss: ${N} - mae: ${N} *\n$`));
    out = "";
    await model.fit(x, y, { epochs: 1, validationData: [x, y], callbacks: [new ProgbarLogger({ write })] });
    expect(strip(out).match(/\n/g)?.length).toBe(1);
    expect(strip(out)).toMatch(new RegExp(String.raw`val_loss: ${N} - val_mae: ${N} *\n$`));
    out = "";
    (await model.predict(x, { callbacks: [new ProgbarLogger({ write })] })).dispose();
    expect(strip(out)).toMatch(new RegExp(String.raw`^\r1/1 ━{20} ${T} *\r1/1 ━{20} ${T} *\n$`));
  });

  it("Progbar: colours, ETA, number formats, unknown target, element output", () => {
    let out = "";
    const bar = new Progbar(250, { write: (s) => void (out += s), colors: true, interval: 0, statefulMetrics: "all" });
    bar.update(25, [["accuracy", 0.8], ["loss", 0.00001234]]);
    // 25/250 of 20 columns: 2 green, 18 grey; bold count and ETA ("12s", or "1:02" past a
    // minute, as Keras formats it: the ETA depends on how long this busy machine took).
    // eslint-disable-next-line no-control-regex -- ANSI colour codes
    expect(out).toMatch(/^\r\x1b\[1m 25\/250\x1b\[0m \x1b\[32m━━\x1b\[0m\x1b\[37m━{18}\x1b\[0m \x1b\[1m(\d+s|\d+:\d\d(:\d\d)?)\x1b\[0m \d+(ms|us|s)\/step - accuracy: 0\.8000 - loss: 1\.2340e-05$/);
    let plain = "";
    const unknown = new Progbar(null, { write: (s) => void (plain += s), interval: 0 });
    unknown.update(3, [["loss", 2]]);
    expect(plain).toMatch(/^\r {6}3\/Unknown \d+s \d+(ms|us|s)\/step - loss: 2\.0000$/);
    // Stateless metrics (the default) are averaged over updates, weighted by steps, as in Keras.
    let avg = "";
    const averaging = new Progbar(10, { write: (s) => void (avg += s), interval: 0 });
    averaging.update(1, [["loss", 1]]);
    averaging.update(3, [["loss", 4]]);
    expect(avg).toMatch(/loss: 3\.0000$/);
    const el = { textContent: "" as string | null };
    const eb = new Progbar(2, { element: el, interval: 0 });
    eb.print("Epoch 1/1");
    eb.update(1, [["loss", 1]]);
    eb.update(2, [["loss", 0.5]]);
    expect(el.textContent).toMatch(/^Epoch 1\/1\n2\/2 ━{20} \d+s \d+(ms|us|s)\/step - loss: 0\.5000$/);
  });

  it("verbose 2 prints one line per epoch", () => {
    let out = "";
    const bar = new Progbar(4, { verbose: 2, write: (s) => void (out += s) });
    bar.update(2, [["loss", 1]]);
    bar.update(4, [["loss", 0.5]], true);
    expect(out).toMatch(/^4\/4 - \d+s - \d+(ms|us|s)\/step - loss: 0\.5000\n$/);
  });
});
