/**
 * `keras.metrics`: metric classes, the per-sample metric functions, `get` / `serialize` /
 * `deserialize` (Keras `keras/src/metrics/__init__.py`), and the compile-time resolution of
 * "accuracy" / "acc" (Keras `trainers/compile_utils.get_metric`). Classes are registered with the
 * serialization tables under "keras.metrics".
 */
import { ValueError, fmt } from "../errors";
import { isBinaryOrSparseCategorical } from "../losses/index";
import {
  deserializeKerasObject,
  registerBuiltin,
  serializeKerasObject,
} from "../saving/serialization";
import { toSnakeCase } from "../utils/naming";
import {
  Accuracy,
  BinaryAccuracy,
  CategoricalAccuracy,
  SparseCategoricalAccuracy,
  SparseTopKCategoricalAccuracy,
  TopKCategoricalAccuracy,
  accuracy,
  binaryAccuracy,
  categoricalAccuracy,
  sparseCategoricalAccuracy,
  sparseTopKCategoricalAccuracy,
  topKCategoricalAccuracy,
} from "./accuracy_metrics";
import {
  AUC,
  FalseNegatives,
  FalsePositives,
  Precision,
  Recall,
  TrueNegatives,
  TruePositives,
} from "./confusion_metrics";
import { CategoricalHinge, Hinge, SquaredHinge } from "./hinge_metrics";
import { Metric } from "./metric";
import {
  BinaryCrossentropy,
  CategoricalCrossentropy,
  KLDivergence,
  Poisson,
  SparseCategoricalCrossentropy,
} from "./probabilistic_metrics";
import { Mean, MeanMetricWrapper, Sum, type MetricFn } from "./reduction_metrics";
import {
  CosineSimilarity,
  LogCoshError,
  MeanAbsoluteError,
  MeanAbsolutePercentageError,
  MeanSquaredError,
  MeanSquaredLogarithmicError,
  RootMeanSquaredError,
} from "./regression_metrics";

export { Metric, type MetricOptions, type AddVariableOptions } from "./metric";
export {
  Sum,
  Mean,
  MeanMetricWrapper,
  reduceToSamplewiseValues,
  type MetricFn,
} from "./reduction_metrics";
export {
  accuracy,
  binaryAccuracy,
  categoricalAccuracy,
  sparseCategoricalAccuracy,
  topKCategoricalAccuracy,
  sparseTopKCategoricalAccuracy,
  inTopK,
  Accuracy,
  BinaryAccuracy,
  CategoricalAccuracy,
  SparseCategoricalAccuracy,
  TopKCategoricalAccuracy,
  SparseTopKCategoricalAccuracy,
} from "./accuracy_metrics";
export {
  AUC,
  Precision,
  Recall,
  TruePositives,
  FalsePositives,
  TrueNegatives,
  FalseNegatives,
  type AUCOptions,
  type PrecisionRecallOptions,
  type ThresholdMetricOptions,
} from "./confusion_metrics";
export {
  NEG_INF,
  updateConfusionMatrixVariables,
  isEvenlyDistributedThresholds,
  parseInitThresholds,
  type ConfusionKey,
  type ConfusionUpdateOptions,
} from "./metrics_utils";
export {
  MeanSquaredError,
  MeanAbsoluteError,
  MeanAbsolutePercentageError,
  MeanSquaredLogarithmicError,
  RootMeanSquaredError,
  CosineSimilarity,
  LogCoshError,
} from "./regression_metrics";
export {
  KLDivergence,
  Poisson,
  BinaryCrossentropy,
  CategoricalCrossentropy,
  SparseCategoricalCrossentropy,
} from "./probabilistic_metrics";
export { Hinge, SquaredHinge, CategoricalHinge } from "./hinge_metrics";
// Keras also exports the loss functions as metric functions (keras.metrics.mean_squared_error…).
export {
  meanSquaredError,
  meanAbsoluteError,
  meanAbsolutePercentageError,
  meanSquaredLogarithmicError,
  logCosh,
  hinge,
  squaredHinge,
  categoricalHinge,
  klDivergence,
  poisson,
  binaryCrossentropy,
  binaryFocalCrossentropy,
  categoricalCrossentropy,
  categoricalFocalCrossentropy,
  sparseCategoricalCrossentropy,
  huber,
} from "../losses/functions";

/** Every built-in metric class, keyed by its Keras class name. */
export const METRIC_CLASSES = {
  Metric,
  Mean,
  Sum,
  MeanMetricWrapper,
  MeanSquaredError,
  RootMeanSquaredError,
  MeanAbsoluteError,
  MeanAbsolutePercentageError,
  MeanSquaredLogarithmicError,
  CosineSimilarity,
  LogCoshError,
  AUC,
  FalseNegatives,
  FalsePositives,
  Precision,
  Recall,
  TrueNegatives,
  TruePositives,
  Hinge,
  SquaredHinge,
  CategoricalHinge,
  KLDivergence,
  Poisson,
  BinaryCrossentropy,
  CategoricalCrossentropy,
  SparseCategoricalCrossentropy,
  Accuracy,
  BinaryAccuracy,
  CategoricalAccuracy,
  SparseCategoricalAccuracy,
  TopKCategoricalAccuracy,
  SparseTopKCategoricalAccuracy,
} as const;

/** The accuracy functions, by Keras name (`keras.metrics.binary_accuracy` …). */
export const METRIC_FUNCTIONS: Record<string, MetricFn> = {
  accuracy,
  binary_accuracy: binaryAccuracy,
  categorical_accuracy: categoricalAccuracy,
  sparse_categorical_accuracy: sparseCategoricalAccuracy,
  top_k_categorical_accuracy: topKCategoricalAccuracy,
  sparse_top_k_categorical_accuracy: sparseTopKCategoricalAccuracy,
};

