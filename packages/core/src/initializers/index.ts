// Placeholder: replaced by the initializers module (get, Initializer classes).
import { ValueError, fmt } from "../errors";
import type { Initializer } from "./initializer";
export function get(identifier: unknown): Initializer {
  if (identifier && typeof (identifier as Initializer).call === "function") return identifier as Initializer;
  throw new ValueError(`initializers.get: not implemented yet. Received: ${fmt(identifier)}`);
}
