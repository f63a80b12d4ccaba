/**
 * The parity suite on a webgl backend whose textures are capped at 64 x 64 texels: nearly every
 * case's tensors then span several texture rows, or fall back to the general layout, which
 * checks the logical index -> (x, y) mapping of every kernel (MAX_TEXTURE_SIZE on real devices is
 * 4096 to 16384, too large for the suite's shapes to reach).
 */
import { runRegistered } from "@webkeras/browser-test/vitest-shim";
import { registerBackend } from "@webkeras/core";
import { runParitySuite } from "@webkeras/parity";
import { createWebGLBackend } from "../../src/index";
import { KNOWN_GAPS } from "./known_gaps";

registerBackend({ name: "webgl-small", priority: 0, create: async () => createWebGLBackend({ maxTextureSize: 64 }) });
const filter = new URLSearchParams(location.search).get("filter");
runParitySuite({
  backend: "webgl-small",
  knownGaps: KNOWN_GAPS,
  // Forward cases (the gradient cases run the same kernels on the same shapes), except the
  // "large" ones, whose tensors do not fit a 64 x 64 texture at all.
  filter: (id) => !id.endsWith("(grad)") && !id.includes(": large") && (!filter || id.includes(filter)),
});
await runRegistered();
