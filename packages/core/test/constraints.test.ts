/**
 * keras.constraints: projections on hand-computed values (with Keras' epsilon = 1e-7 added to
 * the norm), axis handling, `get` identifiers and config round trips.
 */
import { describe, expect, it } from "vitest";
import { lax } from "../src/index";
import * as constraints from "../src/constraints/index";
import { Constraint, MaxNorm, MinMaxNorm, NonNeg, UnitNorm } from "../src/constraints/index";
import { deserializeKerasObject, serializeKerasObject } from "../src/saving/serialization";
import { expectAllclose } from "./utils";

// Columns (3, 4) with norm 5 and (0, 1) with norm 1.
const w = () => lax.constant([3, 0, 4, 1], [2, 2], "float32");
const EPS = 1e-7;

describe("constraint values", () => {
  it("MaxNorm rescales only columns whose norm exceeds max_value", () => {
    const y = new MaxNorm({ maxValue: 2 }).call(w());
    const s = 2 / (5 + EPS);
    expectAllclose(y, [3 * s, 0, 4 * s, 1 / (1 + EPS)], { rtol: 1e-6 });
  });
  it("MaxNorm along axis 1 uses row norms", () => {
    // rows (3, 0) norm 3 and (4, 1) norm √17
    const y = new MaxNorm({ maxValue: 1, axis: 1 }).call(w());
    const r2 = Math.sqrt(17);
    expectAllclose(y, [3 / (3 + EPS), 0, 4 / (r2 + EPS), 1 / (r2 + EPS)], { rtol: 1e-6 });
  });
  it("MaxNorm over several axes (a conv kernel's filters)", () => {
    const k = lax.full([2, 2, 1, 3], 1, "float32"); // each filter has norm 2
    const y = new MaxNorm({ maxValue: 1, axis: [0, 1, 2] }).call(k);
    expectAllclose(y, new Array(12).fill(0.5), { rtol: 1e-6 });
  });
  it("NonNeg clamps at zero", () => {
    expectAllclose(new NonNeg().call(lax.constant([-1, 0, 2], [3], "float32")), [0, 0, 2]);
  });
  it("UnitNorm divides by epsilon + norm", () => {
    expectAllclose(new UnitNorm().call(w()), [3 / (5 + EPS), 0, 4 / (5 + EPS), 1 / (1 + EPS)], {
      rtol: 1e-6,
    });
    // A zero column stays zero (epsilon outside the square root).
    expectAllclose(
      new UnitNorm().call(lax.constant([0, 1, 0, 1], [2, 2], "float32")),
      [0, 1 / Math.SQRT2, 0, 1 / Math.SQRT2],
      {
        rtol: 1e-6,
      },
    );
  });
  it("MinMaxNorm clips the norm into [min, max], partially with rate < 1", () => {
    const c = new MinMaxNorm({ minValue: 2, maxValue: 4 });
    // column norms 5 -> 4, 1 -> 2
    expectAllclose(c.call(w()), [3 * (4 / 5), 0, 4 * (4 / 5), 2], { rtol: 1e-6 });
    const half = new MinMaxNorm({ minValue: 2, maxValue: 4, rate: 0.5 });
    // desired = 0.5 * clip + 0.5 * norm: 4.5 and 1.5
    expectAllclose(half.call(w()), [3 * (4.5 / 5), 0, 4 * (4.5 / 5), 1.5], { rtol: 1e-6 });
  });
});

describe("constraint configs and get", () => {
  it("uses Keras' config keys and round-trips", () => {
    expect(new MaxNorm().getConfig()).toEqual({ max_value: 2, axis: 0 });
    expect(new UnitNorm({ axis: [0, 1] }).getConfig()).toEqual({ axis: [0, 1] });
    expect(new MinMaxNorm().getConfig()).toEqual({ min_value: 0, max_value: 1, rate: 1, axis: 0 });
    expect(new NonNeg().getConfig()).toEqual({});
    for (const c of [
      new MaxNorm({ maxValue: 3, axis: 1 }),
      new NonNeg(),
      new UnitNorm({ axis: 1 }),
      new MinMaxNorm({ minValue: 0.5, rate: 0.9 }),
    ]) {
      const cls = c.constructor as typeof Constraint & {
        fromConfig(cfg: Record<string, unknown>): Constraint;
      };
      expect(cls.fromConfig(c.getConfig()).getConfig()).toEqual(c.getConfig());
      const ser = serializeKerasObject(c) as Record<string, unknown>;
      expect(ser).toEqual({
        module: "keras.constraints",
        class_name: c.className,
        config: c.getConfig(),
        registered_name: null,
      });
      const back = deserializeKerasObject(ser) as Constraint;
      expect(back.constructor).toBe(c.constructor);
      expect(back.getConfig()).toEqual(c.getConfig());
    }
  });
  it("get resolves Keras names, dicts, instances, functions and null", () => {
    expect(constraints.get("max_norm")).toBeInstanceOf(MaxNorm);
    expect(constraints.get("MaxNorm")).toBeInstanceOf(MaxNorm);
    expect(constraints.get("non_neg")).toBeInstanceOf(NonNeg);
    expect(constraints.get("unit_norm")).toBeInstanceOf(UnitNorm);
    expect(constraints.get("min_max_norm")).toBeInstanceOf(MinMaxNorm);
    expect(
      (constraints.get({ class_name: "MaxNorm", config: { max_value: 3, axis: 1 } }) as MaxNorm)
        .maxValue,
    ).toBe(3);
    const inst = new NonNeg();
    expect(constraints.get(inst)).toBe(inst);
    expect(constraints.get(null)).toBeNull();
    const fn = constraints.get((t: ReturnType<typeof w>) => lax.neg(t));
    expectAllclose(fn.call(w()), [-3, 0, -4, -1]);
    expect(() => constraints.get("positive")).toThrow(
      /Could not interpret constraint identifier: positive/,
    );
  });
});
