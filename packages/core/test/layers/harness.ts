/**
 * Shared layer test harness, after Keras' `keras/src/testing/test_case.py::run_layer_test`.
 *
 * `runLayerTest` checks, for one layer configuration: the getConfig -> fromConfig round trip
 * (directly and through `serializeKerasObject` / JSON / `deserializeKerasObject`, so the class
 * must be registered under "keras.layers"), the symbolic call with an unknown batch dimension,
 * the weight counts and names, the eager call, that an eager call does not leak tensors, and
 * optionally one gradient step on the trainable weights.
 *
 * Also here: `tensor` (build a test tensor), `checkGradients` (autodiff vs central differences of
 * a float64 JS reference), `checkLayerGradients` (the same for a layer's inputs and weights) and
 * `shapeOf`.
 *
 * The API is shared by every layer family's tests: add options, do not change existing ones.
 */
import { expect } from "vitest";
import { KerasTensor, Tensor, lax, memory, ops, tidy } from "../../src/index";
import type { DType } from "../../src/tensor/dtype";
import { Layer, type CallArgs } from "../../src/layers/layer";
import { deserializeKerasObject, serializeKerasObject } from "../../src/saving/serialization";
import { expectAllclose, numericGrad, randomValues } from "../utils";

type Shape = (number | null)[];
type ShapeStructure = Shape | ShapeStructure[];

/** A layer class (constructed with `init`) or a factory returning a fresh layer. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type LayerFactory = (abstract new (...args: any[]) => Layer) | (() => Layer);

export interface LayerTestOptions {
  /**
   * Constructor arguments for a class: an array is spread (`[32, { activation: "relu" }]`),
   * anything else is passed as the single argument (`{ rate: 0.5 }`). Ignored for factories.
   */
  init?: unknown;
  /**
   * Input shape(s) including the batch dimension, as in Keras (`[2, 3]`). A list of shapes for
   * multi-input layers (`[[2, 3], [2, 3]]`). The symbolic check replaces the batch dim by null.
   */
  inputShape: ShapeStructure;
  /** Input dtype (one for all inputs, or one per input). Default "float32". */
  inputDtype?: DType | DType[];
  /** Concrete inputs for the eager call (default: random values, ints in [0, 4) for int dtypes). */
  inputData?: Tensor | Tensor[];
  /** Extra call arguments (e.g. `{ training: true }`), used for both symbolic and eager calls. */
  callArgs?: CallArgs;
  /** Output shape(s) with the batch dimension of `inputShape`; the symbolic check expects null there. */
  expectedOutputShape?: ShapeStructure;
  /** Output dtype (all outputs). */
  expectedOutputDtype?: DType;
  expectedNumTrainableWeights?: number;
  expectedNumNonTrainableWeights?: number;
  /** Short weight names (`Variable.name`) in `layer.weights` order, e.g. ["kernel", "bias"]. */
  expectedWeightNames?: string[];
  /** One gradient step on the trainable weights must change them (needs trainable weights). */
  runTrainingCheck?: boolean;
  /** Expected value of `layer.supportsMasking`. */
  supportsMasking?: boolean;
  /** Check that an eager call inside `tidy` leaves no tensor behind (default true). */
  checkLeaks?: boolean;
  /** Skip the symbolic call (layers that cannot run symbolically). Default false. */
  skipSymbolic?: boolean;
}

export interface LayerTestResult {
  /** The layer used for the symbolic and eager calls (built). */
  layer: Layer;
  /** The eager inputs. */
  inputs: Tensor[];
  /** The eager outputs, flattened. */
  outputs: Tensor[];
}

function isShape(x: unknown): x is Shape {
  return Array.isArray(x) && x.every((d) => d === null || typeof d === "number");
}

function isLayerClass(f: LayerFactory): f is abstract new (...args: unknown[]) => Layer {
  return typeof f === "function" && f.prototype instanceof Layer;
}

/** A fresh layer from a class + init, or from a factory. */
export function makeLayer(factory: LayerFactory, init?: unknown): Layer {
  if (isLayerClass(factory)) {
    const C = factory as unknown as new (...args: unknown[]) => Layer;
    if (init === undefined) return new C();
    return Array.isArray(init) ? new C(...init) : new C(init);
  }
  return (factory as () => Layer)();
}

