/**
 * The shared parity suite (forward and gradients, against the cpu backend) run on webgl inside
 * headless Chromium, plus the forward cases again with textures capped at 64 x 64 texels so that
 * every kernel's index -> texel mapping spans several texture rows. One `it` per case.
 *
 * Node has no WebGL, so this runs in Chromium; without Chromium it skips, except in CI
 * (`CI=true`), where it fails.
 */
import { browserSuite } from "@webkeras/browser-test/vitest";
import { PAGE_ALIAS, here } from "./browser_env";

await browserSuite("webgl parity (Chromium)", {
  entry: here("./browser/parity.page.ts"),
  alias: PAGE_ALIAS,
  timeoutMs: 240_000,
});

await browserSuite("webgl parity with 64x64 textures (Chromium)", {
  entry: here("./browser/parity_small.page.ts"),
  alias: PAGE_ALIAS,
  timeoutMs: 240_000,
});
