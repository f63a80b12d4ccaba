/**
 * Page side of the wasm tests in Chromium (one page, one browser start): the shared parity suite
 * (`@webkeras/parity`, written for vitest, run by the in-page shim) on "wasm-threads" (2 threads,
 * every splittable kernel split: `minParallelWork: 1`) and on "wasm-1t" (one thread), each
 * against the cpu oracle; then the thread tests of `threads.ts`.
 */
import { runRegistered } from "@webkeras/browser-test/vitest-shim";
import { registerBackend } from "@webkeras/core";
import { runParitySuite } from "@webkeras/parity";
import { createWasmBackend } from "../../src/index";
import "./threads";

registerBackend({
  name: "wasm-threads",
  priority: 0,
  create: () => createWasmBackend({ numThreads: 2, minParallelWork: 1 }),
});
registerBackend({
  name: "wasm-1t",
  priority: 0,
  create: () => createWasmBackend({ numThreads: 1 }),
});

const filter = new URLSearchParams(location.search).get("filter");
for (const backend of ["wasm-threads", "wasm-1t"])
  runParitySuite({
    backend,
    knownGaps: {},
    filter: filter ? (id) => id.includes(filter) : undefined,
  });
await runRegistered();
