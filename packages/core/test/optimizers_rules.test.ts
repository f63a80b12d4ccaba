/**
 * Update rules without a Keras fixture in this copy of optimizers.json (Adagrad, Adadelta,
 * Adamax, Nadam, Lion, Ftrl, Lamb, RMSprop centered+momentum, AMSGrad, global clipnorm,
 * clipvalue, weight decay, a schedule) checked against float64 references written from the
 * Keras 3 sources, on the same variables and gradients; slot names and order are checked too.
 * Then the base-class machinery: loss scaling, EMA, gradient accumulation, constraints,
 * weight-decay exclusion, variable loading, and the no-leak check.
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
import * as optimizers from "../src/optimizers/index";
import { expectAllclose } from "./utils";

interface Arr {
  shape: number[];
  data: number[];
}
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const file = JSON.parse(
  readFileSync(path.resolve(repoRoot, "../shared/keras-format/numerics/optimizers.json"), "utf8"),
) as { initial: { kernel: Arr; bias: Arr }; gradients: { kernel: Arr; bias: Arr }[] };

const TOL = { atol: 1e-5, rtol: 1e-5 };
const NAMES = ["kernel", "bias"] as const;

/** Float64 state of one variable: its values and named slots. */
interface RefVar {
  w: number[];
  s: Record<string, number[]>;
}
/** A reference step: all variables at once (for global clipping and layer-wise norms). */
type RefStep = (vars: RefVar[], grads: number[][], t: number, lr: number) => void;

const sq = (x: number) => x * x;
const norm = (xs: number[]) => Math.sqrt(xs.reduce((a, x) => a + x * x, 0));
const slot = (v: RefVar, name: string, init = 0) => (v.s[name] ??= v.w.map(() => init));

function runReference(step: RefStep, lrAt: (t: number) => number): RefVar[] {
  const vars = NAMES.map((n) => ({ w: [...file.initial[n].data], s: {} }));
  file.gradients.forEach((g, i) =>
    step(
      vars,
      NAMES.map((n) => [...g[n].data]),
      i + 1,
      lrAt(i),
    ),
  );
  return vars;
}

function runOptimizer(opt: optimizers.Optimizer): Variable[] {
  const vars = NAMES.map((n) =>
    tidy(
      () =>
        new Variable(lax.constant(file.initial[n].data, file.initial[n].shape, "float32"), {
          name: n,
        }),
    ),
  );
  for (const g of file.gradients)
    tidy(() =>
      opt.apply(
        NAMES.map((n) => lax.constant(g[n].data, g[n].shape, "float32")),
        vars,
      ),
    );
  return vars;
}

const elementwise =
  (f: (w: number[], g: number[], v: RefVar, i: number, t: number, lr: number) => void): RefStep =>
  (vars, grads, t, lr) =>
    vars.forEach((v, k) => v.w.forEach((_, i) => f(v.w, grads[k]!, v, i, t, lr)));

const adamRule = (b1: number, b2: number, eps: number, amsgrad: boolean): RefStep =>
  elementwise((w, g, v, i, t, lr) => {
    const m = slot(v, "momentum");
    const u = slot(v, "velocity");
    m[i]! += (g[i]! - m[i]!) * (1 - b1);
    u[i]! += (sq(g[i]!) - u[i]!) * (1 - b2);
    let vv = u[i]!;
    if (amsgrad) {
      const h = slot(v, "velocity_hat");
      h[i] = Math.max(h[i]!, u[i]!);
      vv = h[i]!;
    }
    const alpha = (lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t);
    w[i]! -= (m[i]! * alpha) / (Math.sqrt(vv) + eps);
  });

interface Case {
  name: string;
  make: () => optimizers.Optimizer;
  ref: RefStep;
  lrAt?: (step: number) => number;
  paths: string[];
}

const slotsOf = (prefix: string, names: string[], interleaved = true) =>
  interleaved
    ? NAMES.flatMap((v) => names.map((n) => `${prefix}/${v}_${n}`))
    : names.flatMap((n) => NAMES.map((v) => `${prefix}/${v}_${n}`));

