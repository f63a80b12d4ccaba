// Bundles src/index.ts into dist/index.js (ESM, platform-neutral) so that the extensionless
// relative imports in src (Bundler resolution) become one file plain Node and browsers can load.
// Declarations are emitted afterwards by `tsc -p tsconfig.build.json`.
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
  splitting: true, // keeps `await import()` of heavy modules as separate chunks
  format: "esm",
  platform: "neutral",
  target: "es2022",
  sourcemap: true,
  external: ["node:*"],
  logLevel: "warning",
});
