/**
 * The shared parity suite (forward values and gradients of every primitive and op case) on the
 * wasm backend in Node, against the cpu oracle.
 */
import { runParitySuite } from "@webkeras/parity";

runParitySuite({
  backend: "wasm",
  setup: async () => {
    await import("../src/index");
  },
  knownGaps: {},
});
