/**
 * Config helpers shared by optimizers and schedules: Keras configs are snake_case
 * (`beta_1`, `initial_learning_rate`), constructor options here are camelCase (`beta1`,
 * `initialLearningRate`). One mapping rule, so `fromConfig(getConfig())` round-trips.
 */
import { ValueError, fmt } from "../errors";

/** "initial_learning_rate" -> "initialLearningRate", "beta_1" -> "beta1". */
export function snakeToCamel(key: string): string {
  return key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/**
 * Converts a snake_case config to camelCase options, rejecting keys the class does not know
 * (Keras: `Argument(s) not recognized`).
 */
export function configToOptions(
  config: Record<string, unknown>,
  known: readonly string[],
  where: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const unknown: string[] = [];
  for (const [k, v] of Object.entries(config)) {
    const camel = snakeToCamel(k);
    if (known.includes(camel)) out[camel] = v;
    else unknown.push(k);
  }
  if (unknown.length > 0)
    throw new ValueError(`${where}: argument(s) not recognized. Received: ${fmt(unknown)}`);
  return out;
}