const ALIASES: Record<string, keyof typeof METRIC_CLASSES> = {
  bce: "BinaryCrossentropy",
  BCE: "BinaryCrossentropy",
  mse: "MeanSquaredError",
  MSE: "MeanSquaredError",
  mae: "MeanAbsoluteError",
  MAE: "MeanAbsoluteError",
  mape: "MeanAbsolutePercentageError",
  MAPE: "MeanAbsolutePercentageError",
  msle: "MeanSquaredLogarithmicError",
  MSLE: "MeanSquaredLogarithmicError",
};

/** Name -> class table (Keras `ALL_OBJECTS_DICT`): class names, their snake_case, aliases. */
function allObjects(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, cls] of Object.entries(METRIC_CLASSES)) {
    out[name] = cls;
    out[toSnakeCase(name)] = cls;
  }
  for (const [alias, name] of Object.entries(ALIASES)) out[alias] = METRIC_CLASSES[name];
  return out;
}

for (const [name, cls] of Object.entries(METRIC_CLASSES))
  registerBuiltin("keras.metrics", name, cls);
for (const [name, fn] of Object.entries(METRIC_FUNCTIONS))
  registerBuiltin("keras.metrics", name, fn);

/** A metric as `compile` accepts it: a `Metric` or a per-sample function. */
export type MetricLike = Metric | MetricFn;

/**
 * Serializes a metric (Keras `keras.metrics.serialize`).
 * @example keras.metrics.serialize(new keras.metrics.AUC()); // {module: "keras.metrics", class_name: "AUC", ...}
 */
export function serialize(metric: MetricLike): unknown {
  return serializeKerasObject(metric);
}

/**
 * Rebuilds a metric from `serialize`'s output or a name (Keras `keras.metrics.deserialize`).
 * @example keras.metrics.deserialize({ class_name: "Precision", config: { thresholds: 0.7 } });
 */
export function deserialize(
  config: unknown,
  customObjects: Record<string, unknown> | null = null,
): unknown {
  return deserializeKerasObject(config, { moduleObjects: allObjects(), customObjects });
}

/**
 * Resolves a metric identifier (Keras `keras.metrics.get`): a class name or its snake_case
 * ("AUC", "auc", "binary_accuracy", "mse", …) gives a new instance with default arguments; a
 * `{class_name, config}` dict is deserialized; a `Metric` or function passes through. Note that
 * "accuracy" here is the plain `Accuracy` metric: `compile` resolves "accuracy" / "acc" by shapes
 * first (see `getMetric` / `resolveAccuracy`).
 * @example const m = keras.metrics.get("binary_accuracy");
 */
export function get(identifier: unknown): MetricLike | null {
  if (identifier === null || identifier === undefined) return null;
  let obj: unknown;
  if (typeof identifier === "string") obj = allObjects()[identifier];
  else if (typeof identifier === "object" && !(identifier instanceof Metric))
    obj = deserialize(identifier);
  else obj = identifier;
  if (typeof obj === "function" && obj.prototype instanceof Metric) {
    if (obj === MeanMetricWrapper || obj === Metric)
      throw new ValueError(
        `Could not interpret metric identifier: it needs arguments. Received: metric=${fmt(identifier)}`,
      );
    obj = new (obj as new () => Metric)();
  }
  if (obj instanceof Metric || typeof obj === "function") return obj as MetricLike;
  throw new ValueError(
    `Could not interpret metric identifier. Received: metric=${fmt(identifier)}`,
  );
}

/**
 * The accuracy metric Keras 3's `compile` picks for "accuracy" / "acc"
 * (`compile_utils.get_metric`): `BinaryAccuracy` when the output's last dim is 1,
 * `SparseCategoricalAccuracy` when the target has lower rank than the output or ends in 1 while the
 * output has more classes, else `CategoricalAccuracy`. Keras 3 decides from the shapes alone (not
 * from the loss); the metric is named `name` ("accuracy" or "acc", as written by the user).
 * @example resolveAccuracy("accuracy", [null], [null, 10]); // SparseCategoricalAccuracy named "accuracy"
 */
export function resolveAccuracy(
  name: string,
  yTrueShape: readonly (number | null)[],
  yPredShape: readonly (number | null)[],
): BinaryAccuracy | SparseCategoricalAccuracy | CategoricalAccuracy {
  const { isBinary, isSparseCategorical } = isBinaryOrSparseCategorical(yTrueShape, yPredShape);
  if (isBinary) return new BinaryAccuracy({ name });
  if (isSparseCategorical) return new SparseCategoricalAccuracy({ name });
  return new CategoricalAccuracy({ name });
}

/**
 * The metric `compile` builds for one identifier and output (Keras `compile_utils.get_metric`):
 * "accuracy" / "acc" via `resolveAccuracy`, anything else via `get`; functions are wrapped in
 * `MeanMetricWrapper`; a string identifier becomes the metric's name.
 * @example getMetric("mae", [null, 1], [null, 1]); // MeanAbsoluteError named "mae"
 */
export function getMetric(
  identifier: unknown,
  yTrueShape: readonly (number | null)[],
  yPredShape: readonly (number | null)[],
): Metric | null {
  if (identifier === null || identifier === undefined) return null;
  let obj: MetricLike | null;
  if (typeof identifier === "string" && ["accuracy", "acc"].includes(identifier.toLowerCase()))
    obj = resolveAccuracy(identifier, yTrueShape, yPredShape);
  else obj = get(identifier);
  if (obj === null) return null;
  const metric = obj instanceof Metric ? obj : new MeanMetricWrapper(obj);
  if (typeof identifier === "string") {
    metric.name = identifier;
    for (const v of metric.variables) v.path = `${identifier}/${v.name}`;
  }
  return metric;
}
