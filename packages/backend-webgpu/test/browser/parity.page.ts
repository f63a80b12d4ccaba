/**
 * Page side of the webgpu parity run in Chromium (see ../browser.test.ts): the shared parity
 * suite, forward and gradients, against the cpu backend, with no known gaps. A page whose
 * Chromium offers no WebGPU adapter fails its first case instead of skipping the suite: this
 * file runs only where Chromium was started with WebGPU on purpose.
 */
import { runRegistered } from "@webkeras/browser-test/vitest-shim";
import { runParitySuite } from "@webkeras/parity";
import { describe, expect, it } from "vitest";
import "../../src/index";

describe("webgpu in Chromium", () => {
  it("navigator.gpu gives an adapter", async () => {
    const adapter = await navigator.gpu?.requestAdapter();
    expect(adapter, "navigator.gpu.requestAdapter() with --enable-unsafe-webgpu").toBeTruthy();
  });
});

const filter = new URLSearchParams(location.search).get("filter");
runParitySuite({ backend: "webgpu", knownGaps: {}, filter: filter ? (id) => id.includes(filter) : undefined });
await runRegistered();
