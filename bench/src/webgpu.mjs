// The WebGPU families: webkeras' WebGPU backend against TensorFlow.js 4.22 webgpu and jax-js'
// webgpu device, side by side on the same adapter. The cases are the wasm family's (matmul 256 /
// 512 / 1024, conv2d, the MLP and b_cnn training steps), written once per library in wasm.mjs.
//
// - `webgpu`: all three in one headless Chromium page (`--enable-unsafe-webgpu`; see
//   browser.mjs), the setting the issue asks for. Here the adapter is SwiftShader (CPU-emulated
//   Vulkan), so only the ratios mean anything.
// - `webgpu-dawn`: the same in this Node process, on Dawn (npm `webgpu`) over the same
//   SwiftShader driver; kept because it needs no browser and shows the Node path users of
//   dawn.node get. Dawn is installed as `navigator.gpu` when this module loads, but only for a
//   run that includes this family (TensorFlow.js' webgpu backend registers itself only if
//   `navigator.gpu` exists when it is imported, and a live Dawn instance keeps Node from exiting
//   on its own).
import { existsSync } from "node:fs";
import { WASM_CASES, WASM_LIBRARIES } from "./wasm.mjs";

const ICD = process.env.VK_ICD_FILENAMES ?? "/usr/lib/chromium/vk_swiftshader_icd.json";

function familyRequested() {
  const i = process.argv.indexOf("--family");
  const j = process.argv.findIndex((a) => a.startsWith("--family="));
  const value = i >= 0 ? process.argv[i + 1] : j >= 0 ? process.argv[j].slice(9) : null;
  return value === null || value.split(",").includes("webgpu-dawn");
}

/** Why WebGPU is missing, or null once `navigator.gpu` is Dawn. */
let unavailable = "not requested";
if (familyRequested()) {
  if (!existsSync(ICD)) unavailable = `no Vulkan driver at ${ICD}`;
  else {
    try {
      process.env.VK_ICD_FILENAMES = ICD;
      process.env.XDG_RUNTIME_DIR ??= "/tmp";
      const { create, globals } = await import("webgpu");
      Object.assign(globalThis, globals);
      // dawn.node frees its instance when this object is collected: navigator keeps it alive.
      const gpu = create([]);
      // jax-js reads navigator.userAgent when it tunes kernels.
      if (globalThis.navigator) Object.defineProperty(globalThis.navigator, "gpu", { value: gpu, configurable: true });
      else globalThis.navigator = { gpu, userAgent: `Node.js/${process.version}` };
      unavailable = null;
    } catch (err) {
      unavailable = `the npm "webgpu" package did not load: ${err.message}`;
    }
  }
}

export const WEBGPU_LIBRARIES = {
  // jax-js as in wasm.mjs, plus its webgpu device where navigator.gpu exists.
  jax: {
    ...WASM_LIBRARIES.jax,
    load: async () => {
      const jax = await WASM_LIBRARIES.jax.load();
      if (globalThis.navigator?.gpu) await jax.init("webgpu");
      return jax;
    },
    activate: async (jax, backend) => {
      if (backend === "webgpu" && unavailable) throw new Error(`webgpu: ${unavailable}`);
      jax.defaultDevice(backend);
    },
  },
};

export const WEBGPU_CONTENDERS = [
  {
    name: "webkeras-webgpu",
    library: "webkeras",
    backend: "webgpu",
    imports: ["@webkeras/backend-webgpu"],
  },
  {
    name: "tfjs-webgpu",
    library: "tfjs",
    backend: "webgpu",
    imports: ["@tensorflow/tfjs-backend-webgpu"],
  },
  { name: "jaxjs-webgpu", library: "jax", backend: "webgpu", imports: [] },
];

const common = {
  subject: "webkeras-webgpu",
  peers: ["tfjs-webgpu", "jaxjs-webgpu"],
  reference: "tfjs-webgpu",
  // The issue asks 2x TF.js webgpu, and 1x jax-js on matmul and the training steps.
  target: {
    peer: "tfjs-webgpu",
    factor: 2,
    also: [
      {
        peer: "jaxjs-webgpu",
        factor: 1,
        cases: ["wasm-matmul-256", "wasm-matmul-512", "wasm-matmul-1024", "mlp-train-step", "cnn-train-step"],
      },
    ],
  },
  cases: WASM_CASES.map((c) => c.id),
};

export const WEBGPU_FAMILIES = [
  {
    id: "webgpu",
    title: "WebGPU backend (headless Chromium, SwiftShader WebGPU: CPU-emulated; no real GPU here)",
    ...common,
    browser: { flags: ["--enable-unsafe-webgpu"], skip: {} },
  },
  {
    id: "webgpu-dawn",
    title: "WebGPU backend in Node (Dawn on SwiftShader, CPU-emulated)",
    ...common,
  },
];
