/**
 * The webgl backend in headless Chromium: start-up and info(), fusion, fenced readback, layouts
 * beyond MAX_TEXTURE_SIZE, 20 training steps of an MLP and of b_cnn against cpu, save on webgl /
 * load on cpu, and live textures after a disposed training loop (see browser/backend.page.ts).
 */
import { browserSuite } from "@webkeras/browser-test/vitest";
import { PAGE_ALIAS, here } from "./browser_env";

await browserSuite("webgl backend (Chromium)", {
  entry: here("./browser/backend.page.ts"),
  alias: PAGE_ALIAS,
  timeoutMs: 240_000,
});
