import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";
import { DEMOS, demoConfig } from "./demos/common/vite.ts";

// `pnpm vite` serves every demo from one origin (http://127.0.0.1:5173/train/, /fine-tune/,
// /infer/), so the infer demo finds the model the train demo saved to IndexedDB; `pnpm vite build`
// builds them all into dist/demos. Pages are cross-origin isolated (COOP / COEP headers): see
// demos/common/vite.ts. Each demo also runs on its own from its folder (`pnpm --filter
// @webkeras/demo-train dev`).
const demos = fileURLToPath(new URL("./demos", import.meta.url));

export default defineConfig(
  demoConfig(demos, {
    pages: Object.fromEntries([
      ["index", `${demos}/index.html`],
      ...DEMOS.map((d) => [d, `${demos}/${d}/index.html`]),
    ]),
    outDir: fileURLToPath(new URL("./dist/demos", import.meta.url)),
  }),
);
