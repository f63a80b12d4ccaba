/**
 * Learning-rate schedules against Keras 3.15.1: every entry of
 * shared/keras-format/numerics/schedules.json (one test per entry) is deserialized from its
 * `serialized` form, its config and serialization compared, and its value checked at every
 * recorded step. Then step types, errors and a schedule driving an optimizer.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import "../src/backend/cpu/index";
import { memory, tidy } from "../src/engine/engine";
import * as lax from "../src/primitives/lax";
import type { Tensor } from "../src/tensor/tensor";
import { Variable } from "../src/variables/variable";
import { ValueError } from "../src/errors";
import * as optimizers from "../src/optimizers/index";
import { expectAllclose } from "./utils";

const { schedules } = optimizers;

interface Entry {
  name: string;
  class_name: string;
  config: Record<string, unknown>;
  serialized: Record<string, unknown> & { class_name: string };
  lr: number[];
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const numerics = path.resolve(repoRoot, "../shared/keras-format/numerics");
const file = JSON.parse(readFileSync(path.join(numerics, "schedules.json"), "utf8")) as {
  steps: number[];
  schedules: Entry[];
};

const TOL = { atol: 1e-5, rtol: 1e-5 };

describe("schedules.json (Keras 3.15.1)", () => {
  it("holds entries", () => {
    expect(file.schedules.length).toBeGreaterThan(0);
  });

  for (const entry of file.schedules) {
    it(`${entry.name}: config, serialization and values`, () => {
      const s = schedules.deserialize(structuredClone(entry.serialized));
      expect(s.className).toBe(entry.class_name);
      expect(s.getConfig()).toEqual(entry.config);
      expect(schedules.serialize(s)).toEqual(entry.serialized);
      file.steps.forEach((step, i) => {
        const got = tidy(() => {
          const t = s.call(step);
          expect(t.dtype).toBe("float32");
          expect(t.shape).toEqual([]);
          return t.dataSync()[0]!;
        });
        expectAllclose(got, entry.lr[i]!, TOL);
        expectAllclose(s.valueAt(step), entry.lr[i]!, TOL);
      });
    });
  }
});

describe("schedule steps and errors", () => {
  const decay = new schedules.PiecewiseConstantDecay({
    boundaries: [5, 50],
    values: [0.1, 0.05, 0.01],
  });

  it("accepts int32 / float32 tensors and Variables as the step", () => {
    const value = (f: () => Tensor) => tidy(() => f().dataSync()[0]!);
    expectAllclose(
      value(() => decay.call(lax.scalar(6, "int32"))),
      0.05,
    );
    expectAllclose(
      value(() => decay.call(lax.scalar(5.5, "float32"))),
      0.05,
    );
    const step = tidy(() => new Variable(lax.scalar(51, "int32"), { name: "step" }));
    expectAllclose(
      value(() => decay.call(step)),
      0.01,
    );
    const exp = new schedules.ExponentialDecay({
      initialLearningRate: 1,
      decaySteps: 2,
      decayRate: 0.5,
    });
    expectAllclose(
      value(() => exp.call(step)),
      Math.pow(0.5, 25.5),
      { atol: 0, rtol: 1e-5 },
    );
    step.dispose();
  });

  it("does not leak tensors", () => {
    const all = file.schedules.map((e) => schedules.deserialize(structuredClone(e.serialized)));
    const before = memory().numTensors;
    for (const s of all)
      for (const step of file.steps)
        tidy(() => {
          s.call(step);
        });
    expect(memory().numTensors).toBe(before);
  });

  it("rejects bad arguments as Keras does", () => {
    expect(
      () =>
        new schedules.ExponentialDecay({ initialLearningRate: 0.1, decaySteps: 0, decayRate: 0.9 }),
    ).toThrow(/Received: decay_steps=0/);
    expect(() => new schedules.CosineDecay({ initialLearningRate: 0.1, decaySteps: -1 })).toThrow(
      ValueError,
    );
    expect(
      () => new schedules.CosineDecayRestarts({ initialLearningRate: 0.1, firstDecaySteps: 0 }),
    ).toThrow(/first_decay_steps=0/);
    expect(
      () => new schedules.PiecewiseConstantDecay({ boundaries: [1, 2], values: [1, 2] }),
    ).toThrow(/length of boundaries should be 1 less/);
    expect(() =>
      schedules.ExponentialDecay.fromConfig({
        initial_learning_rate: 0.1,
        decay_steps: 1,
        decay_rate: 1,
        bogus: 1,
      }),
    ).toThrow(/not recognized/);
    expect(() => schedules.get("ExponentialDecay")).toThrow(ValueError);
  });

  it("Keras defaults", () => {
    expect(
      new schedules.PolynomialDecay({ initialLearningRate: 0.1, decaySteps: 10 }).getConfig(),
    ).toEqual({
      initial_learning_rate: 0.1,
      decay_steps: 10,
      end_learning_rate: 0.0001,
      power: 1,
      cycle: false,
      name: "PolynomialDecay",
    });
    expect(
      new schedules.CosineDecay({ initialLearningRate: 0.1, decaySteps: 10 }).getConfig(),
    ).toEqual({
      initial_learning_rate: 0.1,
      decay_steps: 10,
      alpha: 0,
      name: "CosineDecay",
      warmup_target: null,
      warmup_steps: 0,
    });
    expect(
      new schedules.CosineDecayRestarts({
        initialLearningRate: 0.1,
        firstDecaySteps: 10,
      }).getConfig(),
    ).toEqual({
      initial_learning_rate: 0.1,
      first_decay_steps: 10,
      t_mul: 2,
      m_mul: 1,
      alpha: 0,
      name: "SGDRDecay",
    });
    // t_mul = 1: equal periods.
    const r = new schedules.CosineDecayRestarts({
      initialLearningRate: 1,
      firstDecaySteps: 10,
      tMul: 1,
    });
    expectAllclose(r.valueAt(15), 0.5, TOL);
  });
});

describe("schedule inside an optimizer", () => {
  it("drives the learning rate from the iteration count and serializes inside the config", () => {
    const sched = new schedules.ExponentialDecay({
      initialLearningRate: 0.01,
      decaySteps: 1,
      decayRate: 0.5,
    });
    const opt = new optimizers.SGD({ learningRate: sched });
    expect(opt.variables.map((v) => v.path)).toEqual(["sgd/iteration"]);
    const w = tidy(() => new Variable(lax.full([2], 1, "float32"), { name: "w" }));
    const expected = [1];
    for (let s = 0; s < 3; s++) {
      expectAllclose(opt.learningRateValue(), 0.01 * Math.pow(0.5, s), TOL);
      tidy(() => opt.apply([lax.full([2], 1, "float32")], [w]));
      expected[0]! -= 0.01 * Math.pow(0.5, s);
      expectAllclose(w.value, [expected[0]!, expected[0]!], TOL);
    }
    const config = opt.getConfig();
    expect(config.learning_rate).toEqual({
      module: "keras.optimizers.schedules",
      class_name: "ExponentialDecay",
      config: {
        initial_learning_rate: 0.01,
        decay_steps: 1,
        decay_rate: 0.5,
        staircase: false,
        name: "ExponentialDecay",
      },
      registered_name: null,
    });
    const again = optimizers.SGD.fromConfig(config);
    expect(again.learningRateSchedule).toBeInstanceOf(schedules.ExponentialDecay);
    expect(again.getConfig()).toEqual(config);
    w.dispose();
  });
});
