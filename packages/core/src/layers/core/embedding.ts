/**
 * Embedding: maps integer ids to rows of a learned `(inputDim, outputDim)` matrix
 * (Keras 3 `keras/src/layers/core/embedding.py`). With `maskZero`, id 0 is padding and
 * `computeMask` returns `inputs != 0`. LoRA and quantization are not implemented.
 *
 * Python reference: https://github.com/keras-team/keras/blob/v3.15.1/keras/src/layers/core/embedding.py
 */
import { ValueError, fmt } from "../../errors";
import type { AnyTensor } from "../../engine/bind";
import * as initializers from "../../initializers/index";
import * as regularizers from "../../regularizers/index";
import * as constraints from "../../constraints/index";
import type { Constraint, Initializer, Regularizer } from "../../initializers/initializer";
import * as ops from "../../ops/index";
import { registerBuiltin, serializeKerasObject } from "../../saving/serialization";
import type { Tensor } from "../../tensor/tensor";
import type { Variable } from "../../variables/variable";
import { Layer, type LayerOptions, type Shape, optionsFromConfig, type Identifier } from "../layer";
import { checkNoQuantization } from "./dense";

export interface EmbeddingOptions extends LayerOptions {
  /** Default "uniform" (RandomUniform in [-0.05, 0.05)). */
  embeddingsInitializer?: Identifier<Initializer>;
  embeddingsRegularizer?: Identifier<Regularizer>;
  embeddingsConstraint?: Identifier<Constraint>;
  /** Treat id 0 as padding and produce a mask (default false). */
  maskZero?: boolean;
  /** Initial embeddings, `(inputDim, outputDim)` values in C order. */
  weights?: ArrayLike<number> | Tensor | null;
  /** Deprecated in Keras 3 and ignored, as there. */
  inputLength?: number | null;
  quantizationConfig?: null;
}

/**
 * Turns non-negative integers (indexes) into dense vectors of fixed size.
 * @example
 * const emb = new keras.layers.Embedding(1000, 64, { maskZero: true });
 * const y = emb.apply(keras.Input([10], { dtype: "int32" })); // shape (None, 10, 64)
 */
export class Embedding extends Layer {
  static override className = "Embedding";
  readonly inputDim: number;
  readonly outputDim: number;
  readonly embeddingsInitializer: Initializer;
  readonly embeddingsRegularizer: Regularizer | null;
  readonly embeddingsConstraint: Constraint | null;
  readonly maskZero: boolean;
  embeddings: Variable | null = null;

  constructor(inputDim: number, outputDim: number, options: EmbeddingOptions = {}) {
    super(options);
    for (const [k, v] of [
      ["input_dim", inputDim],
      ["output_dim", outputDim],
    ] as const)
      if (!Number.isInteger(v) || v <= 0)
        throw new ValueError(
          `Embedding "${this.name}": \`${k}\` must be a positive integer. Received: ${k}=${fmt(v)}`,
        );
    checkNoQuantization(`Embedding "${this.name}"`, options.quantizationConfig);
    this.inputDim = inputDim;
    this.outputDim = outputDim;
    this.embeddingsInitializer = initializers.get(options.embeddingsInitializer ?? "uniform");
    this.embeddingsRegularizer = regularizers.get(options.embeddingsRegularizer ?? null);
    this.embeddingsConstraint = constraints.get(options.embeddingsConstraint ?? null);
    this.maskZero = options.maskZero ?? false;
    this.supportsMasking = this.maskZero;
    if (options.weights !== undefined && options.weights !== null) {
      this.maybeBuild(null);
      this.setWeights([options.weights]);
    }
  }

  /** The embeddings do not depend on the input shape, so any (or no) shape builds the layer. */
  override build(inputShape: Shape | null): void {
    this.embeddings = this.addWeight({
      name: "embeddings",
      shape: [this.inputDim, this.outputDim],
      initializer: this.embeddingsInitializer,
      regularizer: this.embeddingsRegularizer,
      constraint: this.embeddingsConstraint,
      trainable: true,
    });
    super.build(inputShape);
  }

  override maybeBuild(inputs: unknown): void {
    if (this.built) return;
    if (inputs === null) {
      this.build(null);
      this.buildInputShape = null;
      this.built = true;
      return;
    }
    super.maybeBuild(inputs);
  }

  call(inputs: AnyTensor): AnyTensor {
    const ids = inputs.dtype === "int32" ? inputs : ops.cast<AnyTensor>(inputs, "int32");
    // (...) ids -> (..., outputDim)
    return ops.take<AnyTensor>(this.embeddings!.value, ids, 0);
  }

  /** Keras `compute_mask`: `inputs != 0` with `maskZero`, else null. */
  computeMask(inputs: AnyTensor, _mask: unknown = null): AnyTensor | null {
    if (!this.maskZero) return null;
    return ops.notEqual<AnyTensor>(inputs, 0);
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      input_dim: this.inputDim,
      output_dim: this.outputDim,
      embeddings_initializer: serializeKerasObject(this.embeddingsInitializer),
      embeddings_regularizer: serializeKerasObject(this.embeddingsRegularizer),
      activity_regularizer: serializeKerasObject(this.activityRegularizer),
      embeddings_constraint: serializeKerasObject(this.embeddingsConstraint),
      mask_zero: this.maskZero,
      quantization_config: null,
    };
  }

  static fromConfig(config: Record<string, unknown>): Embedding {
    return new Embedding(
      config.input_dim as number,
      config.output_dim as number,
      optionsFromConfig<EmbeddingOptions>(config, ["input_dim", "output_dim"]),
    );
  }
}

registerBuiltin("keras.layers", "Embedding", Embedding);
