/**
 * `keras.losses`: loss classes, functional losses, and `get` / `serialize` / `deserialize`
 * (Keras `keras/src/losses/__init__.py`). Classes and functions are registered with the
 * serialization tables under "keras.losses" (functions also under "keras.metrics", as Keras
 * exports them there too).
 */
import { ValueError, fmt } from "../errors";
import {
  deserializeKerasObject,
  registerBuiltin,
  serializeKerasObject,
} from "../saving/serialization";
import {
  BinaryCrossentropy,
  BinaryFocalCrossentropy,
  CategoricalCrossentropy,
  CategoricalFocalCrossentropy,
  CategoricalHinge,
  CosineSimilarity,
  Dice,
  Hinge,
  Huber,
  KLDivergence,
  LOSS_FUNCTIONS,
  LogCosh,
  LossFunctionWrapper,
  MeanAbsoluteError,
  MeanAbsolutePercentageError,
  MeanSquaredError,
  MeanSquaredLogarithmicError,
  Poisson,
  SparseCategoricalCrossentropy,
  SquaredHinge,
  Tversky,
  type LossFn,
} from "./losses";
import { Loss } from "./loss";
import {
  binaryCrossentropy,
  categoricalCrossentropy,
  sparseCategoricalCrossentropy,
} from "./functions";

export {
  Loss,
  standardizeReduction,
  squeezeOrExpandToSameRank,
  reduceValues,
  reduceWeightedValues,
  applyMask,
  setLossMask,
  getLossMask,
  type LossOptions,
  type Reduction,
} from "./loss";
export * from "./functions";
export {
  LossFunctionWrapper,
  LOSS_FUNCTIONS,
  lossFunctionName,
  type LossFn,
  type CrossentropyLossOptions,
  MeanSquaredError,
  MeanAbsoluteError,
  MeanAbsolutePercentageError,
  MeanSquaredLogarithmicError,
  CosineSimilarity,
  Huber,
  LogCosh,
  Hinge,
  SquaredHinge,
  CategoricalHinge,
  KLDivergence,
  Poisson,
  BinaryCrossentropy,
  BinaryFocalCrossentropy,
  CategoricalCrossentropy,
  CategoricalFocalCrossentropy,
  SparseCategoricalCrossentropy,
  Dice,
  Tversky,
} from "./losses";

/** Every built-in loss class, keyed by its Keras class name. */
export const LOSS_CLASSES = {
  Loss,
  LossFunctionWrapper,
  KLDivergence,
  Poisson,
  BinaryCrossentropy,
  BinaryFocalCrossentropy,
  CategoricalCrossentropy,
  CategoricalFocalCrossentropy,
  SparseCategoricalCrossentropy,
  MeanSquaredError,
  MeanAbsoluteError,
  MeanAbsolutePercentageError,
  MeanSquaredLogarithmicError,
  CosineSimilarity,
  LogCosh,
  Huber,
  Hinge,
  SquaredHinge,
  CategoricalHinge,
  Dice,
  Tversky,
} as const;

/** Short names accepted by `get` (Keras `ALL_OBJECTS_DICT` aliases). */
const ALIASES: Record<string, string> = {
  bce: "binary_crossentropy",
  BCE: "binary_crossentropy",
  kld: "kl_divergence",
  KLD: "kl_divergence",
  mae: "mean_absolute_error",
  MAE: "mean_absolute_error",
  mse: "mean_squared_error",
  MSE: "mean_squared_error",
  mape: "mean_absolute_percentage_error",
  MAPE: "mean_absolute_percentage_error",
  msle: "mean_squared_logarithmic_error",
  MSLE: "mean_squared_logarithmic_error",
};

for (const [name, cls] of Object.entries(LOSS_CLASSES)) registerBuiltin("keras.losses", name, cls);
for (const [name, fn] of Object.entries(LOSS_FUNCTIONS)) {
  const aliases = Object.entries(ALIASES)
    .filter(([, v]) => v === name)
    .map(([k]) => k);
  registerBuiltin("keras.losses", name, fn, aliases);
  registerBuiltin("keras.metrics", name, fn);
}

/** Name -> class or function table used to resolve strings (Keras `ALL_OBJECTS_DICT`). */
function allObjects(): Record<string, unknown> {
  const out: Record<string, unknown> = { ...LOSS_CLASSES, ...LOSS_FUNCTIONS };
  for (const [alias, name] of Object.entries(ALIASES)) out[alias] = LOSS_FUNCTIONS[name];
  return out;
}

