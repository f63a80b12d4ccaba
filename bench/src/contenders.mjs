// Who runs the cases. A *library* says how to load itself, switch backend and count live
// tensors; a *contender* is a library on one backend; a *family* is the set of contenders
// compared in one section of RESULTS.md (one webkeras backend, the subject, against its peers).
// Adding a backend to an existing library is one CONTENDERS line (plus its family); adding a
// library is one LIBRARIES entry plus an `impl` per case in cases.mjs.
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { loadTfjsBundle } from "./bundle.mjs";
import { WASM_CONTENDERS, WASM_FAMILIES, WASM_LIBRARIES } from "./wasm.mjs";
import { WEBGL_CONTENDERS, WEBGL_FAMILIES } from "./webgl.mjs";
import { WEBGPU_CONTENDERS, WEBGPU_FAMILIES, WEBGPU_LIBRARIES } from "./webgpu.mjs";

const require = createRequire(import.meta.url);

/** Version of an installed package, or "?" (some packages do not export their package.json). */
function versionOf(pkg) {
  try {
    return require(`${pkg}/package.json`).version;
  } catch {
    // Not exported (e.g. @jax-js/jax): find the package.json above the resolved entry point.
    try {
      let dir = path.dirname(require.resolve(pkg));
      for (let i = 0; i < 5; i++, dir = path.dirname(dir)) {
        const file = path.join(dir, "package.json");
        if (existsSync(file)) {
          const json = JSON.parse(readFileSync(file, "utf8"));
          if (json.name === pkg) return json.version;
        }
      }
    } catch {
      // fall through
    }
    return "?";
  }
}

export const LIBRARIES = {
  webkeras: {
    // The built dist (packages/core/dist), as users get it: `pnpm --filter @webkeras/core build`.
    pkg: "@webkeras/core",
    // Plus the backend packages of its contenders (each registers itself on import); one that
    // fails to load leaves only its contender unavailable.
    load: async () => {
      const k = await import("@webkeras/core");
      const imports = CONTENDERS.filter((c) => c.library === "webkeras").flatMap((c) => c.imports);
      for (const m of new Set(imports)) await import(m).catch(() => {});
      return k;
    },
    activate: async (k, backend) => {
      await k.setBackend(backend);
    },
    liveTensors: (k) => k.memory().numTensors,
  },
  tfjs: {
    pkg: "@tensorflow/tfjs-core",
    // One bundle holding tfjs-core, its gradients and every tfjs contender's backend.
    load: async () => {
      const imports = CONTENDERS.filter((c) => c.library === "tfjs").flatMap((c) => c.imports);
      const tf = await loadTfjsBundle([...new Set(imports)]);
      tf.enableProdMode(); // only silences warnings (the "install tfjs-node" banner)
      return tf;
    },
    activate: async (tf, backend) => {
      if (!(await tf.setBackend(backend)))
        throw new Error(`tfjs: backend "${backend}" failed to start. Received: ${backend}`);
    },
    liveTensors: (tf) => tf.memory().numTensors,
  },
  ...WASM_LIBRARIES,
  ...WEBGPU_LIBRARIES,
};

/**
 * `imports`: modules the library must load for this backend (backend packages that register
 * themselves on import); for tfjs they go into its bundle (see bundle.mjs).
 */
export const CONTENDERS = [
  { name: "webkeras-cpu", library: "webkeras", backend: "cpu", imports: [] },
  {
    name: "tfjs-cpu",
    library: "tfjs",
    backend: "cpu",
    imports: ["@tensorflow/tfjs-backend-cpu"],
  },
  ...WASM_CONTENDERS,
  ...WEBGL_CONTENDERS,
  ...WEBGPU_CONTENDERS,
];

/**
 * `subject`: the webkeras contender; `reference`: the contender whose outputs the others are
 * checked against; `target`: the speedup `subject` should reach over `target.peer` (`target.cases`:
 * per-case factors, e.g. `{ "mlp-train-step": 2 }`).
 */
export const FAMILIES = [
  {
    id: "cpu",
    title: "CPU backend (plain JavaScript, one thread)",
    subject: "webkeras-cpu",
    peers: ["tfjs-cpu"],
    reference: "tfjs-cpu",
    target: { peer: "tfjs-cpu", factor: 3 },
  },
  ...WASM_FAMILIES,
  ...WEBGL_FAMILIES,
  ...WEBGPU_FAMILIES,
];

/**
 * Loads a contender's library and backend; returns a handle for the harness, or throws (the
 * harness then reports the contender as unavailable, with the reason).
 */
export async function startContender(def) {
  const lib = LIBRARIES[def.library];
  if (!lib) throw new Error(`unknown library. Received: library=${def.library}`);
  lib.loaded ??= lib.load();
  const mod = await lib.loaded;
  await lib.activate(mod, def.backend);
  return {
    name: def.name,
    library: def.library,
    versions: [lib.pkg, ...def.imports].map((m) => `${m}@${versionOf(m)}`),
    activate: () => lib.activate(mod, def.backend),
    liveTensors: () => lib.liveTensors(mod),
    setup: (c, inputs) => c.impl[def.library]?.(mod, inputs) ?? null,
  };
}
