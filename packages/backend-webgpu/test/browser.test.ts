/**
 * The webgpu backend in headless Chromium (`--enable-unsafe-webgpu`, SwiftShader): the shared
 * parity suite (forward and gradients, against cpu) and training parity with the live-buffer
 * check, one `it` per case. Without Chromium it skips, except in CI (`CI=true`), where it fails.
 */
import { browserSuite } from "@webkeras/browser-test/vitest";
import { PAGE_ALIAS, WEBGPU_FLAGS, here } from "./browser_env";

await browserSuite("webgpu parity (Chromium)", {
  entry: here("./browser/parity.page.ts"),
  alias: PAGE_ALIAS,
  flags: WEBGPU_FLAGS,
  timeoutMs: 600_000,
});

await browserSuite("webgpu training (Chromium)", {
  entry: here("./browser/backend.page.ts"),
  alias: PAGE_ALIAS,
  flags: WEBGPU_FLAGS,
  timeoutMs: 600_000,
});
