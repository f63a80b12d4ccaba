// The `webgl` family: webkeras' WebGL2 backend against TensorFlow.js 4.22 webgl and jax-js'
// webgl device, all in one headless Chromium page (WebGL exists only in browsers; see
// browser.mjs), on this machine's SwiftShader (CPU-emulated) WebGL2. Cases are the wasm family's
// (wasm.mjs): matmul 256 / 512 / 1024, the conv2d case, and a training step (value, gradients and
// SGD update) of a 784-128-10 MLP (batch 64) and of the b_cnn network (batch 32), written once
// per library.
//
// contenders.mjs and main.mjs pick these up (WEBGL_CONTENDERS, WEBGL_FAMILIES); main.mjs runs a
// family with `browser` through runBrowserFamily.

export const WEBGL_CONTENDERS = [
  { name: "webkeras-webgl", library: "webkeras", backend: "webgl", imports: ["@webkeras/backend-webgl"] },
  { name: "tfjs-webgl", library: "tfjs", backend: "webgl", imports: ["@tensorflow/tfjs-backend-webgl"] },
  { name: "jax-webgl", library: "jax", backend: "webgl", imports: [] },
];

export const WEBGL_FAMILIES = [
  {
    id: "webgl",
    title: "WebGL2 backend (headless Chromium, SwiftShader WebGL2)",
    subject: "webkeras-webgl",
    peers: ["tfjs-webgl", "jax-webgl"],
    reference: "tfjs-webgl",
    // The issue: at least 1.5x TensorFlow.js webgl on matmul 1024 (held on every matmul and the
    // conv too), and at least 2x on the training steps.
    target: { peer: "tfjs-webgl", factor: 1.5, cases: { "mlp-train-step": 2, "cnn-train-step": 2 } },
    cases: ["wasm-matmul-256", "wasm-matmul-512", "wasm-matmul-1024", "wasm-conv2d", "mlp-train-step", "cnn-train-step"],
    /**
     * Runs in a browser page (browser.mjs): extra Chromium flags, and cases a contender sits out
     * (shown as n/a): jax-js' webgl matmul 1024 takes about 50 s per run here (0.04 GFLOP/s),
     * which would make the section take a quarter of an hour; it is timed at 256 and 512.
     */
    browser: { flags: [], skip: { "jax-webgl": ["wasm-matmul-1024"] } },
  },
];
