/**
 * Layer configs from the Keras 3.15.1 reference files (shared/keras-format/models/<case>/get_config.json),
 * by layer name, for config-fidelity tests. Empty when the reference files are not checked out.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");
const models = path.resolve(repoRoot, "../shared/keras-format/models");

/** `{class_name, config}` of a layer in a reference model, or null if the files are absent. */
export function kerasLayerConfig(
  caseName: string,
  layerName: string,
): { class_name: string; config: Record<string, unknown> } | null {
  const file = path.join(models, caseName, "get_config.json");
  if (!existsSync(file)) return null;
  const cfg = JSON.parse(readFileSync(file, "utf8")) as {
    layers: { class_name: string; name?: string; config: Record<string, unknown> }[];
  };
  const layer = cfg.layers.find((l) => (l.config.name ?? l.name) === layerName);
  if (!layer) throw new Error(`no layer "${layerName}" in ${file}`);
  return { class_name: layer.class_name, config: layer.config };
}
