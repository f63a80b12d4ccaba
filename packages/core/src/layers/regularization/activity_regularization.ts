/**
 * ActivityRegularization (Keras 3 `keras/src/layers/regularization/activity_regularization.py`):
 * the identity, plus an `L1L2(l1, l2)` penalty on its output added to `layer.losses` on each call.
 *
 * Python reference: https://github.com/keras-team/keras/blob/v3.15.1/keras/src/layers/regularization/activity_regularization.py
 */
import { L1L2 } from "../../regularizers/index";
import { registerBuiltin } from "../../saving/serialization";
import { Layer, type LayerOptions, optionsFromConfig } from "../layer";

export interface ActivityRegularizationOptions extends Omit<LayerOptions, "activityRegularizer"> {
  /** L1 factor (default 0). */
  l1?: number;
  /** L2 factor (default 0). */
  l2?: number;
}

/**
 * Adds `l1 * sum(|x|) + l2 * sum(x²)` of its input to the losses; the output is the input.
 * @example const y = new keras.layers.ActivityRegularization({ l2: 1e-3 }).apply(x);
 */
export class ActivityRegularization extends Layer {
  static override className = "ActivityRegularization";
  readonly l1: number;
  readonly l2: number;

  constructor(options: ActivityRegularizationOptions = {}) {
    const l1 = options.l1 ?? 0.0;
    const l2 = options.l2 ?? 0.0;
    super({ ...options, activityRegularizer: new L1L2({ l1, l2 }) });
    this.l1 = l1;
    this.l2 = l2;
    this.supportsMasking = true;
    this.built = true;
  }

  call(inputs: unknown): unknown {
    return inputs;
  }

  /** The mask passes through. */
  computeMask(_inputs: unknown, mask: unknown = null): unknown {
    return mask;
  }

  override getConfig(): Record<string, unknown> {
    const base = super.getConfig();
    delete base.activity_regularizer;
    return { ...base, l1: this.l1, l2: this.l2 };
  }

  static fromConfig(config: Record<string, unknown>): ActivityRegularization {
    return new ActivityRegularization(optionsFromConfig(config));
  }
}

registerBuiltin("keras.layers", "ActivityRegularization", ActivityRegularization);