/** A loss as `compile` accepts it: a `Loss` instance or a function of (yTrue, yPred). */
export type LossLike = Loss | LossFn;

/**
 * Serializes a loss instance or built-in loss function (Keras `keras.losses.serialize`).
 * @example keras.losses.serialize(new keras.losses.Huber()); // {module: "keras.losses", class_name: "Huber", ...}
 */
export function serialize(loss: LossLike): unknown {
  return serializeKerasObject(loss);
}

/**
 * Rebuilds a loss from `serialize`'s output or a name (Keras `keras.losses.deserialize`).
 * @example keras.losses.deserialize({ class_name: "Huber", config: { name: "huber_loss", reduction: "sum" } });
 */
export function deserialize(
  config: unknown,
  customObjects: Record<string, unknown> | null = null,
): unknown {
  return deserializeKerasObject(config, { moduleObjects: allObjects(), customObjects });
}

/**
 * Resolves a loss identifier (Keras `keras.losses.get`): `null` -> `null`; a string names a loss
 * function ("mse", "categorical_crossentropy", "huber", …) or class ("Huber", built with its
 * defaults); a `{class_name, config}` dict is deserialized; a `Loss` or function passes through.
 * @example const loss = keras.losses.get("sparse_categorical_crossentropy");
 */
export function get(identifier: unknown): LossLike | null {
  if (identifier === null || identifier === undefined) return null;
  let obj: unknown;
  if (typeof identifier === "string") obj = allObjects()[identifier];
  else if (typeof identifier === "object" && !(identifier instanceof Loss))
    obj = deserialize(identifier);
  else obj = identifier;
  if (typeof obj === "function" && obj.prototype instanceof Loss) {
    if (obj === LossFunctionWrapper || obj === Loss)
      throw new ValueError(
        `Could not interpret loss identifier: ${fmt(identifier)} needs arguments. Received: loss=${fmt(identifier)}`,
      );
    obj = new (obj as new () => Loss)();
  }
  if (obj instanceof Loss || typeof obj === "function") return obj as LossLike;
  throw new ValueError(`Could not interpret loss identifier. Received: loss=${fmt(identifier)}`);
}

/** Keras `is_binary_or_sparse_categorical`: which crossentropy / accuracy fits these shapes. */
export function isBinaryOrSparseCategorical(
  yTrueShape: readonly (number | null)[],
  yPredShape: readonly (number | null)[],
): { isBinary: boolean; isSparseCategorical: boolean } {
  const tLast = yTrueShape[yTrueShape.length - 1];
  const pLast = yPredShape[yPredShape.length - 1];
  const isBinary = pLast === 1;
  const isSparseCategorical =
    yTrueShape.length < yPredShape.length ||
    (tLast === 1 && pLast !== null && pLast !== undefined && pLast > 1);
  return { isBinary, isSparseCategorical };
}

/**
 * The loss `compile` uses for an identifier (Keras `compile_utils.get_loss`): "crossentropy" /
 * "ce" pick binary, sparse or categorical crossentropy from the target and output shapes; other
 * identifiers go through `get`. Functions are wrapped in `LossFunctionWrapper` named after the
 * identifier.
 * @example resolveLoss("ce", [null], [null, 10]); // sparse_categorical_crossentropy wrapper named "ce"
 */
export function resolveLoss(
  identifier: unknown,
  yTrueShape: readonly (number | null)[],
  yPredShape: readonly (number | null)[],
): Loss | null {
  if (identifier === null || identifier === undefined) return null;
  let obj: LossLike | null;
  if (typeof identifier === "string" && ["crossentropy", "ce"].includes(identifier.toLowerCase())) {
    const { isBinary, isSparseCategorical } = isBinaryOrSparseCategorical(yTrueShape, yPredShape);
    obj = isBinary
      ? binaryCrossentropy
      : isSparseCategorical
        ? sparseCategoricalCrossentropy
        : categoricalCrossentropy;
  } else obj = get(identifier);
  if (obj === null) return null;
  if (obj instanceof Loss) return obj;
  const name = typeof identifier === "string" ? identifier : undefined;
  return new LossFunctionWrapper(obj, { name });
}
