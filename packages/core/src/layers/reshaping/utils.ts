/**
 * Helpers shared by the reshaping layers. Not public API.
 */
import type { AnyTensor } from "../../engine/bind";
import * as lax from "../../primitives/lax";
import * as ops from "../../ops/index";
import { KerasTensor } from "../../symbolic/keras_tensor";

/**
 * `x[..., start:stop, ...]` along `axis`. Concrete tensors use a slice; symbolic ones a gather of
 * the same rows, whose shape rule accepts unknown dims on the other axes (a slice needs them all).
 */
export function sliceAlong(x: AnyTensor, axis: number, start: number, stop: number): AnyTensor {
  if (x instanceof KerasTensor) {
    const idx = lax.constant(
      Array.from({ length: stop - start }, (_, i) => start + i),
      [stop - start],
      "int32",
    );
    return ops.take<AnyTensor>(x, idx, axis);
  }
  const shape = x.shape as readonly number[];
  if (start === 0 && stop === shape[axis]) return x;
  return lax.slice(
    x,
    shape.map((_, i) => (i === axis ? start : 0)),
    shape.map((d, i) => (i === axis ? stop : d)),
  );
}

/** Product of known dims; null if one is unknown. */
export function prodOrNull(dims: readonly (number | null)[]): number | null {
  let n = 1;
  for (const d of dims) {
    if (d === null) return null;
    n *= d;
  }
  return n;
}
