// Builds dist/webkeras.min.js: one minified IIFE defining the `webkeras` global, bundled from the
// TypeScript sources of core and of every backend package present in packages/ (each registers
// itself on import). Sources, not dist/, so the build does not depend on the order in which
// `pnpm -r build` builds the packages.
//
// h5wasm (the HDF5 library core uses to *write* weights, about 5.5 MB with its wasm) stays out
// of the main file: it goes to dist/webkeras.h5wasm.js, which `model.save` imports on first use.
// A dynamic import() in a classic script resolves against that script's URL, so the two files
// only need to sit side by side. Loading models does not need it (core reads HDF5 itself).
//
//   node scripts/build.mjs [--outfile path]
import { existsSync, readdirSync, rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";

const here = fileURLToPath(new URL("..", import.meta.url));
/** Companion file with h5wasm, next to webkeras.min.js. */
export const H5WASM_FILE = "webkeras.h5wasm.js";
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
  const aside = join(dirname(outfile), H5WASM_FILE);
  for (const f of [outfile, `${outfile}.map`, aside]) rmSync(f, { force: true });
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
    plugins: [
      {
        name: "h5wasm-aside",
        setup(b) {
          b.onResolve({ filter: /^h5wasm$/ }, () => ({ path: `./${H5WASM_FILE}`, external: true }));
        },
      },
    ],
    legalComments: "eof",
    logLevel: "warning",
  });
  await build({
    stdin: {
      contents: `export * from "h5wasm";\nexport { default } from "h5wasm";`,
      // Resolved from core, which depends on h5wasm.
      resolveDir: join(packages, "core", "src"),
      sourcefile: "h5wasm-entry.js",
    },
    outfile: aside,
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify,
    external: ["node:*"],
    logLevel: "warning",
  });
  return {
    outfile,
    backends: backends.map((b) => b.name.slice("backend-".length)),
    bytes: statSync(outfile).size,
    h5wasmBytes: statSync(aside).size,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const i = process.argv.indexOf("--outfile");
  const out = await buildBundle(i > 0 ? { outfile: process.argv[i + 1] } : {});
  console.log(
    `webkeras.min.js: ${(out.bytes / 1024).toFixed(0)} KiB, backends: cpu${out.backends.map((b) => `, ${b}`).join("")}; ` +
      `${H5WASM_FILE} (loaded by model.save): ${(out.h5wasmBytes / 1024).toFixed(0)} KiB`,
  );
}
