/**
 * Dropout (Keras 3 `keras/src/layers/regularization/dropout.py`): in training, zeroes entries
 * with probability `rate` and scales the rest by `1 / (1 - rate)`; the identity otherwise.
 * Randomness comes from a SeedGenerator owned by the layer, so a seeded layer gives a
 * reproducible sequence of masks.
 *
 * Python reference: https://github.com/keras-team/keras/blob/v3.15.1/keras/src/layers/regularization/dropout.py
 */
import { ValueError, fmt } from "../../errors";
import type { AnyTensor } from "../../engine/bind";
import * as random from "../../random/index";
import { SeedGenerator } from "../../random/index";
import { KerasTensor } from "../../symbolic/keras_tensor";
import { registerBuiltin } from "../../saving/serialization";
import { Layer, type CallArgs, type LayerOptions, optionsFromConfig } from "../layer";

export interface DropoutOptions extends LayerOptions {
  /** Shape of the binary mask (null entries take the input's dims), to share it along axes. */
  noiseShape?: readonly (number | null)[] | null;
  /** Seed of the layer's SeedGenerator (default: random). */
  seed?: number | null;
}

/** Keras' rate check, shared by the dropout family. */
export function checkRate(where: string, rate: unknown): number {
  if (typeof rate !== "number" || !(rate >= 0 && rate <= 1))
    throw new ValueError(
      `${where}: invalid value received for argument \`rate\`. Expected a float value between 0 and 1. Received: rate=${fmt(rate)}`,
    );
  return rate;
}

function validateNoiseShape(noiseShape: unknown): (number | null)[] | null {
  if (noiseShape === null || noiseShape === undefined) return null;
  if (!Array.isArray(noiseShape))
    throw new ValueError(
      `Dropout: invalid value received for argument \`noise_shape\`. Expected a list of integers. Received: noise_shape=${fmt(noiseShape)}`,
    );
  noiseShape.forEach((d, i) => {
    if (d === null) return;
    if (!Number.isInteger(d))
      throw new ValueError(
        `Dropout: invalid value received for argument \`noise_shape\`. Expected all elements to be integers or None. Received element at index ${i}: ${fmt(d)}`,
      );
    if (d <= 0)
      throw new ValueError(
        `Dropout: invalid value received for argument \`noise_shape\`. Expected all dimensions to be positive integers or None. Received negative or zero value at index ${i}: ${d}`,
      );
  });
  return [...(noiseShape as (number | null)[])];
}

/**
 * Base of the layers that act only in training and keep their input's shape and dtype: the
 * symbolic output is the input's spec, so random ops (which run eagerly) are never traced.
 */
export abstract class RandomIdentityLayer extends Layer {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override computeOutputSpec(inputs: any, _args: CallArgs = {}): any {
    const x = inputs as KerasTensor;
    this.checkInput(x);
    return new KerasTensor(x.shape, x.dtype);
  }

  /** Input checks run for symbolic and eager calls. */
  protected checkInput(_inputs: AnyTensor): void {}

  /** The mask passes through. */
  computeMask(_inputs: unknown, mask: unknown = null): unknown {
    return mask;
  }
}

/**
 * Applies dropout to the input (only when called with `training: true`).
 * @example
 * const drop = new keras.layers.Dropout(0.5, { seed: 1 });
 * const y = drop.apply(x, { training: true }); // about half the entries zeroed, the rest doubled
 */
export class Dropout extends RandomIdentityLayer {
  static override className = "Dropout";
  readonly rate: number;
  readonly seed: number | null;
  readonly noiseShape: (number | null)[] | null;
  readonly seedGenerator: SeedGenerator | null;

  constructor(rate: number, options: DropoutOptions = {}) {
    super(options);
    this.rate = checkRate(`Dropout "${this.name}"`, rate);
    this.seed = options.seed ?? null;
    this.noiseShape = validateNoiseShape(options.noiseShape);
    this.seedGenerator = rate > 0 ? new SeedGenerator(this.seed) : null;
    this.supportsMasking = true;
    this.built = true;
  }

  call(inputs: AnyTensor, args: CallArgs = {}): AnyTensor {
    this.checkInput(inputs);
    if (args.training && this.rate > 0)
      return random.dropout(inputs, this.rate, this.noiseShapeFor(inputs), this.seedGenerator!);
    return inputs;
  }

  /** The mask shape for these inputs (null: the inputs' shape). */
  protected noiseShapeFor(_inputs: AnyTensor): (number | null)[] | null {
    return this.noiseShape;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), rate: this.rate, seed: this.seed, noise_shape: this.noiseShape };
  }

  static fromConfig(config: Record<string, unknown>): Dropout {
    return new Dropout(config.rate as number, optionsFromConfig(config, ["rate"]));
  }
}

registerBuiltin("keras.layers", "Dropout", Dropout);
