// Runs a family inside one headless Chromium page instead of this Node process: for backends
// that exist only in browsers (webgl). The page (`page.mjs`, bundled with esbuild) loads every
// contender of the family, runs each case with the same harness (`harness.mjs` runCase: check,
// warmup, interleaved timed rounds) and returns the rows; RESULTS.md is rendered here as for the
// other families. The browser is driven by @webkeras/browser-test (system Chromium, COOP/COEP
// headers, playwright-core), bundled from its TypeScript source into .cache/ on first use.
import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";

const require = createRequire(import.meta.url);
const cacheDir = fileURLToPath(new URL("../.cache/", import.meta.url));
const here = (p) => fileURLToPath(new URL(p, import.meta.url));

async function loadBrowserTest() {
  mkdirSync(cacheDir, { recursive: true });
  const out = `${cacheDir}browser-test.mjs`;
  await build({
    entryPoints: [require.resolve("@webkeras/browser-test")],
    outfile: out,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "es2022",
    external: ["playwright-core", "esbuild"],
    logLevel: "error",
  });
  return import(pathToFileURL(out).href);
}

/** Version of an installed package (read from its package.json), or "?". */
function versionOf(pkg) {
  try {
    const dir = require.resolve(`${pkg}/package.json`);
    return JSON.parse(readFileSync(dir, "utf8")).version;
  } catch {
    try {
      // Packages that do not export package.json: walk up from their entry.
      let d = require.resolve(pkg);
      for (let i = 0; i < 6; i++) {
        d = d.slice(0, d.lastIndexOf("/"));
        try {
          const j = JSON.parse(readFileSync(`${d}/package.json`, "utf8"));
          if (j.name === pkg) return j.version;
        } catch {
          // keep walking
        }
      }
    } catch {
      // not installed
    }
    return "?";
  }
}

/** TensorFlow.js' wasm binaries (base64) for the page, which has no file server behind it. */
function tfjsWasmBytes() {
  const read = (f) => readFileSync(require.resolve(`@tensorflow/tfjs-backend-wasm/dist/${f}`)).toString("base64");
  return {
    simd: read("tfjs-backend-wasm-simd.wasm"),
    plain: read("tfjs-backend-wasm.wasm"),
    threaded: read("tfjs-backend-wasm-threaded-simd.wasm"),
  };
}

/**
 * Runs `family` (with `browser: { flags }`) on `cases` in Chromium.
 * @returns {{ contenders: object[], unavailable: object[], rows: object[], browserVersion: string }}
 */
export async function runBrowserFamily(family, contenderDefs, cases, opts, log = console.log) {
  const { runInBrowser } = await loadBrowserTest();
  const defs = [family.subject, ...family.peers].map((n) => {
    const d = contenderDefs.find((c) => c.name === n);
    const pkg = { webkeras: "@webkeras/core", "webkeras-wasm": "@webkeras/core", tfjs: "@tensorflow/tfjs-core", jax: "@jax-js/jax" }[d.library];
    return { ...d, versions: [pkg, ...d.imports].map((m) => `${m}@${versionOf(m)}`) };
  });
  const run = await runInBrowser({
    entry: here("./page.mjs"),
    flags: family.browser?.flags ?? [],
    define: {
      __BENCH__: JSON.stringify({
        family: { id: family.id, reference: family.reference },
        contenders: defs,
        cases: cases.map((c) => c.id),
        skip: family.browser?.skip ?? {},
        tfjsWasm: defs.some((d) => d.library === "tfjs" && d.backend === "wasm") ? tfjsWasmBytes() : null,
        opts,
      }),
    },
    alias: {
      // cases.mjs imports wasm.mjs, whose Node-only preamble (tfjs wasm file lookup) the page stubs.
      "node:module": here("./browser_stubs.mjs"),
      "node:path": here("./browser_stubs.mjs"),
    },
    timeoutMs: 1_800_000,
    onConsole: (line) => {
      if (line.startsWith("[log] bench:")) log(line.slice(13));
      else if (/\[(error|pageerror)\]/.test(line) && !line.includes("favicon") && !line.includes("404")) log(`  page: ${line}`);
    },
  });
  if (run.error) throw new Error(`the benchmark page failed: ${run.error}\n${run.logs.slice(-20).join("\n")}`);
  const { rows, contenders, unavailable } = run.summary;
  return {
    browserVersion: run.browserVersion,
    contenders,
    unavailable,
    rows: rows.map((r) => ({ case: cases.find((c) => c.id === r.caseId), results: r.results })),
  };
}
