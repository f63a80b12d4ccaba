import { defineConfig } from "vite";

// Placeholder for serving demos. These headers make the page cross-origin isolated, so that
// SharedArrayBuffer (and with it wasm threads) is available.
const crossOriginIsolation = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
};

export default defineConfig({
  server: { host: "127.0.0.1", headers: crossOriginIsolation },
  preview: { host: "127.0.0.1", headers: crossOriginIsolation },
});
