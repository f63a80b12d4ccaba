/**
 * keras.activations: get/serialize round trip for every Keras name, aliases, values on a few
 * points (Keras' activation defaults: exact gelu, leaky slope 0.2), relu options, symbolic
 * inputs, custom registered functions and the unknown-name error.
 */
import { afterEach, describe, expect, it } from "vitest";
import { KerasTensor, lax } from "../src/index";
import * as activations from "../src/activations/index";
import { ACTIVATION_NAMES } from "../src/activations/index";
import {
  registerKerasSerializable,
  unregisterKerasSerializable,
} from "../src/saving/object_registration";
import { serializeKerasObject, deserializeKerasObject } from "../src/saving/serialization";
import { ValueError } from "../src/errors";
import { expectAllclose } from "./utils";

const x = () => lax.constant([-2, -0.5, 0, 0.5, 2], [5], "float32");
const ref = (f: (v: number) => number) => [-2, -0.5, 0, 0.5, 2].map(f);
const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
const softplus = (v: number) => Math.log1p(Math.exp(v));

describe("activations.get / serialize", () => {
  it("round-trips every Keras name", () => {
    const canonical = ACTIVATION_NAMES.filter((n) => n !== "swish" && n !== "hard_swish");
    expect(canonical).toEqual(
      expect.arrayContaining([
        "relu",
        "sigmoid",
        "softmax",
        "tanh",
        "linear",
        "elu",
        "selu",
        "softplus",
        "softsign",
        "silu",
        "gelu",
        "exponential",
        "hard_sigmoid",
        "hard_silu",
        "leaky_relu",
        "relu6",
        "log_softmax",
        "mish",
        "log_sigmoid",
        "celu",
        "glu",
        "sparse_plus",
        "squareplus",
        "tanh_shrink",
        "hard_tanh",
        "soft_shrink",
        "hard_shrink",
        "sparse_sigmoid",
        "sparsemax",
        "threshold",
      ]),
    );
    for (const name of canonical)
      expect(activations.serialize(activations.get(name)), name).toBe(name);
  });
  it("maps the aliases to their canonical functions", () => {
    expect(activations.get("swish")).toBe(activations.get("silu"));
    expect(activations.get("hard_swish")).toBe(activations.get("hard_silu"));
    expect(activations.serialize(activations.get("swish"))).toBe("silu");
  });
  it("null gives linear; functions pass through", () => {
    const t = x();
    expect(activations.get(null)(t)).toBe(t);
    const f = (v: unknown) => v;
    expect(activations.get(f)).toBe(f);
  });
  it("rejects unknown names with Keras' message", () => {
    expect(() => activations.get("foo")).toThrow(ValueError);
    expect(() => activations.get("foo")).toThrow(
      /^Unknown activation function: 'foo'\..*Received: activation=foo$/s,
    );
    expect(() => activations.get(3)).toThrow(
      /Could not interpret activation function identifier: 3/,
    );
  });
  it("serializes as a Keras function dict through serializeKerasObject", () => {
    expect(serializeKerasObject(activations.relu)).toEqual({
      module: "keras.activations",
      class_name: "function",
      config: "relu",
      registered_name: "relu",
    });
    expect(
      activations.get({
        module: "keras.activations",
        class_name: "function",
        config: "tanh",
        registered_name: "tanh",
      }),
    ).toBe(activations.tanh);
    expect(
      deserializeKerasObject({
        module: "builtins",
        class_name: "function",
        config: "gelu",
        registered_name: "function",
      }),
    ).toBe(activations.gelu);
  });
});

