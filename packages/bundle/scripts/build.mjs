// Builds dist/webkeras.min.js: one minified IIFE defining the `webkeras` global, bundled from the
// TypeScript sources of core and of every backend package present in packages/ (each registers
// itself on import). Sources, not dist/, so the build does not depend on the order in which
// `pnpm -r build` builds the packages.
//
//   node scripts/build.mjs [--outfile path]
import { existsSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";

const here = fileURLToPath(new URL("..", import.meta.url));
const packages = join(here, "..");

/** Backend packages with sources: `packages/backend-*` holding a `src/index.ts`. */
export function backendEntries() {
  return readdirSync(packages)
    .filter((d) => d.startsWith("backend-") && existsSync(join(packages, d, "src", "index.ts")))
    .sort()
    .map((d) => ({ name: d, entry: join(packages, d, "src", "index.ts") }));
}

/**
 * Bundles the script-tag build into `outfile` and returns what went in.
 * @example await buildBundle({ outfile: "/tmp/webkeras.min.js" });
 */
export async function buildBundle({
  outfile = join(here, "dist", "webkeras.min.js"),
  minify = true,
} = {}) {
  const backends = backendEntries();
  const alias = { "@webkeras/core": join(packages, "core", "src", "index.ts") };
  for (const b of backends) alias[`@webkeras/${b.name}`] = b.entry;
  const contents = [
    `export * from "@webkeras/core";`,
    ...backends.map((b) => `import "@webkeras/${b.name}";`),
  ].join("\n");
  for (const f of [outfile, `${outfile}.map`]) rmSync(f, { force: true });
  await build({
    stdin: {
      contents,
      resolveDir: join(here, "src"),
      sourcefile: "webkeras-bundle-entry.ts",
      loader: "ts",
    },
    outfile,
    bundle: true,
    format: "iife",
    globalName: "webkeras",
    platform: "browser",
    target: "es2022",
    minify,
    sourcemap: true,
    alias,
    // Node-only modules some code imports lazily on Node; a page never reaches them.
    external: ["node:*"],
    legalComments: "eof",
    logLevel: "warning",
  });
  return {
    outfile,
    backends: backends.map((b) => b.name.slice("backend-".length)),
    bytes: statSync(outfile).size,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const i = process.argv.indexOf("--outfile");
  const out = await buildBundle(i > 0 ? { outfile: process.argv[i + 1] } : {});
  console.log(
    `webkeras.min.js: ${(out.bytes / 1024).toFixed(0)} KiB, backends: cpu${out.backends.map((b) => `, ${b}`).join("")}`,
  );
}