const cases: Case[] = [
  {
    name: "Adagrad(0.1)",
    make: () => new optimizers.Adagrad({ learningRate: 0.1 }),
    ref: elementwise((w, g, v, i, _t, lr) => {
      const a = slot(v, "accumulator", 0.1);
      a[i]! += sq(g[i]!);
      w[i]! -= (lr * g[i]!) / Math.sqrt(a[i]! + 1e-7);
    }),
    paths: ["adagrad/iteration", "adagrad/learning_rate", ...slotsOf("adagrad", ["accumulator"])],
  },
  {
    name: "Adadelta(1.0)",
    make: () => new optimizers.Adadelta({ learningRate: 1.0 }),
    ref: elementwise((w, g, v, i, _t, lr) => {
      const eg = slot(v, "accumulated_grad");
      const ed = slot(v, "accumulated_delta_var");
      const rho = 0.95;
      const eps = 1e-7;
      eg[i] = rho * eg[i]! + (1 - rho) * sq(g[i]!);
      const d = -(Math.sqrt(ed[i]! + eps) * g[i]!) / Math.sqrt(eg[i]! + eps);
      ed[i] = rho * ed[i]! + (1 - rho) * d * d;
      w[i]! += lr * d;
    }),
    paths: [
      "adadelta/iteration",
      "adadelta/learning_rate",
      ...slotsOf("adadelta", ["accumulated_grad", "accumulated_delta_var"]),
    ],
  },
  {
    name: "Adamax(0.01)",
    make: () => new optimizers.Adamax({ learningRate: 0.01 }),
    ref: elementwise((w, g, v, i, t, lr) => {
      const m = slot(v, "momentum");
      const u = slot(v, "norm");
      m[i]! += (g[i]! - m[i]!) * (1 - 0.9);
      u[i] = Math.max(0.999 * u[i]!, Math.abs(g[i]!));
      w[i]! -= (lr * m[i]!) / ((1 - 0.9 ** t) * (u[i]! + 1e-7));
    }),
    paths: ["adamax/iteration", "adamax/learning_rate", ...slotsOf("adamax", ["momentum", "norm"])],
  },
  {
    name: "Nadam(0.01)",
    make: () => new optimizers.Nadam({ learningRate: 0.01 }),
    ref: (() => {
      let uProduct = 1;
      return (vars: RefVar[], grads: number[][], t: number, lr: number) => {
        const b1 = 0.9;
        const b2 = 0.999;
        uProduct *= b1 * (1 - 0.5 * 0.96 ** t);
        const uT = b1 * (1 - 0.5 * 0.96 ** t);
        const uT1 = b1 * (1 - 0.5 * 0.96 ** (t + 1));
        const uProductT1 = uProduct * uT1;
        vars.forEach((v, k) =>
          v.w.forEach((_, i) => {
            const g = grads[k]![i]!;
            const m = slot(v, "momentum");
            const u = slot(v, "velocity");
            m[i]! += (g - m[i]!) * (1 - b1);
            u[i]! += (g * g - u[i]!) * (1 - b2);
            const mHat = (uT1 * m[i]!) / (1 - uProductT1) + ((1 - uT) * g) / (1 - uProduct);
            const vHat = u[i]! / (1 - b2 ** t);
            v.w[i]! -= (mHat * lr) / (Math.sqrt(vHat) + 1e-7);
          }),
        );
        vars[0]!.s.__u = [uProduct];
      };
    })(),
    paths: [
      "nadam/iteration",
      "nadam/learning_rate",
      ...slotsOf("nadam", ["momentum", "velocity"]),
      "nadam/variable",
    ],
  },
  {
    name: "Lion(0.01)",
    make: () => new optimizers.Lion({ learningRate: 0.01 }),
    ref: elementwise((w, g, v, i, _t, lr) => {
      const m = slot(v, "momentum");
      w[i]! -= lr * Math.sign(m[i]! * 0.9 + g[i]! * (1 - 0.9));
      m[i] = m[i]! * 0.99 + g[i]! * (1 - 0.99);
    }),
    paths: ["lion/iteration", "lion/learning_rate", ...slotsOf("lion", ["momentum"])],
  },
  {
    name: "Ftrl(0.1, l1, l2, shrinkage, beta)",
    make: () =>
      new optimizers.Ftrl({
        learningRate: 0.1,
        l1RegularizationStrength: 0.01,
        l2RegularizationStrength: 0.02,
        l2ShrinkageRegularizationStrength: 0.03,
        beta: 0.1,
      }),
    ref: elementwise((w, g, v, i, _t, lr) => {
      const n = slot(v, "accumulator", 0.1);
      const z = slot(v, "linear");
      const p = 0.5;
      const l2 = 0.02 + 0.1 / (2 * lr);
      const gs = g[i]! + 2 * 0.03 * w[i]!;
      const nNew = n[i]! + sq(g[i]!);
      z[i]! += gs - ((nNew ** p - n[i]! ** p) / lr) * w[i]!;
      const quadratic = nNew ** p / lr + 2 * l2;
      w[i] = (Math.min(Math.max(z[i]!, -0.01), 0.01) - z[i]!) / quadratic;
      n[i] = nNew;
    }),
    paths: ["ftrl/iteration", "ftrl/learning_rate", ...slotsOf("ftrl", ["accumulator", "linear"])],
  },
  {
    name: "Lamb(0.01)",
    make: () => new optimizers.Lamb({ learningRate: 0.01 }),
    ref: (vars, grads, t, lr) =>
      vars.forEach((v, k) => {
        const m = slot(v, "momentum");
        const u = slot(v, "velocity");
        const update = v.w.map((_, i) => {
          const g = grads[k]![i]!;
          m[i]! += (g - m[i]!) * (1 - 0.9);
          u[i]! += (g * g - u[i]!) * (1 - 0.999);
          return m[i]! / (1 - 0.9 ** t) / (Math.sqrt(u[i]! / (1 - 0.999 ** t)) + 1e-7);
        });
        const wn = norm(v.w);
        const gn = norm(update);
        const ratio = wn > 0 && gn > 0 ? wn / gn : 1;
        v.w.forEach((_, i) => (v.w[i]! -= ratio * lr * update[i]!));
      }),
    paths: ["lamb/iteration", "lamb/learning_rate", ...slotsOf("lamb", ["momentum", "velocity"])],
  },
  {
    name: "RMSprop(0.01, centered, momentum 0.5, rho 0.8)",
    make: () =>
      new optimizers.RMSprop({ learningRate: 0.01, centered: true, momentum: 0.5, rho: 0.8 }),
    ref: elementwise((w, g, v, i, _t, lr) => {
      const vel = slot(v, "velocity");
      const mom = slot(v, "momentum");
      const avg = slot(v, "average_gradient");
      vel[i] = 0.8 * vel[i]! + 0.2 * sq(g[i]!);
      avg[i] = 0.8 * avg[i]! + 0.2 * g[i]!;
      const inc = (lr * g[i]!) / Math.sqrt(vel[i]! - sq(avg[i]!) + 1e-7);
      mom[i] = 0.5 * mom[i]! + inc;
      w[i]! -= mom[i]!;
    }),
    paths: [
      "rm_sprop/iteration",
      "rm_sprop/learning_rate",
      ...slotsOf("rm_sprop", ["velocity", "momentum", "average_gradient"], false),
    ],
  },
  {
    name: "Adam(0.01, amsgrad)",
    make: () => new optimizers.Adam({ learningRate: 0.01, amsgrad: true }),
    ref: adamRule(0.9, 0.999, 1e-7, true),
    paths: [
      "adam/iteration",
      "adam/learning_rate",
      ...slotsOf("adam", ["momentum", "velocity"]),
      ...slotsOf("adam", ["velocity_hat"]),
    ],
  },
  {
    name: "Adam(0.01, global_clipnorm=1)",
    make: () => new optimizers.Adam({ learningRate: 0.01, globalClipnorm: 1 }),
    ref: (vars, grads, t, lr) => {
      const gn = norm(grads.flat());
      const scale = Math.min(1 / gn, 1);
      adamRule(0.9, 0.999, 1e-7, false)(
        vars,
        grads.map((g) => g.map((x) => x * scale)),
        t,
        lr,
      );
    },
    paths: ["adam/iteration", "adam/learning_rate", ...slotsOf("adam", ["momentum", "velocity"])],
  },
  {
    name: "SGD(0.1, clipvalue=0.5)",
    make: () => new optimizers.SGD({ learningRate: 0.1, clipvalue: 0.5 }),
    ref: elementwise((w, g, _v, i, _t, lr) => (w[i]! -= lr * Math.min(Math.max(g[i]!, -0.5), 0.5))),
    paths: ["sgd/iteration", "sgd/learning_rate"],
  },
  {
    name: "SGD(0.1, weight_decay=0.05)",
    make: () => new optimizers.SGD({ learningRate: 0.1, weightDecay: 0.05 }),
    ref: elementwise((w, g, _v, i, _t, lr) => {
      w[i]! -= w[i]! * 0.05 * lr;
      w[i]! -= lr * g[i]!;
    }),
    paths: ["sgd/iteration", "sgd/learning_rate"],
  },
  {
    name: "Adam(ExponentialDecay(0.01, 1, 0.5))",
    make: () =>
      new optimizers.Adam({
        learningRate: new optimizers.schedules.ExponentialDecay({
          initialLearningRate: 0.01,
          decaySteps: 1,
          decayRate: 0.5,
        }),
      }),
    ref: adamRule(0.9, 0.999, 1e-7, false),
    lrAt: (s) => 0.01 * 0.5 ** s,
    paths: ["adam/iteration", ...slotsOf("adam", ["momentum", "velocity"])],
  },
];

