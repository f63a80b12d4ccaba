/**
 * Rescaling (Keras 3 `keras/src/layers/preprocessing/rescaling.py`): `x * scale + offset`, e.g.
 * `scale = 1 / 255` to map [0, 255] pixels to [0, 1]. `scale` and `offset` may be numbers or
 * per-channel lists (broadcast against the last axis).
 *
 * Python reference: https://github.com/keras-team/keras/blob/v3.15.1/keras/src/layers/preprocessing/rescaling.py
 */
import { ValueError, fmt } from "../../errors";
import type { AnyTensor } from "../../engine/bind";
import * as ops from "../../ops/index";
import {
  deserializeKerasObject,
  registerBuiltin,
  serializeKerasObject,
} from "../../saving/serialization";
import { Tensor, type NestedArray } from "../../tensor/tensor";
import { Layer, type LayerOptions, optionsFromConfig } from "../layer";

export type ScaleValue = number | NestedArray;

export interface RescalingOptions extends LayerOptions {
  /** Added after scaling (default 0). */
  offset?: ScaleValue;
}

function checkValue(where: string, name: string, v: unknown): ScaleValue {
  const ok = (x: unknown): boolean =>
    typeof x === "number" ? Number.isFinite(x) : Array.isArray(x) && x.every(ok);
  if (!ok(v))
    throw new ValueError(
      `${where}: \`${name}\` must be a number or a (nested) list of numbers. Received: ${name}=${fmt(v)}`,
    );
  return v as ScaleValue;
}

/** A number or list as is; a serialized array (`__numpy__` / `__tensor__`, as Keras writes NumPy values) as a nested list. */
function fromSerialized(v: unknown): ScaleValue {
  if (v !== null && typeof v === "object" && !Array.isArray(v)) {
    const t = deserializeKerasObject(v);
    if (t instanceof Tensor) {
      const out = t.arraySync();
      t.dispose();
      return out as ScaleValue;
    }
  }
  return v as ScaleValue;
}

/**
 * A preprocessing layer which rescales input values to a new range.
 * @example const y = new keras.layers.Rescaling(1 / 255).apply(images);
 */
export class Rescaling extends Layer {
  static override className = "Rescaling";
  readonly scale: ScaleValue;
  readonly offset: ScaleValue;

  constructor(scale: ScaleValue, options: RescalingOptions = {}) {
    super(options);
    this.scale = checkValue(`Rescaling "${this.name}"`, "scale", scale);
    this.offset = checkValue(`Rescaling "${this.name}"`, "offset", options.offset ?? 0.0);
    this.supportsMasking = true;
    this.built = true;
  }

  call(inputs: AnyTensor): AnyTensor {
    const dtype = this.dtype;
    const x = inputs.dtype === dtype ? inputs : ops.cast<AnyTensor>(inputs, dtype);
    const scale =
      typeof this.scale === "number" ? this.scale : ops.convertToTensor(this.scale, dtype);
    const offset =
      typeof this.offset === "number" ? this.offset : ops.convertToTensor(this.offset, dtype);
    return ops.add<AnyTensor>(ops.multiply(x, scale), offset);
  }

  /** The mask passes through. */
  computeMask(_inputs: unknown, mask: unknown = null): unknown {
    return mask;
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      scale: serializeKerasObject(this.scale),
      offset: serializeKerasObject(this.offset),
    };
  }

  static fromConfig(config: Record<string, unknown>): Rescaling {
    const options = optionsFromConfig<RescalingOptions>(config, ["scale"]);
    if (options.offset !== undefined) options.offset = fromSerialized(options.offset);
    return new Rescaling(fromSerialized(config.scale), options);
  }
}

registerBuiltin("keras.layers", "Rescaling", Rescaling);
