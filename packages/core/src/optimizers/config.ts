/**
 * Config -> options for optimizers and schedules: Keras configs are snake_case (`beta_1`,
 * `initial_learning_rate`), constructor options here are camelCase (`beta1`,
 * `initialLearningRate`), mapped by the one rule in `saving/serialization.ts`. Unknown keys are
 * rejected, as Keras' constructors reject unknown keyword arguments.
 */
import { ValueError, fmt } from "../errors";
import { snakeToCamel } from "../saving/serialization";

/**
 * A snake_case config as camelCase constructor options; throws on keys the class does not take.
 * @example optionsFromConfig({ beta_1: 0.9 }, ["beta1"], "Adam") // { beta1: 0.9 }
 */
export function optionsFromConfig(
  config: Record<string, unknown>,
  known: readonly string[],
  where: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const unknown: string[] = [];
  for (const [k, v] of Object.entries(config ?? {})) {
    const camel = snakeToCamel(k);
    if (known.includes(camel)) out[camel] = v;
    else unknown.push(k);
  }
  if (unknown.length > 0)
    throw new ValueError(`${where}: argument(s) not recognized. Received: ${fmt(unknown)}`);
  return out;
}