describe("update rules (float64 references from the Keras sources)", () => {
  for (const c of cases)
    it(c.name, () => {
      const opt = c.make();
      const vars = runOptimizer(opt);
      const ref = runReference(c.ref, c.lrAt ?? (() => opt.learningRateValue()));
      expect(opt.variables.map((v) => v.path)).toEqual(c.paths);
      vars.forEach((v, k) => expectAllclose(v.value, ref[k]!.w, TOL));
      // Every slot against the reference's state of the same name.
      for (const v of opt.variables) {
        const m = /^[a-z_]+\/(kernel|bias)_(.+)$/.exec(v.path);
        if (!m) continue;
        const state = ref[NAMES.indexOf(m[1] as "kernel" | "bias")]!.s[m[2]!];
        expect(state, `reference slot for ${v.path}`).toBeDefined();
        expectAllclose(v.value, state!, TOL);
      }
      const u = ref[0]!.s.__u;
      if (u) expectAllclose(opt.variables.at(-1)!.value, u, TOL);
      expect(Number(opt.iterations.value.dataSync()[0])).toBe(3);
      opt.dispose();
      vars.forEach((v) => v.dispose());
    });
});

const f32 = (data: number[]) => lax.constant(data, [data.length], "float32");
const newVar = (data: number[], name = "w") => tidy(() => new Variable(f32(data), { name }));
const applyOnce = (opt: optimizers.Optimizer, g: number[], vars: Variable[]) =>
  tidy(() => opt.apply([f32(g)], vars));

