/**
 * Helpers shared by the layers that own other layers (RNN and its cells, Bidirectional,
 * TimeDistributed, MultiHeadAttention): rebuilding a nested layer from its serialized form
 * (honouring its `build_config`, as Keras' `deserialize_keras_object` does), building a nested
 * layer, and giving the nested layer's variables Keras' paths (`lstm/lstm_cell/kernel`).
 *
 * Not public API. (Candidates for `layers/layer.ts` once other families need them: Keras has
 * `Layer.build_from_config`.)
 */
import { ValueError, fmt } from "../../errors";
import { noGrad } from "../../autodiff/grad";
import { deserializeKerasObject } from "../../saving/serialization";
import { Layer } from "../layer";
import type { Variable } from "../../variables/variable";

/**
 * Builds `layer` from a Keras `build_config` (Keras `Layer.build_from_config`): `input_shape`
 * goes to `build`, a `shapes_dict` goes through the layer's own `buildFromConfig` when it has one.
 */
export function buildFromConfig(layer: Layer, buildConfig: unknown): void {
  if (layer.built || buildConfig === null || buildConfig === undefined) return;
  const own = (layer as { buildFromConfig?: (c: unknown) => void }).buildFromConfig;
  if (typeof own === "function") {
    own.call(layer, buildConfig);
    layer.built = true;
    return;
  }
  const c = buildConfig as { input_shape?: unknown };
  if (c.input_shape === undefined) return;
  buildLayer(layer, c.input_shape);
}

/** Builds `layer` for `inputShape` (outside any gradient tape), like `Layer.maybeBuild`. */
export function buildLayer(layer: Layer, inputShape: unknown): void {
  if (layer.built) return;
  noGrad(() => layer.build(inputShape));
  layer.buildInputShape ??= inputShape;
  layer.built = true;
}

/**
 * Rebuilds a nested layer from its serialized dict and builds it from its `build_config`, so a
 * built wrapper round-trips through its config to an equal (built) config, as in Keras.
 */
export function deserializeLayer(config: unknown, where: string): Layer {
  const layer = deserializeKerasObject(config);
  if (!(layer instanceof Layer))
    throw new ValueError(`${where}: expected a serialized Keras layer. Received: ${fmt(config)}`);
  const bc = (config as { build_config?: unknown }).build_config;
  if (bc !== undefined && bc !== null) buildFromConfig(layer, bc);
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
