/**
 * `keras.optimizers.schedules`: the built-in learning-rate schedules and their Keras
 * serialization (`{module: "keras.optimizers.schedules", class_name, config, registered_name}`),
 * through the shared serialization tables (user schedules register with
 * `registerKerasSerializable`).
 */
import { ValueError, fmt } from "../../errors";
import {
  deserializeKerasObject,
  serializeKerasObject,
  type SerializedKerasObject,
} from "../../saving/serialization";
import type { CustomObjects } from "../../saving/object_registration";
import { BUILTIN_SCHEDULES, LearningRateSchedule } from "./learning_rate_schedule";

export {
  LearningRateSchedule,
  ExponentialDecay,
  PiecewiseConstantDecay,
  PolynomialDecay,
  InverseTimeDecay,
  CosineDecay,
  CosineDecayRestarts,
  BUILTIN_SCHEDULES,
  toTensor,
  type ScheduleClass,
  type Step,
  type ExponentialDecayOptions,
  type PiecewiseConstantDecayOptions,
  type PolynomialDecayOptions,
  type InverseTimeDecayOptions,
  type CosineDecayOptions,
  type CosineDecayRestartsOptions,
} from "./learning_rate_schedule";

/**
 * Keras `keras.optimizers.schedules.serialize`.
 * @example serialize(new ExponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.9 }));
 * // {module: "keras.optimizers.schedules", class_name: "ExponentialDecay", config: {...}, registered_name: null}
 */
export function serialize(schedule: LearningRateSchedule): SerializedKerasObject {
  return serializeKerasObject(schedule) as SerializedKerasObject;
}

const byName = (): CustomObjects =>
  Object.fromEntries(BUILTIN_SCHEDULES.map((c) => [c.className, c]));

/**
 * Keras `keras.optimizers.schedules.deserialize`: a serialized schedule back to an instance.
 * @example deserialize({ module: "keras.optimizers.schedules", class_name: "CosineDecay", config: { initial_learning_rate: 0.1, decay_steps: 100 }, registered_name: null });
 */
export function deserialize(config: unknown, customObjects?: CustomObjects): LearningRateSchedule {
  const obj = deserializeKerasObject(config, {
    moduleObjects: byName(),
    customObjects: customObjects ?? null,
  });
  if (!(obj instanceof LearningRateSchedule))
    throw new ValueError(
      `schedules.deserialize: the config does not describe a learning rate schedule. Received: ${fmt(config)}`,
    );
  return obj;
}

/**
 * A schedule from an instance (returned as is) or a serialized dict.
 * @example const lr = get({ class_name: "ExponentialDecay", config: { initial_learning_rate: 0.1, decay_steps: 10, decay_rate: 0.5 } });
 */
export function get(identifier: unknown): LearningRateSchedule {
  if (identifier instanceof LearningRateSchedule) return identifier;
  if (identifier !== null && typeof identifier === "object") return deserialize(identifier);
  throw new ValueError(
    `Could not interpret learning rate schedule identifier. Received: schedule=${fmt(identifier)}`,
  );
}
