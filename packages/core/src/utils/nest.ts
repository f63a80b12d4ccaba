/**
 * Nested structures of tensors (arrays and plain objects), flattened in a fixed order and packed
 * back. Layers record their call arguments this way so a graph can be replayed.
 */
import { Tensor } from "../tensor/tensor";
import { KerasTensor } from "../symbolic/keras_tensor";

export type Leaf = Tensor | KerasTensor;

export function isLeaf(x: unknown): x is Leaf {
  return x instanceof Tensor || x instanceof KerasTensor;
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return x !== null && typeof x === "object" && Object.getPrototypeOf(x) === Object.prototype;
}

/** Tensors in `x` in depth-first order (object keys in insertion order). */
export function flatten(x: unknown, out: Leaf[] = []): Leaf[] {
  if (isLeaf(x)) out.push(x);
  else if (Array.isArray(x)) for (const v of x) flatten(v, out);
  else if (isPlainObject(x)) for (const v of Object.values(x)) flatten(v, out);
  return out;
}

/** Rebuilds `structure` with its tensors replaced, in order, by `values`. */
export function packSequenceAs<T = unknown>(structure: unknown, values: readonly unknown[]): T {
  let i = 0;
  const rec = (x: unknown): unknown => {
    if (isLeaf(x)) return values[i++];
    if (Array.isArray(x)) return x.map(rec);
    if (isPlainObject(x)) return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, rec(v)]));
    return x;
  };
  return rec(structure) as T;
}

/** Applies `fn` to every tensor in `x`, keeping the structure. */
export function mapStructure<T = unknown>(x: unknown, fn: (t: Leaf) => unknown): T {
  return packSequenceAs<T>(x, flatten(x).map(fn));
}