/** Builds a tensor from flat data and a shape. */
export function tensor(
  data: ArrayLike<number>,
  shape: readonly number[],
  dtype: DType = "float32",
): Tensor {
  return lax.constant(Array.from(data), [...shape], dtype) as Tensor;
}

/** Random test data for a shape: floats in [-1, 1), ints in [0, 4), bools. */
export function randomTensor(shape: readonly number[], dtype: DType = "float32", seed = 1): Tensor {
  const n = shape.reduce((a, d) => a * d, 1);
  const u = randomValues(n, seed, 0, 1);
  if (dtype === "float32")
    return tensor(
      Array.from(u, (v) => 2 * v - 1),
      shape,
      dtype,
    );
  if (dtype === "bool")
    return tensor(
      Array.from(u, (v) => (v < 0.5 ? 0 : 1)),
      shape,
      dtype,
    );
  return tensor(
    Array.from(u, (v) => Math.floor(v * 4)),
    shape,
    dtype,
  );
}

export function shapeOf(t: Tensor | KerasTensor): Shape {
  return [...t.shape];
}

function flattenOut(x: unknown): (Tensor | KerasTensor)[] {
  if (x instanceof Tensor || x instanceof KerasTensor) return [x];
  if (Array.isArray(x)) return x.flatMap(flattenOut);
  if (x && typeof x === "object") return Object.values(x).flatMap(flattenOut);
  return [];
}

function flattenShapes(s: ShapeStructure): Shape[] {
  return isShape(s) ? [s] : (s as ShapeStructure[]).flatMap(flattenShapes);
}

function withNullBatch(s: Shape): Shape {
  return s.length === 0 ? s : [null, ...s.slice(1)];
}

/** JSON round trip, as a config goes through config.json. */
function jsonClone<T>(x: T): T {
  return JSON.parse(JSON.stringify(x)) as T;
}

/** getConfig -> fromConfig -> getConfig, directly and through serialize/deserialize. */
export function checkConfigRoundTrip(layer: Layer): void {
  const cls = layer.constructor as unknown as {
    fromConfig?: (c: Record<string, unknown>) => Layer;
    className: string;
  };
  expect(
    Object.prototype.hasOwnProperty.call(cls, "className"),
    `${cls.className}: static className must be set on the class`,
  ).toBe(true);
  const config = layer.getConfig();
  expect(typeof cls.fromConfig, `${cls.className}.fromConfig`).toBe("function");
  const again = cls.fromConfig!(jsonClone(config));
  expect(again.constructor).toBe(layer.constructor);
  expect(jsonClone(again.getConfig())).toEqual(jsonClone(config));
  const ser = jsonClone(serializeKerasObject(layer)) as Record<string, unknown>;
  expect(
    ser.module,
    `${cls.className} must be registered with registerBuiltin("keras.layers", ...)`,
  ).toBe("keras.layers");
  expect(ser.class_name).toBe(cls.className);
  expect(ser.registered_name).toBe(null);
  const de = deserializeKerasObject({ ...ser, build_config: undefined }) as Layer;
  expect(de.constructor).toBe(layer.constructor);
  expect(jsonClone(de.getConfig())).toEqual(jsonClone(config));
}

/**
 * Runs the standard checks on a layer (Keras `run_layer_test`). Returns the built layer and its
 * eager inputs / outputs for further value checks.
 * @example
 * runLayerTest(Dense, { init: [4], inputShape: [2, 3], expectedOutputShape: [2, 4],
 *   expectedNumTrainableWeights: 2, expectedWeightNames: ["kernel", "bias"], runTrainingCheck: true });
 */
