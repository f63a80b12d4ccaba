/**
 * The elementwise merge layers (Keras 3 `keras/src/layers/merging/`): Add, Subtract, Multiply,
 * Average, Maximum and Minimum. Each takes a list of tensors whose shapes broadcast and returns
 * one tensor.
 *
 * Python reference: https://github.com/keras-team/keras/blob/v3.15.1/keras/src/layers/merging/add.py
 */
import { ShapeError } from "../../errors";
import type { AnyTensor } from "../../engine/bind";
import * as ops from "../../ops/index";
import { registerBuiltin } from "../../saving/serialization";
import { type LayerOptions, type Shape, optionsFromConfig } from "../layer";
import { Merge, fmtShapes } from "./base_merge";

function fold(inputs: AnyTensor[], f: (a: AnyTensor, b: AnyTensor) => AnyTensor): AnyTensor {
  let out = inputs[0]!;
  for (let i = 1; i < inputs.length; i++) out = f(out, inputs[i]!);
  return out;
}

/**
 * Adds a list of inputs.
 * @example const sum = new keras.layers.Add().apply([a, b]);
 */
export class Add extends Merge {
  static override className = "Add";
  protected mergeFunction(inputs: AnyTensor[]): AnyTensor {
    return fold(inputs, (a, b) => ops.add<AnyTensor>(a, b));
  }
  static fromConfig(config: Record<string, unknown>): Add {
    return new Add(optionsFromConfig(config));
  }
}

/**
 * Subtracts two inputs: `inputs[0] - inputs[1]`.
 * @example const diff = new keras.layers.Subtract().apply([a, b]);
 */
export class Subtract extends Merge {
  static override className = "Subtract";
  protected override validate(inputShape: Shape[]): void {
    this.checkShapeList(inputShape);
    if (inputShape.length !== 2)
      throw new ShapeError(
        `A \`Subtract\` layer should be called on exactly 2 inputs. Received: input_shape=${fmtShapes(inputShape)}`,
      );
    super.validate(inputShape);
  }
  protected mergeFunction(inputs: AnyTensor[]): AnyTensor {
    return ops.subtract<AnyTensor>(inputs[0]!, inputs[1]!);
  }
  static fromConfig(config: Record<string, unknown>): Subtract {
    return new Subtract(optionsFromConfig(config));
  }
}

/**
 * Multiplies a list of inputs elementwise.
 * @example const prod = new keras.layers.Multiply().apply([a, b]);
 */
export class Multiply extends Merge {
  static override className = "Multiply";
  protected mergeFunction(inputs: AnyTensor[]): AnyTensor {
    return fold(inputs, (a, b) => ops.multiply<AnyTensor>(a, b));
  }
  static fromConfig(config: Record<string, unknown>): Multiply {
    return new Multiply(optionsFromConfig(config));
  }
}

/**
 * Averages a list of inputs elementwise.
 * @example const avg = new keras.layers.Average().apply([a, b, c]);
 */
export class Average extends Merge {
  static override className = "Average";
  protected mergeFunction(inputs: AnyTensor[]): AnyTensor {
    return ops.divide<AnyTensor>(
      fold(inputs, (a, b) => ops.add<AnyTensor>(a, b)),
      inputs.length,
    );
  }
  static fromConfig(config: Record<string, unknown>): Average {
    return new Average(optionsFromConfig(config));
  }
}

/**
 * Elementwise maximum of a list of inputs.
 * @example const m = new keras.layers.Maximum().apply([a, b]);
 */
export class Maximum extends Merge {
  static override className = "Maximum";
  protected mergeFunction(inputs: AnyTensor[]): AnyTensor {
    return fold(inputs, (a, b) => ops.maximum<AnyTensor>(a, b));
  }
  static fromConfig(config: Record<string, unknown>): Maximum {
    return new Maximum(optionsFromConfig(config));
  }
}

/**
 * Elementwise minimum of a list of inputs.
 * @example const m = new keras.layers.Minimum().apply([a, b]);
 */
export class Minimum extends Merge {
  static override className = "Minimum";
  protected mergeFunction(inputs: AnyTensor[]): AnyTensor {
    return fold(inputs, (a, b) => ops.minimum<AnyTensor>(a, b));
  }
  static fromConfig(config: Record<string, unknown>): Minimum {
    return new Minimum(optionsFromConfig(config));
  }
}

for (const cls of [Add, Subtract, Multiply, Average, Maximum, Minimum])
  registerBuiltin("keras.layers", cls.className, cls);

/**
 * Functional form of `Add` (Keras `keras.layers.add`).
 * @example const y = keras.layers.add([a, b]);
 */
export const add = (inputs: AnyTensor[], options: LayerOptions = {}): AnyTensor =>
  new Add(options).apply(inputs);
/**
 * Functional form of `Subtract` (Keras `keras.layers.subtract`).
 * @example const y = keras.layers.subtract([a, b]);
 */
export const subtract = (inputs: AnyTensor[], options: LayerOptions = {}): AnyTensor =>
  new Subtract(options).apply(inputs);
/**
 * Functional form of `Multiply` (Keras `keras.layers.multiply`).
 * @example const y = keras.layers.multiply([a, b]);
 */
export const multiply = (inputs: AnyTensor[], options: LayerOptions = {}): AnyTensor =>
  new Multiply(options).apply(inputs);
/**
 * Functional form of `Average` (Keras `keras.layers.average`).
 * @example const y = keras.layers.average([a, b]);
 */
export const average = (inputs: AnyTensor[], options: LayerOptions = {}): AnyTensor =>
  new Average(options).apply(inputs);
/**
 * Functional form of `Maximum` (Keras `keras.layers.maximum`).
 * @example const y = keras.layers.maximum([a, b]);
 */
export const maximum = (inputs: AnyTensor[], options: LayerOptions = {}): AnyTensor =>
  new Maximum(options).apply(inputs);
/**
 * Functional form of `Minimum` (Keras `keras.layers.minimum`).
 * @example const y = keras.layers.minimum([a, b]);
 */
export const minimum = (inputs: AnyTensor[], options: LayerOptions = {}): AnyTensor =>
  new Minimum(options).apply(inputs);
