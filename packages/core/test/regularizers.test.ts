/**
 * keras.regularizers: penalties on hand-computed values (L2 has no 1/2), Keras' float32 config
 * values, `get` identifiers and config round trips.
 */
import { describe, expect, it } from "vitest";
import { lax } from "../src/index";
import * as regularizers from "../src/regularizers/index";
import { L1, L1L2, L2, OrthogonalRegularizer, Regularizer } from "../src/regularizers/index";
import { deserializeKerasObject, serializeKerasObject } from "../src/saving/serialization";
import { ValueError } from "../src/errors";
import { expectAllclose } from "./utils";

const x = () => lax.constant([1, -2, 3, -4], [2, 2], "float32");

describe("regularizer penalties", () => {
  it("L1 = l1 * sum(|x|)", () => {
    expectAllclose(new L1(0.1).call(x()), 1.0);
    expectAllclose(new L1().call(x()), 0.1); // default l1 = 0.01
  });
  it("L2 = l2 * sum(x²), no factor 1/2", () => {
    expectAllclose(new L2(0.1).call(x()), 3.0);
    expectAllclose(new L2({ l2: 2 }).call(lax.full([5, 5], 1, "float32")), 50); // Keras docstring example
    expectAllclose(new L2().call(x()), 0.3); // default l2 = 0.01
  });
  it("L1L2 sums both; defaults are 0", () => {
    expectAllclose(new L1L2({ l1: 0.1, l2: 0.1 }).call(x()), 4.0);
    expectAllclose(new L1L2().call(x()), 0);
    expectAllclose(new L1L2({ l2: 1 }).call(x()), 30);
  });
  it("returns a scalar of the input's dtype", () => {
    const p = new L2(0.5).call(x());
    expect(p.shape).toEqual([]);
    expect(p.dtype).toBe("float32");
  });
  it("OrthogonalRegularizer: zero for orthogonal rows, factor * mean |cos| otherwise", () => {
    const reg = new OrthogonalRegularizer({ factor: 1 });
    expectAllclose(reg.call(lax.constant([1, 0, 0, 2], [2, 2], "float32")), 0, { atol: 1e-7 });
    // rows (1, 0) and (1, 1): cos = 1/√2; penalty = factor * 0.5 * (2 · cos) / 1 pair.
    expectAllclose(reg.call(lax.constant([1, 0, 1, 1], [2, 2], "float32")), Math.SQRT1_2, {
      rtol: 1e-6,
    });
    // columns (1, 1) and (0, 1): the same angle.
    const cols = new OrthogonalRegularizer({ factor: 2, mode: "columns" });
    expectAllclose(cols.call(lax.constant([1, 0, 1, 1], [2, 2], "float32")), 2 * Math.SQRT1_2, {
      rtol: 1e-6,
    });
    expect(() => reg.call(lax.constant([1, 2], [2], "float32"))).toThrow(/rank 2/);
  });
  it("validates factors as Keras does", () => {
    expect(() => new L2(-1)).toThrow(ValueError);
    expect(() => new L1({ l1: Number.NaN })).toThrow(/Invalid value for argument l1/);
    expect(() => new OrthogonalRegularizer({ mode: "diagonal" as never })).toThrow(/mode/);
  });
});

describe("regularizer configs", () => {
  it("stores factors as float32, like Keras", () => {
    expect(new L2().getConfig()).toEqual({ l2: 0.009999999776482582 });
    expect(new L1(0.5).getConfig()).toEqual({ l1: 0.5 });
    expect(new L1L2({ l1: 0.01 }).getConfig()).toEqual({ l1: 0.009999999776482582, l2: 0 });
    expect(new OrthogonalRegularizer().getConfig()).toEqual({
      factor: 0.009999999776482582,
      mode: "rows",
    });
  });
  it("round-trips through fromConfig and serializeKerasObject", () => {
    for (const reg of [
      new L1(0.3),
      new L2(0.2),
      new L1L2({ l1: 0.1, l2: 0.2 }),
      new OrthogonalRegularizer({ mode: "columns" }),
    ]) {
      const cls = reg.constructor as typeof Regularizer & {
        fromConfig(c: Record<string, unknown>): Regularizer;
      };
      expect(cls.fromConfig(reg.getConfig()).getConfig()).toEqual(reg.getConfig());
      const ser = serializeKerasObject(reg) as Record<string, unknown>;
      expect(ser).toEqual({
        module: "keras.regularizers",
        class_name: reg.className,
        config: reg.getConfig(),
        registered_name: null,
      });
      expect((deserializeKerasObject(ser) as Regularizer).getConfig()).toEqual(reg.getConfig());
    }
  });
});

describe("regularizers.get", () => {
  it("resolves names to the classes with their defaults", () => {
    expect(regularizers.get("l1")).toBeInstanceOf(L1);
    expect(regularizers.get("l2")).toBeInstanceOf(L2);
    expect(regularizers.get("L2")).toBeInstanceOf(L2);
    expect(regularizers.get("l1_l2")).toBeInstanceOf(L1L2);
    expect(regularizers.get("orthogonal_regularizer")).toBeInstanceOf(OrthogonalRegularizer);
    expect((regularizers.get("l2") as L2).l2).toBe(Math.fround(0.01));
  });
  it("accepts dicts, instances, functions and null", () => {
    const r = regularizers.get({ class_name: "L2", config: { l2: 0.5 } }) as L2;
    expect(r.l2).toBe(0.5);
    const inst = new L1();
    expect(regularizers.get(inst)).toBe(inst);
    const fn = regularizers.get((t: ReturnType<typeof x>) => lax.sum(t, [0, 1]));
    expectAllclose(fn.call(x()), -2);
    expect(regularizers.get(null)).toBeNull();
    expect(() => regularizers.get("l3")).toThrow(/Could not interpret regularizer identifier: l3/);
  });
});
