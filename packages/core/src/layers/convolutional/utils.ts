/**
 * Argument checks shared by the convolution, pooling and normalization layers: Keras'
 * `utils/argument_validation.py` (`standardize_tuple`, `standardize_padding`),
 * `backend.standardize_data_format`, the checks of `layers/input_spec.py`
 * (`assert_input_compatibility`), and the conversion of a Keras config into constructor options.
 *
 * Not public API. (Candidates for `layers/input_spec.ts` and `utils/argument_validation.ts` once
 * other layer families need them.)
 */
import { ValueError, fmt } from "../../errors";
import { configToOptions } from "../../saving/serialization";
import type { Layer, LayerOptions, Shape } from "../layer";

/** What `initializers.get` / `regularizers.get` / `constraints.get` accept. */
export type Identifier<T> = T | string | Record<string, unknown> | null;

export type DataFormat = "channels_last" | "channels_first";

/**
 * An int or a list of `n` ints, as a list of `n` (Keras `standardize_tuple`). Values must be
 * positive, or non-negative with `allowZero`.
 */
export function standardizeTuple(
  value: unknown,
  n: number,
  name: string,
  where: string,
  allowZero = false,
): number[] {
  const list =
    typeof value === "number"
      ? new Array<number>(n).fill(value)
      : Array.isArray(value)
        ? [...(value as unknown[])]
        : null;
  if (
    list === null ||
    list.length !== n ||
    list.some((v) => typeof v !== "number" || !Number.isInteger(v))
  )
    throw new ValueError(
      `${where}: the \`${name}\` argument must be an int or a list of ${n} integers. Received: ${name}=${fmt(value)}`,
    );
  const bad = (list as number[]).filter((v) => (allowZero ? v < 0 : v <= 0));
  if (bad.length > 0)
    throw new ValueError(
      `${where}: the \`${name}\` argument must be a list of ${n} integers, including values ${fmt(bad)} that do not satisfy \`value ${allowZero ? ">=" : ">"} 0\`. Received: ${name}=${fmt(value)}`,
    );
  return list as number[];
}

/** Keras `standardize_padding`: lower-cased "valid" / "same" (and "causal" where allowed). */
export function standardizePadding(
  padding: unknown,
  where: string,
  allowCausal = false,
): "valid" | "same" | "causal" {
  const p = typeof padding === "string" ? padding.toLowerCase() : padding;
  const allowed = allowCausal ? ["valid", "same", "causal"] : ["valid", "same"];
  if (typeof p !== "string" || !allowed.includes(p))
    throw new ValueError(
      `${where}: the \`padding\` argument must be one of ${allowed.map((a) => `"${a}"`).join(", ")}. Received: padding=${fmt(padding)}`,
    );
  return p as "valid" | "same" | "causal";
}

/** Keras `standardize_data_format`: null means the default image data format, "channels_last". */
export function standardizeDataFormat(dataFormat: unknown, where: string): DataFormat {
  if (dataFormat === null || dataFormat === undefined) return "channels_last";
  const f = typeof dataFormat === "string" ? dataFormat.toLowerCase() : dataFormat;
  if (f !== "channels_last" && f !== "channels_first")
    throw new ValueError(
      `${where}: the \`data_format\` argument must be one of "channels_first", "channels_last". Received: data_format=${fmt(dataFormat)}`,
    );
  return f;
}

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

/**
 * Constructor options from a Keras layer config: snake_case keys become camelCase, and the base
 * layer's `batch_input_shape` becomes `inputShape` + `batchSize`. `positional` keys are removed
 * (they are the constructor's positional arguments).
 */
export function optionsFromConfig<T extends LayerOptions>(
  config: Record<string, unknown>,
  positional: readonly string[] = [],
): T {
  const rest: Record<string, unknown> = { ...config };
  for (const k of positional) delete rest[k];
  const batchInputShape = rest.batch_input_shape as Shape | undefined;
  delete rest.batch_input_shape;
  delete rest.batch_shape;
  const options = configToOptions(rest);
  if (Array.isArray(batchInputShape)) {
    options.inputShape = batchInputShape.slice(1);
    if (batchInputShape[0] !== null) options.batchSize = batchInputShape[0];
  }
  return options as T;
}
