// Bundles TensorFlow.js from its ES modules into bench/.cache/ with esbuild.
// Why: tfjs-core's Node entry (dist/tf-core.node.js) does not register gradients; they live only
// in its ES modules (`dist/register_all_gradients.js`, extensionless imports Node cannot load).
// Bundling them with tfjs-core and the backends gives one copy of tfjs, with gradients, built
// from the same ES modules a browser user's bundler picks ("module" field).
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";

const cacheDir = fileURLToPath(new URL("../.cache/", import.meta.url));

/**
 * Bundles `@tensorflow/tfjs-core` (all gradients registered) plus the modules in `imports`
 * (backend packages) into one ES module and imports it.
 * @example const tf = await loadTfjsBundle(["@tensorflow/tfjs-backend-cpu"]);
 */
export async function loadTfjsBundle(imports) {
  mkdirSync(cacheDir, { recursive: true });
  const entry = `${cacheDir}tfjs-entry.mjs`;
  const out = `${cacheDir}tfjs.mjs`;
  writeFileSync(
    entry,
    [
      'export * from "@tensorflow/tfjs-core";',
      'import "@tensorflow/tfjs-core/dist/register_all_gradients";',
      ...imports.map((m) => `import ${JSON.stringify(m)};`),
      "",
    ].join("\n"),
  );
  await build({
    entryPoints: [entry],
    outfile: out,
    absWorkingDir: fileURLToPath(new URL("..", import.meta.url)),
    nodePaths: [fileURLToPath(new URL("../node_modules", import.meta.url))],
    bundle: true,
    format: "esm",
    platform: "node",
    target: "es2022",
    mainFields: ["module", "main"],
    // tfjs' Node platform code calls require("util") / require("node-fetch") lazily.
    banner: {
      js: 'import { createRequire } from "node:module"; const require = createRequire(import.meta.url);',
    },
    external: ["node-fetch"],
    logLevel: "error",
  });
  return import(pathToFileURL(out).href);
}
