/**
 * The shared parity suite on the WebGPU backend in Node: Dawn (npm `webgpu`) on SwiftShader.
 * Skips where Dawn or the driver is missing (see dawn.ts). Known gaps: test name -> reason.
 */
import { runParitySuite } from "@webkeras/parity";
import { installDawn } from "./dawn";

runParitySuite({
  backend: "webgpu",
  setup: async () => {
    await installDawn();
    await import("../src/index");
  },
  knownGaps: {},
});
