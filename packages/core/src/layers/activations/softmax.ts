/**
 * Softmax layer (Keras 3 `keras/src/layers/activations/softmax.py`). With a mask (true / 1 =
 * keep), `(1 - mask) * -1e9` is added to the logits first, so masked positions get ~0 weight.
 *
 * Python reference: https://github.com/keras-team/keras/blob/v3.15.1/keras/src/layers/activations/softmax.py
 */
import type { AnyTensor } from "../../engine/bind";
import * as activations from "../../activations/index";
import * as ops from "../../ops/index";
import { registerBuiltin } from "../../saving/serialization";
import { Layer, type CallArgs, type LayerOptions, optionsFromConfig } from "../layer";

/** Keras `_large_negative_number` for float32. */
const LARGE_NEGATIVE = -1e9;

export interface SoftmaxOptions extends LayerOptions {
  /** Axis or axes of the normalization (default -1). */
  axis?: number | readonly number[];
}

/**
 * Softmax activation layer; `call` accepts `{ mask }` (same shape as the inputs, 1 = keep).
 * @example
 * const sm = new keras.layers.Softmax();
 * const p = sm.apply(logits, { mask }); // masked positions get probability ~0
 */
export class Softmax extends Layer {
  static override className = "Softmax";
  readonly axis: number | number[];

  constructor(options: SoftmaxOptions = {}) {
    super(options);
    const axis = options.axis ?? -1;
    this.axis = typeof axis === "number" ? axis : [...axis];
    this.supportsMasking = true;
    this.built = true;
  }

  call(inputs: AnyTensor, args: CallArgs = {}): AnyTensor {
    let x = inputs;
    const mask = args.mask as AnyTensor | null | undefined;
    if (mask !== null && mask !== undefined) {
      const adder = ops.multiply(ops.subtract(1, ops.cast(mask, x.dtype)), LARGE_NEGATIVE);
      x = ops.add<AnyTensor>(x, adder);
    }
    if (Array.isArray(this.axis)) {
      if (this.axis.length > 1)
        return ops.exp<AnyTensor>(ops.subtract(x, ops.logsumexp(x, this.axis, true)));
      return activations.softmax<AnyTensor>(x, this.axis[0]!);
    }
    return activations.softmax<AnyTensor>(x, this.axis);
  }

  /** The mask passes through. */
  computeMask(_inputs: unknown, mask: unknown = null): unknown {
    return mask;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), axis: Array.isArray(this.axis) ? [...this.axis] : this.axis };
  }

  static fromConfig(config: Record<string, unknown>): Softmax {
    return new Softmax(optionsFromConfig(config));
  }
}

registerBuiltin("keras.layers", "Softmax", Softmax);