describe("activation values", () => {
  it("elementwise activations match their formulas", () => {
    const cases: [string, (v: number) => number][] = [
      ["relu", (v) => Math.max(v, 0)],
      ["sigmoid", sigmoid],
      ["tanh", Math.tanh],
      ["linear", (v) => v],
      ["exponential", Math.exp],
      ["elu", (v) => (v > 0 ? v : Math.expm1(v))],
      ["softplus", softplus],
      ["softsign", (v) => v / (1 + Math.abs(v))],
      ["silu", (v) => v * sigmoid(v)],
      ["swish", (v) => v * sigmoid(v)],
      ["leaky_relu", (v) => (v > 0 ? v : 0.2 * v)],
      ["relu6", (v) => Math.min(Math.max(v, 0), 6)],
      ["hard_sigmoid", (v) => Math.min(Math.max(v + 3, 0), 6) / 6],
      ["hard_silu", (v) => (v * Math.min(Math.max(v + 3, 0), 6)) / 6],
      ["mish", (v) => v * Math.tanh(softplus(v))],
      ["log_sigmoid", (v) => Math.log(sigmoid(v))],
      ["tanh_shrink", (v) => v - Math.tanh(v)],
      ["hard_tanh", (v) => Math.min(Math.max(v, -1), 1)],
      ["squareplus", (v) => (v + Math.sqrt(v * v + 4)) / 2],
      ["selu", (v) => 1.0507009873554805 * (v > 0 ? v : 1.6732632423543772 * Math.expm1(v))],
    ];
    for (const [name, f] of cases)
      expectAllclose(activations.get(name)(x()), ref(f), { rtol: 1e-5, atol: 1e-6 });
  });
  it("gelu is exact by default, as in Keras' activations", () => {
    const erfGelu = [-0.0455002639, -0.1542687694, 0, 0.3457312306, 1.9544997361];
    expectAllclose(activations.get("gelu")(x()), erfGelu, { rtol: 1e-5, atol: 1e-6 });
  });
  it("softmax and log_softmax act on the last axis", () => {
    const t = lax.constant([1, 2, 3, 1, 1, 1], [2, 3], "float32");
    const e = [Math.exp(1), Math.exp(2), Math.exp(3)];
    const s = e[0]! + e[1]! + e[2]!;
    expectAllclose(activations.get("softmax")(t), [...e.map((v) => v / s), 1 / 3, 1 / 3, 1 / 3]);
    expectAllclose(activations.get("log_softmax")(t), [
      ...e.map((v) => Math.log(v / s)),
      -Math.log(3),
      -Math.log(3),
      -Math.log(3),
    ]);
  });
  it("relu options: negative slope, max value, threshold", () => {
    expectAllclose(activations.relu(x(), { maxValue: 1 }), [0, 0, 0, 0.5, 1]);
    expectAllclose(activations.relu(x(), { negativeSlope: 0.5 }), [-1, -0.25, 0, 0.5, 2]);
    expectAllclose(activations.relu(x(), { threshold: 1 }), [0, 0, 0, 0, 2]);
    expectAllclose(
      activations.relu(x(), { negativeSlope: 0.5, maxValue: 1 }),
      [-1, -0.25, 0, 0.5, 1],
    );
  });
  it("works on symbolic tensors", () => {
    const k = new KerasTensor([null, 4], "float32");
    for (const name of ["relu", "softmax", "gelu", "mish", "tanh", "exponential"]) {
      const y = activations.get(name)(k) as KerasTensor;
      expect(y, name).toBeInstanceOf(KerasTensor);
      expect(y.shape).toEqual([null, 4]);
    }
  });
});

describe("custom activations", () => {
  afterEach(() => {
    unregisterKerasSerializable("MyActs>scaled_tanh");
  });
  it("a registered function is found by name and serializes as a dict", () => {
    function scaledTanh(t: unknown) {
      return lax.mul(lax.tanh(t as ReturnType<typeof x>), 2);
    }
    registerKerasSerializable(scaledTanh, { package: "MyActs", name: "scaled_tanh" });
    expect(activations.get("MyActs>scaled_tanh")).toBe(scaledTanh);
    const ser = activations.serialize(scaledTanh) as Record<string, unknown>;
    expect(ser).toEqual({
      module: null,
      class_name: "function",
      config: "scaled_tanh",
      registered_name: "MyActs>scaled_tanh",
    });
    expect(activations.get(ser)).toBe(scaledTanh);
  });
});