export function runLayerTest(factory: LayerFactory, options: LayerTestOptions): LayerTestResult {
  const multi = !isShape(options.inputShape);
  const inShapes = flattenShapes(options.inputShape);
  const dtypes = inShapes.map((_, i) =>
    Array.isArray(options.inputDtype) ? options.inputDtype[i]! : (options.inputDtype ?? "float32"),
  );
  const callArgs = options.callArgs ?? {};

  // 1. Config round trip on an unbuilt layer.
  const fresh = makeLayer(factory, options.init);
  checkConfigRoundTrip(fresh);
  if (options.supportsMasking !== undefined)
    expect(fresh.supportsMasking, "supportsMasking").toBe(options.supportsMasking);

  const layer = makeLayer(factory, options.init);
  const expectedShapes =
    options.expectedOutputShape === undefined ? null : flattenShapes(options.expectedOutputShape);

  // 2. Symbolic call with an unknown batch dimension: builds the layer.
  if (!options.skipSymbolic) {
    const kts = inShapes.map((s, i) => new KerasTensor(withNullBatch(s), dtypes[i]));
    const symOut = flattenOut(layer.apply(multi ? kts : kts[0], callArgs));
    expect(layer.built, "built after a symbolic call").toBe(true);
    for (const o of symOut) expect(o).toBeInstanceOf(KerasTensor);
    if (expectedShapes) {
      expect(symOut.length, "number of outputs").toBe(expectedShapes.length);
      symOut.forEach((o, i) =>
        expect(shapeOf(o), `symbolic output ${i} shape`).toEqual(withNullBatch(expectedShapes[i]!)),
      );
    }
    if (options.expectedOutputDtype)
      for (const o of symOut)
        expect(o.dtype, "symbolic output dtype").toBe(options.expectedOutputDtype);
  }

  // 3. Eager call.
  const inputs: Tensor[] = options.inputData
    ? Array.isArray(options.inputData)
      ? options.inputData
      : [options.inputData]
    : inShapes.map((s, i) => randomTensor(s as number[], dtypes[i], 7 + i));
  const eagerIn = multi ? inputs : inputs[0];
  const outputs = flattenOut(layer.apply(eagerIn, callArgs)) as Tensor[];
  for (const o of outputs) expect(o).toBeInstanceOf(Tensor);
  if (expectedShapes) {
    expect(outputs.length, "number of outputs").toBe(expectedShapes.length);
    outputs.forEach((o, i) =>
      expect(shapeOf(o), `eager output ${i} shape`).toEqual(expectedShapes[i]),
    );
  }
  if (options.expectedOutputDtype)
    for (const o of outputs)
      expect(o.dtype, "eager output dtype").toBe(options.expectedOutputDtype);

  // 4. Weights.
  if (options.expectedNumTrainableWeights !== undefined)
    expect(layer.trainableWeights.length, "number of trainable weights").toBe(
      options.expectedNumTrainableWeights,
    );
  if (options.expectedNumNonTrainableWeights !== undefined)
    expect(layer.nonTrainableWeights.length, "number of non-trainable weights").toBe(
      options.expectedNumNonTrainableWeights,
    );
  if (options.expectedWeightNames)
    expect(
      layer.weights.map((w) => w.name),
      "weight names",
    ).toEqual(options.expectedWeightNames);

  // 5. Config after build.
  checkConfigRoundTrip(layer);

  // 6. No leaks from an eager call inside tidy.
  if (options.checkLeaks ?? true) {
    layer.clearLosses();
    const before = memory().numTensors;
    tidy(() => {
      layer.apply(eagerIn, callArgs);
    });
    layer.clearLosses();
    expect(memory().numTensors, "live tensors after an eager call in tidy").toBe(before);
  }

  // 7. One gradient step changes every trainable weight that the output depends on.
  if (options.runTrainingCheck) {
    const ws = layer.trainableWeights;
    expect(ws.length, "runTrainingCheck needs trainable weights").toBeGreaterThan(0);
    const before = ws.map((w) => Array.from(w.value.dataSync()));
    tidy(() => {
      // Squared error to fixed pseudo-random targets (Keras fits random targets): a gradient
      // that vanishes at zero-initialized weights for a target of 0 does not vanish here.
      const target = (o: Tensor, i: number): Tensor =>
        tensor(randomValues(o.size, 31 + i, -1, 1), o.shape);
      const [loss, grads] = ops.valueAndGrad((_vals: Tensor[]) => {
        const outs = flattenOut(layer.apply(eagerIn, { ...callArgs, training: true })) as Tensor[];
        let total: Tensor = ops.mean(ops.square(ops.subtract(outs[0]!, target(outs[0]!, 0))));
        outs.slice(1).forEach((o, i) => {
          total = ops.add(total, ops.mean(ops.square(ops.subtract(o, target(o, i + 1)))));
        });
        for (const l of layer.losses) total = ops.add(total, l);
        return total;
      })(ws.map((w) => w.value));
      expect(Number.isFinite(loss.dataSync()[0]!), "finite loss").toBe(true);
      const g = grads as Tensor[];
      ws.forEach((w, i) => w.assign(ops.subtract(w.value, ops.multiply(g[i]!, 0.1))));
    });
    const changed = ws.map((w, i) =>
      Array.from(w.value.dataSync()).some((v, j) => v !== before[i]![j]),
    );
    expect(
      changed.some((c) => c),
      "a gradient step changes the trainable weights",
    ).toBe(true);
  }
  return { layer, inputs, outputs };
}

