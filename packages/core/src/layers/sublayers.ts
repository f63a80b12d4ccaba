/**
 * Helpers for layers that own other layers (RNN and its cells, Bidirectional, TimeDistributed,
 * MultiHeadAttention): rebuilding a nested layer from its serialized form (honouring its
 * `build_config`, as Keras' `deserialize_keras_object` does), and building a nested layer so its
 * variables get Keras' paths (`lstm/lstm_cell/kernel`).
 *
 * Not public API.
 */
import { ValueError, fmt } from "../errors";
import { deserializeKerasObject } from "../saving/serialization";
import type { Variable } from "../variables/variable";
import { buildLayer, Layer } from "./layer";

/**
 * Rebuilds a nested layer from its serialized dict and builds it from its `build_config`, so a
 * built wrapper round-trips through its config to an equal (built) config, as in Keras.
 */
export function deserializeLayer(config: unknown, where: string): Layer {
  const layer = deserializeKerasObject(config);
  if (!(layer instanceof Layer))
    throw new ValueError(`${where}: expected a serialized Keras layer. Received: ${fmt(config)}`);
  const bc = (config as { build_config?: unknown }).build_config;
  if (bc !== undefined && bc !== null && !layer.built)
    layer.buildFromConfig(bc as Record<string, unknown>);
  return layer;
}

/**
 * Builds a nested layer and prefixes the paths of the variables it created with `prefix`, the
 * way Keras' name scopes give `lstm/lstm_cell/kernel` or `multi_head_attention/query/kernel`.
 * Variables that existed before (a layer built elsewhere) keep their paths, as in Keras.
 */
export function buildNested(prefix: string, layer: Layer, inputShape: unknown): void {
  const before = new Set<Variable>(layer.weights);
  buildLayer(layer, inputShape);
  for (const w of layer.weights) if (!before.has(w)) w.path = `${prefix}/${w.path}`;
}