describe("Optimizer base machinery", () => {
  it("loss_scale_factor divides the gradients", () => {
    const w = newVar([1, 2]);
    applyOnce(new optimizers.SGD({ learningRate: 0.1, lossScaleFactor: 4 }), [4, 8], [w]);
    expectAllclose(w.value, [0.9, 1.8]);
    expectAllclose(
      tidy(
        () =>
          new optimizers.SGD({ lossScaleFactor: 4 })
            .scaleLoss(lax.scalar(2, "float32"))
            .dataSync()[0]!,
      ),
      8,
    );
  });

  it("clipnorm: each gradient to the norm, a zero gradient unchanged", () => {
    const a = newVar([0, 0], "a");
    const b = newVar([0, 0], "b");
    tidy(() =>
      new optimizers.SGD({ learningRate: 1, clipnorm: 1 }).apply(
        [f32([3, 4]), f32([0, 0])],
        [a, b],
      ),
    );
    expectAllclose(a.value, [-0.6, -0.8]);
    expectAllclose(b.value, [0, 0]);
  });

  it("EMA: averages start at the first value, then move with ema_momentum; overwrite frequency", () => {
    const w = newVar([1]);
    const opt = new optimizers.SGD({ learningRate: 0.1, useEma: true, emaMomentum: 0.5 });
    applyOnce(opt, [1], [w]); // w = 0.9, avg = 0.9
    applyOnce(opt, [1], [w]); // w = 0.8, avg = 0.5 * 0.9 + 0.5 * 0.8
    expect(opt.variables.map((v) => v.path)).toEqual([
      "sgd/iteration",
      "sgd/learning_rate",
      "sgd/w_average",
    ]);
    expectAllclose(opt.variables[2]!.value, [0.85]);
    opt.finalizeVariableValues([w]);
    expectAllclose(w.value, [0.85]);

    const w2 = newVar([1]);
    const opt2 = new optimizers.SGD({
      learningRate: 0.1,
      useEma: true,
      emaMomentum: 0.5,
      emaOverwriteFrequency: 2,
    });
    applyOnce(opt2, [1], [w2]);
    expectAllclose(w2.value, [0.9]);
    applyOnce(opt2, [1], [w2]); // overwritten with the average
    expectAllclose(w2.value, [0.85]);
  });

  it("gradient accumulation: updates every N calls with the mean gradient", () => {
    const w = newVar([1, 1]);
    const opt = new optimizers.SGD({ learningRate: 0.1, gradientAccumulationSteps: 2 });
    applyOnce(opt, [1, 2], [w]);
    expectAllclose(w.value, [1, 1]);
    expect(opt.variables.map((v) => v.path)).toEqual([
      "sgd/iteration",
      "sgd/learning_rate",
      "sgd/w_gradient_accumulator",
    ]);
    expectAllclose(opt.variables[2]!.value, [1, 2]);
    applyOnce(opt, [3, 4], [w]);
    expectAllclose(w.value, [0.8, 0.7]);
    expectAllclose(opt.variables[2]!.value, [0, 0]);
    // Adam's step count is the number of completed cycles.
    const a = newVar([1]);
    const adam = new optimizers.Adam({ learningRate: 0.1, gradientAccumulationSteps: 2 });
    applyOnce(adam, [1], [a]);
    applyOnce(adam, [1], [a]);
    expectAllclose(a.value, [0.9], { atol: 1e-5, rtol: 1e-5 });
    // An outside assignment of the counter is picked up.
    adam.iterations.assign(lax.scalar(1, "int32"));
    applyOnce(adam, [1], [a]);
    expect(a.value.dataSync()[0]).not.toBeCloseTo(0.9, 5);
  });

  it("constraints run after the update", () => {
    const w = tidy(
      () =>
        new Variable(f32([0.5, -0.5]), {
          name: "w",
          constraint: { call: (x: Tensor) => lax.maximum(x, 0) },
        }),
    );
    applyOnce(new optimizers.SGD({ learningRate: 1 }), [1, 1], [w]);
    expectAllclose(w.value, [0, 0]);
  });

  it("excludeFromWeightDecay by variable and by name", () => {
    const kernel = newVar([1], "kernel");
    const bias = newVar([1], "bias");
    const opt = new optimizers.AdamW({ learningRate: 0.1, weightDecay: 0.5 });
    opt.excludeFromWeightDecay({ varNames: ["bias"] });
    const plain = new optimizers.Adam({ learningRate: 0.1 });
    const ref = newVar([1], "bias");
    tidy(() => opt.apply([f32([1]), f32([1])], [kernel, bias]));
    applyOnce(plain, [1], [ref]);
    expectAllclose(bias.value, ref.value.dataSync());
    // kernel: decayed to 0.95 first, then the same Adam step.
    expectAllclose(kernel.value, [0.95 - 0.1], TOL);
    expect(() => opt.excludeFromWeightDecay({ varList: [kernel] })).toThrow(
      /before the optimizer is built/,
    );
  });

  it("loadOwnVariables / setWeights", () => {
    const w = newVar([1, 2]);
    const opt = new optimizers.Adam();
    expect(opt.loadOwnVariables({ 0: lax.scalar(3, "int32") })).toMatch(
      /Skipping variable loading for optimizer 'adam'/,
    );
    opt.build([w]);
    const store = Object.fromEntries(
      opt.variables.map((v, i) => [String(i), lax.full([...v.shape], i + 1, v.dtype)]),
    );
    expect(opt.loadOwnVariables(store)).toBeNull();
    expect(Number(opt.iterations.value.dataSync()[0])).toBe(1);
    expect(opt.learningRateValue()).toBe(2);
    expect(opt.getConfig().learning_rate).toBe(2);
    expectAllclose(opt.variables[3]!.value, [4, 4]);
    opt.setWeights(opt.variables.map((v) => lax.zerosLike(v.value)));
    expect(opt.learningRateValue()).toBe(0);
    // Flat host arrays, as read from a weights file: scalars included.
    const host = Object.fromEntries(
      opt.variables.map((v, i) => [
        String(i),
        v.dtype === "int32" ? new Int32Array([7]) : new Float32Array(v.size).fill(0.25),
      ]),
    );
    expect(opt.loadOwnVariables(host)).toBeNull();
    expect(Number(opt.iterations.value.dataSync()[0])).toBe(7);
    expect(opt.getConfig().learning_rate).toBe(0.25);
    expectAllclose(opt.variables[2]!.value, [0.25, 0.25]);
  });
});

