/**
 * Data types and Keras 3 dtype promotion.
 *
 * webkeras stores float32, int32 and bool. float16 is reserved (not yet stored by any backend).
 * Promotion follows Keras 3 (`keras/src/backend/common/dtypes.py`) on this subset:
 * bool < int32 < float32, and JavaScript numbers are "weak" (like Python scalars): they take the
 * dtype of the tensor they meet unless a float number meets an integer or bool tensor.
 */

export type DType = "float32" | "int32" | "bool";
export const DTYPES: readonly DType[] = ["float32", "int32", "bool"];

export type TypedArray = Float32Array | Int32Array | Uint8Array;

export function isDType(x: unknown): x is DType {
  return typeof x === "string" && (DTYPES as readonly string[]).includes(x);
}

/** Normalizes user dtype strings ("float", "int", "float64"…) to a stored dtype, or throws. */
export function standardizeDType(dtype: unknown, where = "dtype"): DType {
  if (isDType(dtype)) return dtype;
  if (dtype === "float" || dtype === "float64" || dtype === "float16" || dtype === "bfloat16")
    return "float32";
  if (dtype === "int" || dtype === "int64" || dtype === "int16" || dtype === "int8" || dtype === "uint8")
    return "int32";
  if (dtype === "boolean") return "bool";
  throw new TypeError(
    `${where}: unknown or unsupported dtype. Supported: float32, int32, bool. Received: dtype=${String(dtype)}`,
  );
}

export function bytesPerElement(dtype: DType): number {
  return dtype === "bool" ? 1 : 4;
}

export function typedArrayFor(dtype: DType, size: number): TypedArray {
  switch (dtype) {
    case "float32":
      return new Float32Array(size);
    case "int32":
      return new Int32Array(size);
    case "bool":
      return new Uint8Array(size);
    default:
      return dtype satisfies never;
  }
}

/** Converts any array-like of numbers or booleans into the typed array of `dtype`. */
export function toTypedArray(values: ArrayLike<number | boolean>, dtype: DType): TypedArray {
  if (dtype === "float32" && values instanceof Float32Array) return values;
  if (dtype === "int32" && values instanceof Int32Array) return values;
  if (dtype === "bool" && values instanceof Uint8Array) return values;
  const out = typedArrayFor(dtype, values.length);
  if (dtype === "bool") {
    for (let i = 0; i < values.length; i++) out[i] = values[i] ? 1 : 0;
  } else if (dtype === "int32") {
    for (let i = 0; i < values.length; i++) out[i] = Math.trunc(Number(values[i]));
  } else {
    for (let i = 0; i < values.length; i++) out[i] = Number(values[i]);
  }
  return out;
}

const RANK: Record<DType, number> = { bool: 0, int32: 1, float32: 2 };

export function isFloat(dtype: DType): boolean {
  return dtype === "float32";
}
export function isInt(dtype: DType): boolean {
  return dtype === "int32";
}

/** Result dtype of combining two tensors (both "strong"). */
export function promoteTypes(a: DType, b: DType): DType {
  return RANK[a] >= RANK[b] ? a : b;
}

/** Result dtype of a tensor meeting a JavaScript number or boolean ("weak" type). */
export function promoteWithScalar(tensorDtype: DType, scalar: number | boolean): DType {
  if (typeof scalar === "boolean") return tensorDtype;
  if (!Number.isInteger(scalar) && tensorDtype !== "float32") return "float32";
  if (tensorDtype === "bool") return Number.isInteger(scalar) ? "int32" : "float32";
  return tensorDtype;
}

/** An integer that int32 holds exactly (so not -0, and within range). */
function isInt32Value(v: number): boolean {
  return Number.isInteger(v) && v >= -2147483648 && v <= 2147483647 && !Object.is(v, -0);
}

/** Dtype a bare JavaScript value gets when converted on its own (Keras: float32 default). */
export function inferDType(value: unknown): DType {
  if (typeof value === "boolean") return "bool";
  if (typeof value === "number") return isInt32Value(value) ? "int32" : "float32";
  if (value instanceof Float32Array || value instanceof Float64Array) return "float32";
  if (value instanceof Int32Array) return "int32";
  if (value instanceof Uint8Array) return "bool";
  if (Array.isArray(value)) {
    let dt: DType = "bool";
    let first = true;
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else {
        const d = typeof v === "boolean" ? "bool" : isInt32Value(v as number) ? "int32" : "float32";
        dt = first ? d : promoteTypes(dt, d);
        first = false;
      }
    };
    walk(value);
    return first ? "float32" : dt;
  }
  return "float32";
}
