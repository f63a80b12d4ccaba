// Placeholder: replaced by the constraints module (get, Constraint classes).
import { ValueError, fmt } from "../errors";
import type { Constraint } from "../initializers/initializer";
export function get(identifier: unknown): Constraint {
  throw new ValueError(`constraints.get: not implemented yet. Received: ${fmt(identifier)}`);
}
