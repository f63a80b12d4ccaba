// Placeholder: replaced by the regularizers module (get, Regularizer classes).
import { ValueError, fmt } from "../errors";
import type { Regularizer } from "../initializers/initializer";
export function get(identifier: unknown): Regularizer {
  throw new ValueError(`regularizers.get: not implemented yet. Received: ${fmt(identifier)}`);
}
