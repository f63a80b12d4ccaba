/**
 * Keras `layers/input_spec.py`: the `InputSpec` a layer accepts and `assert_input_compatibility`.
 *
 * Not public API.
 */
import { ValueError, fmt } from "../errors";
import type { Layer } from "./layer";

/** Keras `InputSpec`: what a layer accepts (checked at every call, symbolic or eager). */
export interface InputSpec {
  ndim?: number;
  minNdim?: number;
  /** axis (may be negative) -> required size. */
  axes?: Record<number, number | null>;
}

/**
 * Keras `assert_input_compatibility` for a single input: throws a ValueError that names the
 * layer, the expectation and the received shape.
 */
export function assertInputCompatible(
  layer: Layer,
  spec: InputSpec,
  shape: readonly (number | null)[],
  index = 0,
): void {
  const head = `Layer "${layer.name}" (${layer.className}): input ${index} is incompatible with the layer`;
  const r = shape.length;
  if (spec.ndim !== undefined && r !== spec.ndim)
    throw new ValueError(
      `${head}: expected ndim=${spec.ndim}, found ndim=${r}. Received: input.shape=${fmt([...shape])}`,
    );
  if (spec.minNdim !== undefined && r < spec.minNdim)
    throw new ValueError(
      `${head}: expected min_ndim=${spec.minNdim}, found ndim=${r}. Received: input.shape=${fmt([...shape])}`,
    );
  for (const [k, v] of Object.entries(spec.axes ?? {})) {
    const axis = Number(k);
    const a = axis < 0 ? r + axis : axis;
    const d = shape[a];
    if (v !== null && d !== null && d !== undefined && d !== v)
      throw new ValueError(
        `${head}: expected axis ${axis} of the input shape to have value ${v}, but received an input with shape ${fmt([...shape])}. Received: input.shape=${fmt([...shape])}`,
      );
  }
}
