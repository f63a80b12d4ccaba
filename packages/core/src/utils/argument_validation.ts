/**
 * Argument checks of Keras' `utils/argument_validation.py` (`standardize_tuple`,
 * `standardize_padding`) and `backend.standardize_data_format`, as the layers use them: errors
 * name the layer (`where`) and the value received.
 *
 * Not public API. (The op-level checks of `ops/nn` keep their own messages: `op: \`name\` must
 * be ...`.)
 */
import { ValueError, fmt } from "../errors";

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
