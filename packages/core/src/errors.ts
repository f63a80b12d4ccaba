/**
 * Typed errors, one format: `<where>: <what went wrong>. Received: <value>`.
 * Keras raises ValueError / TypeError; these subclasses keep those names so messages read the same.
 */

export class KerasError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** An argument has the right type but a bad value (Keras' ValueError). */
export class ValueError extends KerasError {}

/** Shapes do not fit together; raised at the call that was given them, symbolic or eager. */
export class ShapeError extends ValueError {}

/** A tensor was used after `dispose()`. */
export class DisposedTensorError extends KerasError {}

/** A backend was requested that cannot run here. */
export class BackendUnavailableError extends KerasError {}

/** A backend has no kernel for a primitive. */
export class UnsupportedOpError extends KerasError {}

/** Formats a value for the `Received:` tail of an error message. */
export function fmt(value: unknown): string {
  if (Array.isArray(value)) return `(${value.map((v) => (v === null ? "None" : fmt(v))).join(", ")}${value.length === 1 ? "," : ""})`;
  if (value === null) return "None";
  if (value === undefined) return "undefined";
  if (typeof value === "string") return value;
  if (typeof value === "object") {
    try {
      return JSON.stringify(value);
    } catch {
      return String(value);
    }
  }
  return String(value);
}
