/**
 * The wasm backend in headless Chromium, in a cross-origin isolated page (the harness serves
 * COOP/COEP), so the threaded build runs on Web Workers over a shared memory; one page
 * (`browser/parity.page.ts`):
 * - the shared parity suite (forward and gradients) on a 2-thread backend that splits every
 *   kernel it can, and on a single-threaded one;
 * - `browser/threads.ts`: the default backend's thread count and features, threaded results bit
 *   for bit equal to single-threaded ones (kernels and 10 training steps), and a page that is not
 *   isolated running single-threaded with a warning.
 * Without Chromium the suites skip, except in CI (`CI=true`), where they fail.
 */
import { browserSuite } from "@webkeras/browser-test/vitest";
import { PAGE_ALIAS, here } from "./browser_env";

await browserSuite("wasm parity and threads (Chromium)", {
  entry: here("./browser/parity.page.ts"),
  alias: PAGE_ALIAS,
  timeoutMs: 240_000,
});
