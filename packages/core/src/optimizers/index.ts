/**
 * `keras.optimizers`: the optimizer classes, their Keras serialization, `get`, and the
 * learning-rate schedules (`schedules`).
 */
import { ValueError, fmt } from "../errors";
import {
  deserializeKerasObject,
  serializeKerasObject,
  type SerializedKerasObject,
} from "../saving/serialization";
import type { CustomObjects } from "../saving/object_registration";
import { Optimizer, type OptimizerClass } from "./optimizer";
import { SGD } from "./sgd";
import { Adam, AdamW } from "./adam";
import { RMSprop } from "./rmsprop";
import { Adagrad } from "./adagrad";
import { Adadelta } from "./adadelta";
import { Adamax } from "./adamax";
import { Nadam } from "./nadam";
import { Lion } from "./lion";
import { Ftrl } from "./ftrl";
import { Lamb } from "./lamb";

export * as schedules from "./schedules/index";
export {
  Optimizer,
  BASE_OPTION_KEYS,
  type OptimizerOptions,
  type OptimizerClass,
  type Gradients,
} from "./optimizer";
export { SGD, type SGDOptions } from "./sgd";
export { Adam, AdamW, type AdamOptions } from "./adam";
export { RMSprop, type RMSpropOptions } from "./rmsprop";
export { Adagrad, type AdagradOptions } from "./adagrad";
export { Adadelta, type AdadeltaOptions } from "./adadelta";
export { Adamax, type AdamaxOptions } from "./adamax";
export { Nadam, type NadamOptions } from "./nadam";
export { Lion, type LionOptions } from "./lion";
export { Ftrl, type FtrlOptions } from "./ftrl";
export { Lamb, type LambOptions } from "./lamb";

/** The built-in optimizers, by lower-case class name (Keras `ALL_OBJECTS_DICT`, plus Lamb). */
export const ALL_OPTIMIZERS: Readonly<Record<string, OptimizerClass>> = Object.fromEntries(
  [SGD, Adam, AdamW, RMSprop, Adagrad, Adadelta, Adamax, Nadam, Lion, Ftrl, Lamb].map((c) => [
    c.className.toLowerCase(),
    c,
  ]),
);

/**
 * Keras `keras.optimizers.serialize`.
 * @example serialize(new Adam()) // {module: "keras.optimizers", class_name: "Adam", config: {...}, registered_name: null}
 */
export function serialize(optimizer: Optimizer): SerializedKerasObject {
  return serializeKerasObject(optimizer) as SerializedKerasObject;
}

/**
 * Keras `keras.optimizers.deserialize`: built-in class names match case-insensitively.
 * @example deserialize({ class_name: "adam", config: { learning_rate: 0.01 } });
 */
export function deserialize(
  config: { class_name: string; [k: string]: unknown },
  customObjects?: CustomObjects,
): Optimizer {
  const lower = config.class_name.toLowerCase();
  const c =
    lower in ALL_OPTIMIZERS ? { ...config, class_name: ALL_OPTIMIZERS[lower]!.className } : config;
  const byClassName = Object.fromEntries(
    Object.values(ALL_OPTIMIZERS).map((k) => [k.className, k]),
  );
  const obj = deserializeKerasObject(c, {
    moduleObjects: byClassName,
    customObjects: customObjects ?? null,
  });
  if (!(obj instanceof Optimizer))
    throw new ValueError(
      `Could not interpret optimizer identifier: ${fmt(config)}. Received: optimizer=${fmt(config)}`,
    );
  return obj;
}

/**
 * Keras `keras.optimizers.get`: an instance (returned as is), a name ("adam", "sgd", …, any
 * case) or a serialized dict.
 * @example const opt = keras.optimizers.get("adam");
 */
export function get(
  identifier: Optimizer | string | { class_name: string; [k: string]: unknown },
): Optimizer {
  if (identifier instanceof Optimizer) return identifier;
  if (typeof identifier === "string") {
    const cls = ALL_OPTIMIZERS[identifier.toLowerCase()];
    if (!cls)
      throw new ValueError(
        `Could not interpret optimizer identifier: ${identifier}. Received: optimizer=${identifier}`,
      );
    return new cls({} as never);
  }
  if (
    identifier !== null &&
    typeof identifier === "object" &&
    typeof identifier.class_name === "string"
  )
    return deserialize({ config: {}, ...identifier });
  throw new ValueError(
    `Could not interpret optimizer identifier: ${fmt(identifier)}. Received: optimizer=${fmt(identifier)}`,
  );
}
