import { describe, expect, it } from "vitest";
import { LiveChartCallback, metricNames, niceTicks, plotHistory } from "../src/index";

/** Each `wk-series` path: its key, declared point count, and the points in its `d`. */
function series(svg: string) {
  return [
    ...svg.matchAll(
      /<path class="wk-series" data-series="([^"]*)" data-points="(\d+)" d="([^"]*)"/g,
    ),
  ].map((m) => ({
    name: m[1]!,
    points: Number(m[2]),
    d: m[3]!,
    commands: (m[3]!.match(/[ML]/g) ?? []).length,
  }));
}

describe("plotHistory", () => {
  const history = {
    history: {
      loss: [1.2, 0.8, 0.6, 0.5, 0.45],
      accuracy: [0.6, 0.75, 0.82, 0.86, 0.88],
      val_loss: [1.0, 0.85, 0.7, 0.66, 0.65],
      val_accuracy: [0.65, 0.72, 0.8, 0.81, 0.83],
    },
    epoch: [0, 1, 2, 3, 4],
  };

  it("draws a path per series with one point per epoch", () => {
    const svg = plotHistory(history, { width: 600, height: 240 });
    const s = series(svg);
    expect(s.map((x) => x.name).sort()).toEqual(["accuracy", "loss", "val_accuracy", "val_loss"]);
    for (const x of s) {
      expect(x.points).toBe(5);
      expect(x.commands).toBe(5);
    }
    expect(svg).toMatch(/width="600" height="240"/);
    // One panel per metric, loss first.
    expect([...svg.matchAll(/data-metric="([^"]*)"/g)].map((m) => m[1])).toEqual([
      "loss",
      "accuracy",
    ]);
  });

  it("a falling loss is drawn going down the page (SVG y grows downwards)", () => {
    const d = series(plotHistory(history, { metrics: ["loss"] })).find((x) => x.name === "loss")!.d;
    const ys = [...d.matchAll(/[ML][\d.]+,([\d.]+)/g)].map((m) => Number(m[1]));
    for (let i = 1; i < ys.length; i++) expect(ys[i]).toBeGreaterThan(ys[i - 1]!);
  });

  it("metrics picks panels; accepts a plain record; NaN leaves a gap", () => {
    const svg = plotHistory(
      { loss: [1, Number.NaN, 0.5], val_loss: [1.1, 0.9, 0.8] },
      { metrics: ["loss"] },
    );
    const s = series(svg);
    expect(s.find((x) => x.name === "loss")!.points).toBe(2);
    expect(s.find((x) => x.name === "loss")!.d.match(/M/g)).toHaveLength(2);
    expect(s.find((x) => x.name === "val_loss")!.points).toBe(3);
    expect(() => plotHistory({ loss: [1] }, { metrics: ["auc"] })).toThrow(
      /Received: metrics=\["auc"\]/,
    );
  });

  it("metricNames: loss first, val_ twins and learning rate folded away", () => {
    expect(metricNames(["accuracy", "loss", "val_accuracy", "val_loss", "learning_rate"])).toEqual([
      "loss",
      "accuracy",
    ]);
    expect(metricNames(["val_mae"])).toEqual(["mae"]);
  });

  it("niceTicks are round and cover the range", () => {
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0.43, 1.21, 4)).toEqual([0.6, 0.8, 1, 1.2]);
    const t = niceTicks(0.43, 1.21, 4);
    expect(t[0]).toBeGreaterThanOrEqual(0.43);
    expect(t[t.length - 1]).toBeLessThanOrEqual(1.21);
  });
});

describe("LiveChartCallback", () => {
  it("adds a point every updateEvery batches (window means) and validation points per epoch", () => {
    const drawn: string[] = [];
    const cb = new LiveChartCallback((svg) => drawn.push(svg), { updateEvery: 2 });
    cb.setParams({ epochs: 2, steps: 4 });
    cb.onTrainBegin();
    const batchLoss = [
      [4, 2, 1.5, 0.5],
      [1, 1, 0.4, 0.2],
    ];
    for (let epoch = 0; epoch < 2; epoch++) {
      cb.onEpochBegin(epoch);
      let sum = 0;
      for (let b = 0; b < 4; b++) {
        sum += batchLoss[epoch]![b]!;
        const wants = cb.needsBatchLogs("train", b);
        expect(wants).toBe(b % 2 === 1);
        // Keras' batch logs: running means over the epoch so far.
        cb.onTrainBatchEnd(b, wants ? { loss: sum / (b + 1), accuracy: 0.5 } : {});
      }
      cb.onEpochEnd(epoch, {
        loss: sum / 4,
        accuracy: 0.5,
        val_loss: 1 - epoch * 0.5,
        val_accuracy: 0.55,
      });
    }
    // Points at batches 2 and 4 of each epoch, each the mean of the two batches before it.
    expect(cb.points.loss!.x).toEqual([0.5, 1, 1.5, 2]);
    cb.points.loss!.y.forEach((y, i) => expect(y).toBeCloseTo([3, 1, 1, 0.3][i]!));
    expect(cb.points.val_loss!.x).toEqual([1, 2]);
    expect(cb.points.val_loss!.y).toEqual([1, 0.5]);
    expect(drawn.length).toBe(1 + 4 + 2);
    const last = series(drawn[drawn.length - 1]!);
    expect(last.find((s) => s.name === "loss")!.points).toBe(4);
    expect(last.find((s) => s.name === "val_loss")!.points).toBe(2);
    expect(cb.svg).toBe(drawn[drawn.length - 1]);
  });

  it("writes innerHTML of an element-like target; updateEvery 0 asks for no batch logs", () => {
    const el = { innerHTML: "" };
    const cb = new LiveChartCallback(el, { updateEvery: 0 });
    expect(cb.needsBatchLogs("train", 0)).toBe(false);
    cb.onTrainBegin();
    cb.onEpochBegin(0);
    cb.onEpochEnd(0, { loss: 1 });
    expect(cb.points.loss).toEqual({ x: [1], y: [1] }); // no batch points: the epoch's
    expect(el.innerHTML).toContain('class="wk-live-chart"');
    expect(() => new LiveChartCallback(el, { updateEvery: -1 })).toThrow(
      /Received: updateEvery=-1/,
    );
  });
});
