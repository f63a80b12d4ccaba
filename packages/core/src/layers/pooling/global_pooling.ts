/**
 * Global pooling layers (Keras `base_global_pooling.py` and its subclasses): the max or mean over
 * every spatial dim, GlobalMaxPooling1D/2D/3D and GlobalAveragePooling1D/2D/3D, with `keepdims`
 * to keep those dims as size 1. GlobalAveragePooling1D honours a `(batch, steps)` mask (masked
 * steps are left out of the mean) and, like Keras, consumes it. Built at construction, as Keras.
 */
import * as ops from "../../ops/index";
import type { AnyTensor } from "../../engine/bind";
import { registerBuiltin } from "../../saving/serialization";
import { Layer, type CallArgs, type LayerOptions, type Shape, optionsFromConfig } from "../layer";
import { standardizeDataFormat, type DataFormat } from "../../utils/argument_validation";
import { assertInputCompatible } from "../input_spec";

export interface GlobalPoolingOptions extends LayerOptions {
  /** "channels_last" (default) or "channels_first". */
  dataFormat?: string | null;
  /** Keep the pooled spatial dims as size 1 (default false). */
  keepdims?: boolean;
}

/** Abstract global pooling layer (Keras `BaseGlobalPooling`). */
export abstract class BaseGlobalPooling extends Layer {
  static override className = "BaseGlobalPooling";
  readonly dataFormat: DataFormat;
  readonly keepdims: boolean;
  readonly poolDimensions: number;

  constructor(poolDimensions: number, options: GlobalPoolingOptions = {}) {
    super(options);
    this.poolDimensions = poolDimensions;
    this.dataFormat = standardizeDataFormat(options.dataFormat, `${this.className} "${this.name}"`);
    this.keepdims = options.keepdims ?? false;
    this.built = true;
  }

  /** The spatial axes of a rank-(poolDimensions + 2) input. */
  protected spatialAxes(): number[] {
    const first = this.dataFormat === "channels_last" ? 1 : 2;
    return Array.from({ length: this.poolDimensions }, (_, i) => first + i);
  }

  protected check(inputs: AnyTensor): void {
    assertInputCompatible(this, { ndim: this.poolDimensions + 2 }, inputs.shape);
  }

  override computeOutputShape(inputShape: unknown): Shape {
    const s = inputShape as Shape;
    const n = s.length - 2;
    const ones = new Array<number>(n).fill(1);
    if (this.dataFormat === "channels_last")
      return this.keepdims ? [s[0]!, ...ones, s[s.length - 1]!] : [s[0]!, s[s.length - 1]!];
    return this.keepdims ? [s[0]!, s[1]!, ...ones] : [s[0]!, s[1]!];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), data_format: this.dataFormat, keepdims: this.keepdims };
  }
}

abstract class GlobalMaxPooling extends BaseGlobalPooling {
  call(inputs: AnyTensor, _args: CallArgs = {}): AnyTensor {
    this.check(inputs);
    return ops.max(inputs, this.spatialAxes(), this.keepdims);
  }
}

abstract class GlobalAveragePooling extends BaseGlobalPooling {
  call(inputs: AnyTensor, _args: CallArgs = {}): AnyTensor {
    this.check(inputs);
    return ops.mean(inputs, this.spatialAxes(), this.keepdims);
  }
}

const fromConfigOf =
  <T>(make: (options: GlobalPoolingOptions) => T) =>
  (config: Record<string, unknown>): T =>
    make(optionsFromConfig<GlobalPoolingOptions>(config));

/**
 * Global max pooling over steps: `(batch, steps, features)` -> `(batch, features)`.
 * @example
 * const y = new keras.layers.GlobalMaxPooling1D().apply(keras.Input([10, 3])); // (None, 3)
 */
export class GlobalMaxPooling1D extends GlobalMaxPooling {
  static override className = "GlobalMaxPooling1D";
  constructor(options: GlobalPoolingOptions = {}) {
    super(1, options);
  }
  static fromConfig = fromConfigOf((o) => new GlobalMaxPooling1D(o));
}

/**
 * Global max pooling over height and width.
 * @example
 * const y = new keras.layers.GlobalMaxPooling2D().apply(keras.Input([7, 7, 16])); // (None, 16)
 */
