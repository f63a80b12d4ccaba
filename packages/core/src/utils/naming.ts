/**
 * Keras-style automatic names: `dense`, `dense_1`, … from a class name, unique per process
 * (Keras `backend.common.global_state` uid counters), and snake_case conversion.
 */

const KEY = Symbol.for("webkeras.names.v1");

function counters(): Map<string, number> {
  const g = globalThis as unknown as Record<symbol, Map<string, number> | undefined>;
  return (g[KEY] ??= new Map());
}

/** "BatchNormalization" -> "batch_normalization", "Conv2D" -> "conv2d", "PReLU" -> "p_re_lu". */
export function toSnakeCase(name: string): string {
  // The same three substitutions as Keras' `naming.to_snake_case`.
  return name
    .replace(/\W+/g, "")
    .replace(/(.)([A-Z][a-z]+)/g, "$1_$2")
    .replace(/([a-z])([A-Z])/g, "$1_$2")
    .toLowerCase();
}

/** Next unique name for a prefix: "dense", then "dense_1", "dense_2", … */
export function uniqueName(prefix: string): string {
  const c = counters();
  const n = c.get(prefix) ?? 0;
  c.set(prefix, n + 1);
  return n === 0 ? prefix : `${prefix}_${n}`;
}

/** Resets the counters (tests; Keras `keras.backend.clear_session()`). */
export function resetNames(): void {
  counters().clear();
}
