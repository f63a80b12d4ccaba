// Bundles src/index.ts into dist/index.js (ESM, platform-neutral); @webkeras/core stays an import
// so that the page shares one core (and one backend registry) with the application.
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
  format: "esm",
  platform: "neutral",
  target: "es2022",
  sourcemap: true,
  external: ["@webkeras/core", "node:*"],
  logLevel: "warning",
});
