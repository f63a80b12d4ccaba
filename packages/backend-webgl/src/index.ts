/**
 * @webkeras/backend-webgl: the WebGL2 backend, registered on import as "webgl" (priority 30:
 * after webgpu, before wasm and cpu in `setBackend("auto")`).
 *
 * @example
 * import * as keras from "@webkeras/core";
 * import "@webkeras/backend-webgl";
 * await keras.setBackend("webgl");
 */
import { registerBackend, type BackendFactory } from "@webkeras/core";
import { createWebGLBackend } from "./webgl_backend";

export { WebGLBackend, createWebGLBackend, type WebGLBackendInfo, type WebGLBackendOptions } from "./webgl_backend";
export { webglKernels } from "./kernels/index";
export { layoutFor } from "./glsl";

/**
 * The factory `setBackend("webgl")` uses: throws `BackendUnavailableError` (naming what is
 * missing: WebGL2 itself or `EXT_color_buffer_float`) where it cannot start.
 * @example registerBackend(webglBackendFactory)
 */
export const webglBackendFactory: BackendFactory = {
  name: "webgl",
  priority: 30,
  create: async () => createWebGLBackend(),
};

registerBackend(webglBackendFactory);