describe("no leaks", () => {
  const makers: [string, () => optimizers.Optimizer][] = [
    ["SGD nesterov", () => new optimizers.SGD({ momentum: 0.9, nesterov: true })],
    ["Adam amsgrad + clipnorm", () => new optimizers.Adam({ amsgrad: true, clipnorm: 1 })],
    ["AdamW + EMA", () => new optimizers.AdamW({ useEma: true, emaOverwriteFrequency: 3 })],
    [
      "RMSprop centered",
      () => new optimizers.RMSprop({ centered: true, momentum: 0.5, globalClipnorm: 1 }),
    ],
    ["Adagrad clipvalue", () => new optimizers.Adagrad({ clipvalue: 0.1 })],
    ["Adadelta", () => new optimizers.Adadelta()],
    ["Adamax", () => new optimizers.Adamax()],
    ["Nadam", () => new optimizers.Nadam({ lossScaleFactor: 2 })],
    ["Lion", () => new optimizers.Lion()],
    ["Ftrl", () => new optimizers.Ftrl({ beta: 0.1 })],
    ["Lamb accumulation", () => new optimizers.Lamb({ gradientAccumulationSteps: 3 })],
    [
      "SGD + CosineDecay",
      () =>
        new optimizers.SGD({
          learningRate: new optimizers.schedules.CosineDecay({
            initialLearningRate: 0,
            decaySteps: 10,
            warmupTarget: 0.1,
            warmupSteps: 3,
          }),
          weightDecay: 0.01,
        }),
    ],
  ];
  for (const [name, make] of makers)
    it(`${name}: 50 apply calls keep the live tensor count`, () => {
      const opt = make();
      const vars = [newVar([1, 2, 3], "kernel"), newVar([0.5], "bias")];
      const grads = [f32([0.1, -0.2, 0.3]), f32([0.4])];
      opt.apply(grads, vars); // builds: the slot variables are the intended new tensors
      const before = memory().numTensors;
      for (let i = 0; i < 50; i++) opt.apply(grads, vars);
      expect(memory().numTensors).toBe(before);
      opt.dispose();
      for (const v of [...vars, ...grads]) v.dispose();
    });
});
