// Bundles src/index.ts into dist/index.js (ESM). @webkeras/core stays external (a peer: the
// page's one copy of core), dagre is bundled in. Declarations come from `tsc -p tsconfig.build.json`.
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
rmSync(new URL("../dist", import.meta.url), { recursive: true, force: true });

await build({
  absWorkingDir: root,
  entryPoints: ["src/index.ts"],
  outdir: "dist",
  bundle: true,
  format: "esm",
  platform: "neutral",
  target: "es2022",
  sourcemap: true,
  external: ["@webkeras/core"],
  logLevel: "warning",
});
