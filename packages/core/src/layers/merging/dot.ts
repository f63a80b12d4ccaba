/**
 * Dot (Keras 3 `keras/src/layers/merging/dot.py`): per-sample dot product of two tensors along
 * `axes` (Keras `batch_dot`), optionally of L2-normalized inputs (cosine similarity).
 *
 * Python reference: https://github.com/keras-team/keras/blob/v3.15.1/keras/src/layers/merging/dot.py
 */
import { ShapeError, ValueError, fmt } from "../../errors";
import type { AnyTensor } from "../../engine/bind";
import * as ops from "../../ops/index";
import { registerBuiltin } from "../../saving/serialization";
import { type LayerOptions, type Shape, optionsFromConfig } from "../layer";
import { Merge, fmtShapes } from "./base_merge";

export interface DotOptions extends LayerOptions {
  /** L2-normalize both inputs along the dot axes first (default false). */
  normalize?: boolean;
}

const range = (a: number, b: number): number[] => Array.from({ length: b - a }, (_, i) => a + i);

/**
 * Keras `batch_dot`: contracts `x` axis `axes[0]` with `y` axis `axes[1]`, sample by sample
 * (axis 0 is the batch). Rank-2 results get a trailing axis of size 1.
 * @example batchDot(x, y, [1, 1]); // (B, n), (B, n) -> (B, 1)
 */
export function batchDot(x: AnyTensor, y: AnyTensor, axes: [number, number]): AnyTensor {
  const xNdim = x.shape.length;
  const yNdim = y.shape.length;
  if (xNdim < 2 || yNdim < 2)
    throw new ValueError(
      `Cannot do batch_dot on inputs with rank < 2. Received inputs with shapes ${fmt(x.shape)} and ${fmt(y.shape)}.`,
    );
  const xb = x.shape[0];
  const yb = y.shape[0];
  if (xb !== null && yb !== null && xb !== yb)
    throw new ShapeError(
      `Cannot do batch_dot on inputs with different batch sizes. Received inputs with shapes ${fmt(x.shape)} and ${fmt(y.shape)}.`,
    );
  let [a0, a1] = axes;
  if (a0 < 0) a0 += xNdim;
  if (a1 < 0) a1 += yNdim;
  if (a0 === 0 || a1 === 0)
    throw new ValueError(
      `Cannot perform batch_dot over axis 0. If your inputs are not batched, add a dummy batch dimension to your inputs using keras.ops.expand_dims(x, 0). Received: axes=${fmt(axes)}`,
    );
  const d1 = x.shape[a0];
  const d2 = y.shape[a1];
  if (d1 !== null && d2 !== null && d1 !== d2)
    throw new ShapeError(
      `Cannot do batch_dot on inputs with shapes ${fmt(x.shape)} and ${fmt(y.shape)} with axes=${fmt(axes)}. x.shape[${a0}] != y.shape[${a1}] (${d1} != ${d2}).`,
    );
  // Move x's contracted axis last and y's to position 1, then one batched matmul.
  let xx = ops.transpose<AnyTensor>(x, [...range(0, a0), ...range(a0 + 1, xNdim), a0]); // (B, ...xr, K)
  let yy = ops.transpose<AnyTensor>(y, [0, a1, ...range(1, a1), ...range(a1 + 1, yNdim)]); // (B, K, ...yr)
  const xRest = xx.shape.slice(1, -1);
  const yRest = yy.shape.slice(2);
  const k = xx.shape[xNdim - 1] ?? -1;
  xx = ops.reshape<AnyTensor>(xx, [-1, prod(xRest), k]); // (B, Mx, K)
  yy = ops.reshape<AnyTensor>(yy, [-1, k, prod(yRest)]); // (B, K, My)
  const out = ops.matmul<AnyTensor>(xx, yy); // (B, Mx, My)
  let target = [...xRest, ...yRest];
  if (target.length === 0) target = [1];
  return ops.reshape<AnyTensor>(out, [-1, ...target.map((d) => d ?? -1)]);
}

function prod(dims: readonly (number | null)[]): number {
  let n = 1;
  for (const d of dims) {
    if (d === null)
      throw new ValueError(
        `batch_dot: only the batch and contracted dims may be unknown. Received: dims=${fmt(dims)}`,
      );
    n *= d;
  }
  return n;
}

