/**
 * Optimizers against Keras 3.15.1: every entry of shared/keras-format/numerics/optimizers.json
 * (one test per entry, generated from the file) is rebuilt from its config, applied three times
 * to the recorded gradients, and compared after each step: iterations, learning rate, both
 * variables and every optimizer variable (path, order and value). Then configs, `get`, and the
 * argument checks Keras makes.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import "../src/backend/cpu/index";
import { tidy } from "../src/engine/engine";
import * as lax from "../src/primitives/lax";
import { Variable } from "../src/variables/variable";
import { ValueError } from "../src/errors";
import * as optimizers from "../src/optimizers/index";
import { expectAllclose } from "./utils";

interface Arr {
  path?: string;
  shape: number[];
  dtype: "float32" | "int32";
  data: number[];
}
interface Step {
  iterations: number;
  learning_rate: number;
  kernel: Arr;
  bias: Arr;
  optimizer_variables: Arr[];
}
interface Entry {
  name: string;
  kind: string;
  class_name: string;
  config: Record<string, unknown>;
  after_step: Step[];
}
interface OptimizerFile {
  initial: { kernel: Arr; bias: Arr };
  gradients: { kernel: Arr; bias: Arr }[];
  optimizers: Entry[];
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const numerics = path.resolve(repoRoot, "../shared/keras-format/numerics");
const file = JSON.parse(
  readFileSync(path.join(numerics, "optimizers.json"), "utf8"),
) as OptimizerFile;

const TOL = { atol: 1e-5, rtol: 1e-5 };
const tensor = (a: Arr) => lax.constant(a.data, a.shape, a.dtype);
const newVar = (a: Arr, name: string) => tidy(() => new Variable(tensor(a), { name }));

function build(entry: Entry): optimizers.Optimizer {
  return optimizers.deserialize({
    module: "keras.optimizers",
    class_name: entry.class_name,
    config: structuredClone(entry.config),
    registered_name: null,
  });
}

describe("optimizers.json (Keras 3.15.1)", () => {
  it("holds entries", () => {
    expect(file.optimizers.length).toBeGreaterThan(0);
  });

  for (const entry of file.optimizers) {
    it(`${entry.name}: three steps match Keras`, () => {
      const opt = build(entry);
      expect(opt.className).toBe(entry.class_name);
      const kernel = newVar(file.initial.kernel, "kernel");
      const bias = newVar(file.initial.bias, "bias");
      entry.after_step.forEach((expected, s) => {
        const g = file.gradients[s]!;
        tidy(() => opt.apply([tensor(g.kernel), tensor(g.bias)], [kernel, bias]));
        const where = `${entry.name} step ${s + 1}`;
        expect(Number(opt.iterations.value.dataSync()[0]), `${where} iterations`).toBe(
          expected.iterations,
        );
        expectAllclose(opt.learningRateValue(), expected.learning_rate, TOL);
        expectAllclose(kernel.value, expected.kernel.data, TOL);
        expectAllclose(bias.value, expected.bias.data, TOL);
        expect(
          opt.variables.map((v) => v.path),
          `${where} optimizer variable paths`,
        ).toEqual(expected.optimizer_variables.map((v) => v.path));
        opt.variables.forEach((v, i) => {
          const want = expected.optimizer_variables[i]!;
          expect(v.dtype, `${where} ${v.path} dtype`).toBe(want.dtype);
          expect([...v.shape], `${where} ${v.path} shape`).toEqual(want.shape);
          expectAllclose(v.value, want.data, TOL);
        });
      });
      expect(opt.getConfig()).toEqual(entry.config);
      opt.dispose();
      kernel.dispose();
      bias.dispose();
    });

    it(`${entry.name}: getConfig round-trips through fromConfig`, () => {
      const opt = build(entry);
      expect(opt.getConfig()).toEqual(entry.config);
      const again = (opt.constructor as typeof optimizers.Adam).fromConfig(opt.getConfig());
      expect(again.getConfig()).toEqual(entry.config);
      expect(optimizers.serialize(opt)).toEqual({
        module: "keras.optimizers",
        class_name: entry.class_name,
        config: entry.config,
        registered_name: null,
      });
      opt.dispose();
      again.dispose();
    });
  }
});

describe("optimizers.get", () => {
  const names: [string, string, string][] = [
    ["adam", "Adam", "adam"],
    ["sgd", "SGD", "sgd"],
    ["rmsprop", "RMSprop", "rm_sprop"],
    ["adamw", "AdamW", "adam_w"],
    ["adagrad", "Adagrad", "adagrad"],
    ["adadelta", "Adadelta", "adadelta"],
    ["adamax", "Adamax", "adamax"],
    ["nadam", "Nadam", "nadam"],
    ["lion", "Lion", "lion"],
    ["ftrl", "Ftrl", "ftrl"],
    ["lamb", "Lamb", "lamb"],
  ];
  for (const [id, className, name] of names)
    it(`"${id}" -> ${className}`, () => {
      const opt = optimizers.get(id);
      expect(opt.className).toBe(className);
      expect(opt.name).toBe(name);
      expect(optimizers.get(id.toUpperCase()).className).toBe(className);
    });

  it("returns an instance unchanged and reads serialized dicts", () => {
    const opt = new optimizers.SGD();
    expect(optimizers.get(opt)).toBe(opt);
    const fromDict = optimizers.get({
      class_name: "Adam",
      config: { learning_rate: 0.5, beta_1: 0.8 },
    });
    expect(fromDict).toBeInstanceOf(optimizers.Adam);
    expect(fromDict.getConfig()).toMatchObject({ learning_rate: 0.5, beta_1: 0.8, beta_2: 0.999 });
    expect(optimizers.get({ class_name: "rmsprop", config: {} })).toBeInstanceOf(
      optimizers.RMSprop,
    );
  });

  it("rejects unknown identifiers", () => {
    expect(() => optimizers.get("foo")).toThrow(ValueError);
    expect(() => optimizers.get("foo")).toThrow(/Received: optimizer=foo$/);
  });

  it("Keras default configs", () => {
    expect(new optimizers.Adam().getConfig()).toEqual({
      name: "adam",
      learning_rate: Math.fround(0.001),
      weight_decay: null,
      clipnorm: null,
      global_clipnorm: null,
      clipvalue: null,
      use_ema: false,
      ema_momentum: 0.99,
      ema_overwrite_frequency: null,
      loss_scale_factor: null,
      gradient_accumulation_steps: null,
      beta_1: 0.9,
      beta_2: 0.999,
      epsilon: 1e-7,
      amsgrad: false,
    });
    expect(new optimizers.SGD().getConfig()).toMatchObject({
      learning_rate: Math.fround(0.01),
      momentum: 0,
      nesterov: false,
    });
    expect(new optimizers.AdamW().getConfig()).toMatchObject({ weight_decay: 0.004 });
    expect(new optimizers.RMSprop().getConfig()).toMatchObject({
      rho: 0.9,
      momentum: 0,
      epsilon: 1e-7,
      centered: false,
    });
    expect(new optimizers.Adagrad().getConfig()).toMatchObject({
      initial_accumulator_value: 0.1,
      epsilon: 1e-7,
    });
    expect(new optimizers.Adadelta().getConfig()).toMatchObject({ rho: 0.95, epsilon: 1e-7 });
    expect(new optimizers.Lion().getConfig()).toMatchObject({ beta_1: 0.9, beta_2: 0.99 });
    expect(new optimizers.Ftrl().getConfig()).toMatchObject({
      learning_rate_power: -0.5,
      initial_accumulator_value: 0.1,
      l1_regularization_strength: 0,
      l2_regularization_strength: 0,
      l2_shrinkage_regularization_strength: 0,
      beta: 0,
    });
  });
});

describe("optimizer arguments", () => {
  it("rejects more than one clipping argument (Keras ValueError)", () => {
    expect(() => new optimizers.Adam({ clipnorm: 1, globalClipnorm: 1 })).toThrow(ValueError);
    expect(() => new optimizers.SGD({ clipnorm: 1, clipvalue: 1 })).toThrow(
      /Only one of `clipnorm`, `clipvalue` and `global_clipnorm`/,
    );
  });

  it("rejects bad hyperparameters as Keras does", () => {
    expect(() => new optimizers.AdamW({ weightDecay: null })).toThrow(
      /Received: weight_decay=None/,
    );
    expect(() => new optimizers.SGD({ momentum: 1.5 })).toThrow(ValueError);
    expect(() => new optimizers.Adam({ gradientAccumulationSteps: 1 })).toThrow(
      /gradient_accumulation_steps=1/,
    );
    expect(() => new optimizers.Adam({ useEma: true, emaMomentum: 2 })).toThrow(/ema_momentum=2/);
    expect(() => new optimizers.Lion({ beta1: 0 })).toThrow(/beta_1=0/);
    expect(() => new optimizers.Ftrl({ learningRatePower: 0.5 })).toThrow(
      /learning_rate_power=0.5/,
    );
    expect(() => new optimizers.Ftrl({ l1RegularizationStrength: -1 })).toThrow(
      /l1_regularization_strength=-1/,
    );
    expect(() => optimizers.Adam.fromConfig({ bogus: 1 })).toThrow(/not recognized/);
  });

  it("accepts a negative learning rate (Keras does)", () => {
    expect(new optimizers.SGD({ learningRate: -0.1 }).getConfig().learning_rate).toBeCloseTo(
      -0.1,
      6,
    );
  });

  it("apply: unknown variables, missing gradients, unbuilt optimizer", () => {
    const opt = new optimizers.SGD();
    const a = tidy(() => new Variable(lax.full([2], 1, "float32"), { name: "a" }));
    const b = tidy(() => new Variable(lax.full([2], 1, "float32"), { name: "b" }));
    expect(() => opt.apply([lax.full([2], 1, "float32")])).toThrow(/must already be built/);
    expect(() => opt.apply([null], [a])).toThrow(/No gradients provided/);
    tidy(() => opt.apply([lax.full([2], 1, "float32")], [a]));
    expect(() => tidy(() => opt.apply([lax.full([2], 1, "float32")], [b]))).toThrow(
      /Unknown variable/,
    );
    // A null gradient skips its variable.
    const opt2 = new optimizers.SGD({ learningRate: 1 });
    tidy(() => opt2.apply([null, lax.full([2], 1, "float32")], [a, b]));
    expectAllclose(a.value, [0.99, 0.99]);
    expectAllclose(b.value, [0, 0]);
  });

  it("learning rate setter: assigns a float, refuses a float over a schedule", () => {
    const opt = new optimizers.Adam({ learningRate: 0.1 });
    opt.learningRate = 0.5;
    expect(opt.learningRateValue()).toBe(0.5);
    expect(opt.getConfig().learning_rate).toBe(0.5);
    const sched = new optimizers.schedules.ExponentialDecay({
      initialLearningRate: 0.1,
      decaySteps: 1,
      decayRate: 0.5,
    });
    opt.learningRate = sched;
    expect(opt.variables.map((v) => v.path)).toEqual(["adam/iteration"]);
    expect(() => {
      opt.learningRate = 0.1;
    }).toThrow(TypeError);
  });
});
