/**
 * Variable: a named, mutable tensor slot (Keras `keras.Variable`). Layers own their weights as
 * Variables, optimizers their slots. Assignment swaps the held tensor and disposes the old one,
 * so a training loop does not leak; the held tensor is kept out of every `tidy` scope.
 */
import { ValueError, fmt } from "../errors";
import { shareBuffer } from "../engine/bind";
import { keep } from "../engine/engine";
import * as lax from "../primitives/lax";
import { standardizeDType, type DType } from "../tensor/dtype";
import { Tensor } from "../tensor/tensor";
import { convertToTensor, type TensorLike } from "../ops/convert";
import { noGrad } from "../autodiff/grad";

export interface VariableOptions {
  /** Short name (e.g. "kernel"); the path is `<layer path>/<name>`. */
  name?: string;
  dtype?: DType | string;
  trainable?: boolean;
  /** Applied by optimizers after each update (Keras constraint). */
  constraint?: { call(x: Tensor): Tensor } | null;
  /** Optimizer-style aggregation hint; kept for config fidelity. */
  aggregation?: "none" | "mean" | "sum" | "only_first_replica";
}

let uid = 0;

export class Variable {
  readonly name: string;
  /** Full path, e.g. "dense/kernel"; set by the owner (layer or optimizer). */
  path: string;
  readonly dtype: DType;
  trainable: boolean;
  constraint: VariableOptions["constraint"];
  aggregation: NonNullable<VariableOptions["aggregation"]>;
  private _value: Tensor;

  /**
   * @example const v = new keras.Variable(keras.ops.zeros([2, 3]), { name: "w" });
   */
  constructor(initialValue: TensorLike | Tensor, options: VariableOptions = {}) {
    this.name = options.name ?? `variable_${uid++}`;
    this.path = this.name;
    const dt = options.dtype !== undefined ? standardizeDType(options.dtype, `Variable ${this.name}`) : undefined;
    const t = noGrad(() => convertToTensor(initialValue as TensorLike, dt));
    if (!(t instanceof Tensor))
      throw new ValueError(`Variable ${this.name}: the initial value must be concrete, not symbolic. Received: ${fmt(t)}`);
    this.dtype = t.dtype;
    this._value = keep(t === initialValue ? shareBuffer(t) : t);
    this.trainable = options.trainable ?? true;
    this.constraint = options.constraint ?? null;
    this.aggregation = options.aggregation ?? "none";
  }

  get value(): Tensor {
    return this._value;
  }

  get shape(): readonly number[] {
    return this._value.shape;
  }

  get size(): number {
    return this._value.size;
  }

  /** Replaces the value (same shape; cast to the variable's dtype). The old tensor is freed. */
  assign(value: TensorLike | Tensor): void {
    const t = noGrad(() => convertToTensor(value as TensorLike, this.dtype)) as Tensor;
    if (t.shape.length !== this.shape.length || t.shape.some((d, i) => d !== this.shape[i]))
      throw new ValueError(
        `Variable ${this.path}: cannot assign a value of shape ${fmt(t.shape)} to a variable of shape ${fmt(this.shape)}. Received: shape=${fmt(t.shape)}`,
      );
    const next = t === value ? shareBuffer(t) : t;
    const old = this._value;
    this._value = keep(next);
    if (old !== next) old.dispose();
  }

  assignAdd(delta: TensorLike | Tensor): void {
    this.assign(noGrad(() => lax.add(this._value, convertToTensor(delta as TensorLike, this.dtype))));
  }

  assignSub(delta: TensorLike | Tensor): void {
    this.assign(noGrad(() => lax.sub(this._value, convertToTensor(delta as TensorLike, this.dtype))));
  }

  async numpy(): Promise<ArrayLike<number>> {
    return this._value.data();
  }

  /** Frees the held tensor; the variable is unusable afterwards. */
  dispose(): void {
    this._value.dispose();
  }

  toString(): string {
    return `<Variable path=${this.path}, shape=${fmt(this.shape)}, dtype=${this.dtype}>`;
  }
}
