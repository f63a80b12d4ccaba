/**
 * GaussianNoise and GaussianDropout (Keras 3 `keras/src/layers/regularization/gaussian_noise.py`,
 * `gaussian_dropout.py`): multiplicative or additive Gaussian noise in training, the identity
 * otherwise.
 *
 * Python reference: https://github.com/keras-team/keras/blob/v3.15.1/keras/src/layers/regularization/gaussian_noise.py
 */
import { ValueError, fmt } from "../../errors";
import type { AnyTensor } from "../../engine/bind";
import * as ops from "../../ops/index";
import * as random from "../../random/index";
import { SeedGenerator } from "../../random/index";
import { registerBuiltin } from "../../saving/serialization";
import type { Tensor } from "../../tensor/tensor";
import { type CallArgs, type LayerOptions, optionsFromConfig } from "../layer";
import { RandomIdentityLayer, checkRate } from "./dropout";

export interface GaussianOptions extends LayerOptions {
  seed?: number | null;
}

/**
 * Adds zero-centred Gaussian noise with standard deviation `stddev` (training only).
 * @example const y = new keras.layers.GaussianNoise(0.1, { seed: 0 }).apply(x, { training: true });
 */
export class GaussianNoise extends RandomIdentityLayer {
  static override className = "GaussianNoise";
  readonly stddev: number;
  readonly seed: number | null;
  readonly seedGenerator: SeedGenerator | null;

  constructor(stddev: number, options: GaussianOptions = {}) {
    super(options);
    // Keras restricts stddev to [0, 1].
    if (typeof stddev !== "number" || !(stddev >= 0 && stddev <= 1))
      throw new ValueError(
        `GaussianNoise "${this.name}": invalid value received for argument \`stddev\`. Expected a float value between 0 and 1. Received: stddev=${fmt(stddev)}`,
      );
    this.stddev = stddev;
    this.seed = options.seed ?? null;
    this.seedGenerator = stddev > 0 ? new SeedGenerator(this.seed) : null;
    this.supportsMasking = true;
    this.built = true;
  }

  call(inputs: AnyTensor, args: CallArgs = {}): AnyTensor {
    if (args.training && this.stddev > 0) {
      const noise = random.normal((inputs as Tensor).shape, {
        mean: 0,
        stddev: this.stddev,
        seed: this.seedGenerator!,
      });
      return ops.add(inputs, noise);
    }
    return inputs;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), stddev: this.stddev, seed: this.seed };
  }

  static fromConfig(config: Record<string, unknown>): GaussianNoise {
    return new GaussianNoise(config.stddev as number, optionsFromConfig(config, ["stddev"]));
  }
}

/**
 * Multiplies by Gaussian noise of mean 1 and stddev `sqrt(rate / (1 - rate))` (training only).
 * @example const y = new keras.layers.GaussianDropout(0.2).apply(x, { training: true });
 */
export class GaussianDropout extends RandomIdentityLayer {
  static override className = "GaussianDropout";
  readonly rate: number;
  readonly seed: number | null;
  readonly seedGenerator: SeedGenerator | null;

  constructor(rate: number, options: GaussianOptions = {}) {
    super(options);
    this.rate = checkRate(`GaussianDropout "${this.name}"`, rate);
    this.seed = options.seed ?? null;
    this.seedGenerator = rate > 0 ? new SeedGenerator(this.seed) : null;
    this.supportsMasking = true;
    this.built = true;
  }

  call(inputs: AnyTensor, args: CallArgs = {}): AnyTensor {
    if (args.training && this.rate > 0) {
      const stddev = Math.sqrt(this.rate / (1 - this.rate));
      const noise = random.normal((inputs as Tensor).shape, {
        mean: 1,
        stddev,
        seed: this.seedGenerator!,
      });
      // The noise stays alive: the product's gradient reads it.
      return ops.multiply(inputs, noise);
    }
    return inputs;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), rate: this.rate, seed: this.seed };
  }

  static fromConfig(config: Record<string, unknown>): GaussianDropout {
    return new GaussianDropout(config.rate as number, optionsFromConfig(config, ["rate"]));
  }
}

registerBuiltin("keras.layers", "GaussianNoise", GaussianNoise);
registerBuiltin("keras.layers", "GaussianDropout", GaussianDropout);
