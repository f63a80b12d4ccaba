/**
 * Tensor: a concrete array that lives on one backend.
 *
 * Reading is async (`await t.data()`), since GPU memory can only be read asynchronously;
 * `dataSync()` works on backends that can read synchronously (cpu, wasm). Tensors are freed by
 * `dispose()`, by the `tidy()` scope they were made in, or by `using`.
 */
import { DisposedTensorError, UnsupportedOpError, fmt } from "../errors";
import type { Backend, DataId } from "../backend/backend";
import type { DType, TypedArray } from "./dtype";

/** Filled in by the engine; keeps this file free of an import cycle. */
export const tensorHooks = {
  onDispose: (_t: Tensor): void => {},
};

let nextId = 0;

export type NestedArray = number | boolean | NestedArray[];

const disposeSymbol: symbol =
  (Symbol as unknown as { dispose?: symbol }).dispose ?? Symbol.for("Symbol.dispose");

export class Tensor {
  readonly id = nextId++;
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly size: number;
  /** The backend that holds the data. */
  readonly backend: Backend;
  /** Set by `keep()`: no scope disposes this tensor. */
  kept = false;
  /** Number of live gradient tapes that still need this tensor; scopes hand it upward instead. */
  tapeRefs = 0;
  /** Keras `_keras_mask`: the mask a masking layer attached to this output (bool tensor or null). */
  kerasMask: Tensor | null = null;
  private _dataId: DataId | null;

  constructor(dataId: DataId, shape: readonly number[], dtype: DType, backend: Backend) {
    this._dataId = dataId;
    this.shape = Object.freeze([...shape]);
    this.dtype = dtype;
    this.backend = backend;
    let n = 1;
    for (const d of shape) n *= d;
    this.size = n;
  }

  get rank(): number {
    return this.shape.length;
  }

  get isDisposed(): boolean {
    return this._dataId === null;
  }

  /** The backend handle; throws if the tensor was disposed. */
  get dataId(): DataId {
    if (this._dataId === null)
      throw new DisposedTensorError(
        `Tensor was used after dispose(); keep it with keras.keep() or create it outside the tidy() scope. Received: Tensor#${this.id} shape=${fmt(this.shape)} dtype=${this.dtype}`,
      );
    return this._dataId;
  }

  /** Reads the values (flattened, row-major). */
  async data(): Promise<TypedArray> {
    return this.backend.read(this.dataId);
  }

  /** Reads the values synchronously; throws on backends that cannot. */
  dataSync(): TypedArray {
    const id = this.dataId;
    if (!this.backend.readSync)
      throw new UnsupportedOpError(
        `dataSync() is not available on the "${this.backend.name}" backend; use await tensor.data(). Received: backend=${this.backend.name}`,
      );
    return this.backend.readSync(id);
  }

  /** Values as nested JavaScript arrays (numbers; bools as true/false). */
  async array(): Promise<NestedArray> {
    return toNested(await this.data(), this.shape, this.dtype);
  }

  arraySync(): NestedArray {
    return toNested(this.dataSync(), this.shape, this.dtype);
  }

  dispose(): void {
    if (this._dataId === null) return;
    const id = this._dataId;
    this._dataId = null;
    this.backend.decRef(id);
    tensorHooks.onDispose(this);
  }

  [Symbol.toPrimitive](): string {
    return this.toString();
  }

  toString(): string {
    return `Tensor(shape=${fmt(this.shape)}, dtype=${this.dtype}${this.isDisposed ? ", disposed" : ""})`;
  }
}

(Tensor.prototype as unknown as Record<symbol, unknown>)[disposeSymbol] = function (this: Tensor) {
  this.dispose();
};

function toNested(values: TypedArray, shape: readonly number[], dtype: DType): NestedArray {
  const conv = (v: number): number | boolean => (dtype === "bool" ? v !== 0 : v);
  if (shape.length === 0) return conv(values[0]!);
  const rec = (offset: number, dim: number): NestedArray[] => {
    const n = shape[dim]!;
    const out: NestedArray[] = [];
    if (dim === shape.length - 1) {
      for (let i = 0; i < n; i++) out.push(conv(values[offset + i]!));
      return out;
    }
    let stride = 1;
    for (let j = dim + 1; j < shape.length; j++) stride *= shape[j]!;
    for (let i = 0; i < n; i++) out.push(rec(offset + i * stride, dim + 1));
    return out;
  };
  return rec(0, 0);
}
