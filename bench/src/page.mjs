// The benchmark page (see browser.mjs): every contender of one family (webgl or webgpu) in one
// Chromium page, each case run by the same harness as in Node. Libraries are the built packages
// a browser app bundles: webkeras' dist (core and the backend packages), TensorFlow.js' ES
// modules with every gradient registered, jax-js. `__BENCH__` (injected at bundle time) names the family, its
// contenders, cases and timing options.
import * as jax from "@jax-js/jax";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import "@tensorflow/tfjs-backend-webgl";
// TensorFlow.js' webgpu backend registers itself only where `navigator.gpu` exists (Chromium
// started with --enable-unsafe-webgpu, as the webgpu family is).
import "@tensorflow/tfjs-backend-webgpu";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import * as keras from "@webkeras/core";
import "@webkeras/backend-webgl";
import "@webkeras/backend-webgpu";
import { createWasmBackend } from "@webkeras/backend-wasm";
import { CASES } from "./cases.mjs";
import { runCase } from "./harness.mjs";

/* global __BENCH__ */
const cfg = __BENCH__;

// The wasm family: webkeras' wasm backend at fixed thread counts (as wasm.mjs registers in Node),
// and TensorFlow.js' SIMD wasm build from bytes the runner injects (the test server serves only
// the bundle), single-threaded: the page is cross-origin isolated, where TensorFlow.js would
// otherwise pick its threaded build.
for (const numThreads of [1, 2])
  keras.registerBackend({ name: `wasm-${numThreads}t`, priority: 0, create: () => createWasmBackend({ numThreads }) });
if (cfg.tfjsWasm) {
  const url = (b64) => URL.createObjectURL(new Blob([Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0))], { type: "application/wasm" }));
  // setWasmPaths wants every binary; the threaded one stays unused (no multithread support below).
  setWasmPaths({
    "tfjs-backend-wasm-simd.wasm": url(cfg.tfjsWasm.simd),
    "tfjs-backend-wasm.wasm": url(cfg.tfjsWasm.plain),
    "tfjs-backend-wasm-threaded-simd.wasm": url(cfg.tfjsWasm.threaded),
  });
  tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
}

/** How each library loads, activates a backend and counts live tensors (as contenders.mjs). */
const LIBRARIES = {
  webkeras: {
    mod: keras,
    activate: async (k, backend) => {
      await k.setBackend(backend);
    },
    liveTensors: (k) => k.memory().numTensors,
  },
  "webkeras-wasm": {
    mod: keras,
    activate: async (k, backend) => {
      await k.setBackend(backend);
    },
    liveTensors: (k) => k.memory().numTensors,
  },
  tfjs: {
    mod: tf,
    activate: async (t, backend) => {
      t.enableProdMode();
      if (!(await t.setBackend(backend))) throw new Error(`tfjs: backend "${backend}" failed to start. Received: ${backend}`);
    },
    liveTensors: (t) => t.memory().numTensors,
  },
  jax: {
    mod: jax,
    activate: async (j, backend) => {
      await j.init(backend);
      j.defaultDevice(backend);
    },
    // jax-js keeps no global count of live arrays.
    liveTensors: () => undefined,
  },
};

async function start(def) {
  const lib = LIBRARIES[def.library];
  const skip = cfg.skip?.[def.name] ?? [];
  await lib.activate(lib.mod, def.backend);
  return {
    name: def.name,
    library: def.library,
    versions: def.versions,
    activate: () => lib.activate(lib.mod, def.backend),
    liveTensors: () => lib.liveTensors(lib.mod),
    setup: (c, inputs) => (skip.includes(c.id) ? null : (c.impl[def.library]?.(lib.mod, inputs) ?? null)),
  };
}

async function main() {
  const log = (s) => console.log(`bench: ${s}`);
  const contenders = [];
  const unavailable = [];
  for (const def of cfg.contenders) {
    try {
      contenders.push(await start(def));
    } catch (err) {
      unavailable.push({ name: def.name, error: err instanceof Error ? err.message : String(err) });
      log(`  ${def.name} unavailable: ${unavailable.at(-1).error}`);
    }
  }
  for (const c of contenders)
    if (c.library === "webkeras-wasm") {
      await c.activate();
      log(`  ${c.name}: ${JSON.stringify(keras.getBackendInfo())}`);
    }
  const rows = [];
  for (const id of cfg.cases) {
    const c = CASES.find((x) => x.id === id);
    const t0 = performance.now();
    const results = await runCase(c, contenders, cfg.family.reference, cfg.opts, log);
    rows.push({ caseId: id, results });
    const cols = contenders.map((ct) => `${ct.name} ${results[ct.name].stats ? `${results[ct.name].stats.median.toPrecision(3)} ms` : results[ct.name].error}`);
    log(`  ${id.padEnd(16)} ${cols.join("  ")}  (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  }
  return {
    rows,
    unavailable,
    contenders: contenders.map((c) => ({ name: c.name, library: c.library, versions: c.versions })),
  };
}

try {
  const summary = await main();
  await globalThis.__wkDone?.(summary, null);
} catch (err) {
  await globalThis.__wkDone?.(null, err instanceof Error ? `${err.message}\n${err.stack}` : String(err));
}