export interface GradCheckInput {
  shape: number[];
  data: ArrayLike<number>;
}

/**
 * Compares autodiff gradients of `fn` (a scalar function of float32 tensors) with central
 * differences of `ref` (the same function as a float64 JS reference on flat arrays).
 * @example
 * checkGradients((x, w) => ops.sum(ops.matmul(x, w)), (x, w) => ..., [{shape:[2,3], data}, {shape:[3,4], data}]);
 */
export function checkGradients(
  fn: (...xs: Tensor[]) => Tensor,
  ref: (...xs: Float64Array[]) => number,
  inputs: GradCheckInput[],
  { rtol = 1e-3, atol = 1e-4, eps = 1e-4 }: { rtol?: number; atol?: number; eps?: number } = {},
): void {
  const ts = inputs.map((x) => tensor(x.data, x.shape));
  const argnums = inputs.map((_, i) => i);
  const [value, grads] = ops.valueAndGrad(fn, { argnums })(...ts);
  const xs64 = inputs.map((x) => Float64Array.from(x.data));
  expectAllclose(value, ref(...xs64), { rtol: 1e-4, atol: 1e-5 });
  const gs = (Array.isArray(grads) ? grads : [grads]) as Tensor[];
  inputs.forEach((_, i) => {
    const num = numericGrad((xi) => ref(...xs64.map((x, j) => (j === i ? xi : x))), xs64[i]!, eps);
    expectAllclose(gs[i]!, num, { rtol, atol });
  });
}

/**
 * Checks the gradients of a built layer w.r.t. its inputs and its trainable weights against
 * central differences of a float64 reference forward pass. The loss is `sum(output * c)` with
 * fixed pseudo-random `c`, so every output element matters.
 * `refForward(xs, ws)` gets the inputs and the trainable weights (in `trainableWeights` order) as
 * flat float64 arrays and returns the flat output.
 * @example
 * checkLayerGradients(dense, [{ shape: [2, 3], data }], ([x], [k, b]) => denseRef(x, k, b));
 */
export function checkLayerGradients(
  layer: Layer,
  inputs: GradCheckInput[],
  refForward: (xs: Float64Array[], ws: Float64Array[]) => ArrayLike<number>,
  { rtol = 2e-3, atol = 2e-4, eps = 1e-4, callArgs = {} as CallArgs } = {},
): void {
  const xs = inputs.map((x) => tensor(x.data, x.shape));
  const multi = inputs.length > 1;
  if (!layer.built) layer.apply(multi ? xs : xs[0], callArgs);
  const ws = layer.trainableWeights;
  const out0 = flattenOut(layer.apply(multi ? xs : xs[0], callArgs))[0] as Tensor;
  const coeffs = randomValues(out0.size, 99, -1, 1);
  const c = tensor(coeffs, out0.shape);
  const nx = inputs.length;
  const argnums = [...inputs.map((_, i) => i), ...ws.map((_, j) => nx + j)];
  const fn = (...args: Tensor[]): Tensor => {
    const ins = args.slice(0, nx);
    const out = flattenOut(layer.apply(multi ? ins : ins[0], callArgs))[0] as Tensor;
    return ops.sum(ops.multiply(out, c));
  };
  const [, grads] = ops.valueAndGrad(fn, { argnums })(...xs, ...ws.map((w) => w.value));
  const gs = grads as Tensor[];
  const xs64 = inputs.map((x) => Float64Array.from(x.data));
  const ws64 = ws.map((w) => Float64Array.from(w.value.dataSync()));
  const all64 = [...xs64, ...ws64];
  const loss = (vals: Float64Array[]): number => {
    const out = refForward(vals.slice(0, nx), vals.slice(nx));
    let s = 0;
    for (let i = 0; i < out.length; i++) s += out[i]! * coeffs[i]!;
    return s;
  };
  expectAllclose(out0, refForward(xs64, ws64), { rtol: 1e-4, atol: 1e-5 });
  all64.forEach((_, i) => {
    const num = numericGrad((vi) => loss(all64.map((v, j) => (j === i ? vi : v))), all64[i]!, eps);
    expectAllclose(gs[i]!, num, { rtol, atol });
  });
}