export class GlobalMaxPooling2D extends GlobalMaxPooling {
  static override className = "GlobalMaxPooling2D";
  constructor(options: GlobalPoolingOptions = {}) {
    super(2, options);
  }
  static fromConfig = fromConfigOf((o) => new GlobalMaxPooling2D(o));
}

/**
 * Global max pooling over three spatial dims.
 * @example
 * const y = new keras.layers.GlobalMaxPooling3D({ keepdims: true }).apply(keras.Input([4, 4, 4, 2])); // (None, 1, 1, 1, 2)
 */
export class GlobalMaxPooling3D extends GlobalMaxPooling {
  static override className = "GlobalMaxPooling3D";
  constructor(options: GlobalPoolingOptions = {}) {
    super(3, options);
  }
  static fromConfig = fromConfigOf((o) => new GlobalMaxPooling3D(o));
}

/**
 * Global average pooling over steps. With a mask (`(batch, steps)`, true = keep), the mean is
 * over the unmasked steps only.
 * @example
 * const y = new keras.layers.GlobalAveragePooling1D().apply(keras.Input([10, 3])); // (None, 3)
 */
export class GlobalAveragePooling1D extends GlobalAveragePooling {
  static override className = "GlobalAveragePooling1D";
  constructor(options: GlobalPoolingOptions = {}) {
    super(1, options);
    this.supportsMasking = true;
  }

  override call(inputs: AnyTensor, args: CallArgs = {}): AnyTensor {
    const mask = args.mask as AnyTensor | null | undefined;
    if (mask === null || mask === undefined) return super.call(inputs, args);
    this.check(inputs);
    const stepsAxis = this.dataFormat === "channels_last" ? 1 : 2;
    // (B, T) -> (B, T, 1) (channels_last) or (B, 1, T) (channels_first).
    const m = ops.expandDims(
      ops.cast(mask, inputs.dtype),
      this.dataFormat === "channels_last" ? 2 : 1,
    );
    const summed = ops.sum(ops.multiply(inputs, m), stepsAxis, this.keepdims);
    return ops.divide(summed, ops.sum(m, stepsAxis, this.keepdims));
  }

  /** Keras `compute_mask`: the mask stops here. */
  computeMask(_inputs: unknown, _mask?: unknown): null {
    return null;
  }

  static fromConfig = fromConfigOf((o) => new GlobalAveragePooling1D(o));
}

/**
 * Global average pooling over height and width.
 * @example
 * const y = new keras.layers.GlobalAveragePooling2D().apply(keras.Input([6, 6, 16])); // (None, 16)
 */
export class GlobalAveragePooling2D extends GlobalAveragePooling {
  static override className = "GlobalAveragePooling2D";
  constructor(options: GlobalPoolingOptions = {}) {
    super(2, options);
  }
  static fromConfig = fromConfigOf((o) => new GlobalAveragePooling2D(o));
}

/**
 * Global average pooling over three spatial dims.
 * @example
 * const y = new keras.layers.GlobalAveragePooling3D().apply(keras.Input([4, 4, 4, 2])); // (None, 2)
 */
export class GlobalAveragePooling3D extends GlobalAveragePooling {
  static override className = "GlobalAveragePooling3D";
  constructor(options: GlobalPoolingOptions = {}) {
    super(3, options);
  }
  static fromConfig = fromConfigOf((o) => new GlobalAveragePooling3D(o));
}

registerBuiltin("keras.layers", "GlobalMaxPooling1D", GlobalMaxPooling1D, ["GlobalMaxPool1D"]);
registerBuiltin("keras.layers", "GlobalMaxPooling2D", GlobalMaxPooling2D, ["GlobalMaxPool2D"]);
registerBuiltin("keras.layers", "GlobalMaxPooling3D", GlobalMaxPooling3D, ["GlobalMaxPool3D"]);
registerBuiltin("keras.layers", "GlobalAveragePooling1D", GlobalAveragePooling1D, [
  "GlobalAvgPool1D",
]);
registerBuiltin("keras.layers", "GlobalAveragePooling2D", GlobalAveragePooling2D, [
  "GlobalAvgPool2D",
]);
registerBuiltin("keras.layers", "GlobalAveragePooling3D", GlobalAveragePooling3D, [
  "GlobalAvgPool3D",
]);