/**
 * Computes the dot product between samples of two tensors.
 * @example
 * // Cosine similarity of two (None, 16) inputs -> (None, 1)
 * new keras.layers.Dot(1, { normalize: true }).apply([keras.Input([16]), keras.Input([16])]);
 */
export class Dot extends Merge {
  static override className = "Dot";
  readonly axes: number | [number, number];
  readonly normalize: boolean;

  constructor(axes: number | readonly number[], options: DotOptions = {}) {
    super(options);
    if (typeof axes !== "number") {
      if (!Array.isArray(axes))
        throw new ValueError(
          `Dot "${this.name}": invalid type for argument \`axes\`: it should be a list or an int. Received: axes=${fmt(axes)}`,
        );
      if (axes.length !== 2)
        throw new ValueError(
          `Dot "${this.name}": invalid format for argument \`axes\`: it should contain two elements. Received: axes=${fmt(axes)}`,
        );
      if (!Number.isInteger(axes[0]) || !Number.isInteger(axes[1]))
        throw new ValueError(
          `Dot "${this.name}": invalid format for argument \`axes\`: list elements should be integers. Received: axes=${fmt(axes)}`,
        );
    } else if (!Number.isInteger(axes))
      throw new ValueError(
        `Dot "${this.name}": \`axes\` must be an integer. Received: axes=${fmt(axes)}`,
      );
    this.axes = typeof axes === "number" ? axes : [axes[0]!, axes[1]!];
    this.normalize = options.normalize ?? false;
  }

  /** The two axes, made non-negative for inputs of these ranks. */
  private resolveAxes(r1: number, r2: number): [number, number] {
    if (typeof this.axes === "number")
      return this.axes < 0
        ? [((this.axes % r1) + r1) % r1, ((this.axes % r2) + r2) % r2]
        : [this.axes, this.axes];
    const [a, b] = this.axes;
    return [a < 0 ? ((a % r1) + r1) % r1 : a, b < 0 ? ((b % r2) + r2) % r2 : b];
  }

  protected override validate(inputShape: Shape[]): void {
    if (!Array.isArray(inputShape) || inputShape.length !== 2 || !Array.isArray(inputShape[0]))
      throw new ValueError(
        `A \`Dot\` layer should be called on a list of 2 inputs. Received: input_shape=${fmt(inputShape)}`,
      );
    const [s1, s2] = inputShape as [Shape, Shape];
    const [a, b] = this.resolveAxes(s1.length, s2.length);
    if (s1[a] !== s2[b] && s1[a] !== null && s2[b] !== null)
      throw new ShapeError(
        `Incompatible input shapes: axis values ${fmt(s1[a])} (at axis ${a}) != ${fmt(s2[b])} (at axis ${b}). Full input shapes: ${fmtShapes(inputShape)}`,
      );
    this.reshapeRequired = false;
  }

  protected mergeFunction(inputs: AnyTensor[]): AnyTensor {
    let [x1, x2] = inputs as [AnyTensor, AnyTensor];
    const axes = this.resolveAxes(x1.shape.length, x2.shape.length);
    if (this.normalize) {
      x1 = ops.normalize<AnyTensor>(x1, axes[0]);
      x2 = ops.normalize<AnyTensor>(x2, axes[1]);
    }
    return batchDot(x1, x2, axes);
  }

  /** Keras: Dot produces no mask. */
  override computeMask(): null {
    return null;
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      axes: Array.isArray(this.axes) ? [...this.axes] : this.axes,
      normalize: this.normalize,
    };
  }

  static fromConfig(config: Record<string, unknown>): Dot {
    return new Dot(config.axes as number | number[], optionsFromConfig(config, ["axes"]));
  }
}

registerBuiltin("keras.layers", "Dot", Dot);

/**
 * Functional form of `Dot` (Keras `keras.layers.dot`).
 * @example const sim = keras.layers.dot([a, b], 1, true);
 */
export const dot = (
  inputs: AnyTensor[],
  axes: number | readonly number[],
  normalize = false,
  options: LayerOptions = {},
): AnyTensor => new Dot(axes, { ...options, normalize }).apply(inputs);
