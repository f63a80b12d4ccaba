/**
 * Permute (Keras 3 `keras/src/layers/reshaping/permute.py`): permutes the non-batch axes.
 * `dims` is 1-based (axis 0 is the batch), as in Keras.
 *
 * Python reference: https://github.com/keras-team/keras/blob/v3.15.1/keras/src/layers/reshaping/permute.py
 */
import { ValueError, fmt } from "../../errors";
import type { AnyTensor } from "../../engine/bind";
import * as ops from "../../ops/index";
import { registerBuiltin } from "../../saving/serialization";
import { Layer, type LayerOptions, optionsFromConfig } from "../layer";
import { assertInputCompatible } from "../input_spec";

/**
 * Permutes the dimensions of the input according to a given pattern (1-based, batch excluded).
 * @example new keras.layers.Permute([2, 1]).apply(keras.Input([10, 64])); // shape (None, 64, 10)
 */
export class Permute extends Layer {
  static override className = "Permute";
  readonly dims: number[];

  constructor(dims: readonly number[], options: LayerOptions = {}) {
    super(options);
    const sorted = Array.isArray(dims) ? [...dims].sort((a, b) => a - b) : null;
    if (!sorted || sorted.some((d, i) => d !== i + 1))
      throw new ValueError(
        `Permute "${this.name}": invalid permutation argument \`dims\` for Permute Layer. The set of indices in \`dims\` must be consecutive and start from 1. Received: dims=${fmt(dims)}`,
      );
    this.dims = [...dims];
    this.built = true;
  }

  call(inputs: AnyTensor): AnyTensor {
    assertInputCompatible(this, { ndim: this.dims.length + 1 }, inputs.shape);
    return ops.transpose<AnyTensor>(inputs, [0, ...this.dims]);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), dims: [...this.dims] };
  }

  static fromConfig(config: Record<string, unknown>): Permute {
    return new Permute(config.dims as number[], optionsFromConfig(config, ["dims"]));
  }
}

registerBuiltin("keras.layers", "Permute", Permute);
