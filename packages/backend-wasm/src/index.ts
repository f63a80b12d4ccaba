/**
 * @webkeras/backend-wasm: the WebAssembly SIMD backend. Importing this module registers it as
 * "wasm" (priority 20: above cpu, below webgl/webgpu in "auto").
 *
 * @example
 * import * as keras from "@webkeras/core";
 * import "@webkeras/backend-wasm";
 * await keras.setBackend("wasm");
 */
import { BackendUnavailableError, registerBackend } from "@webkeras/core";
import type { BackendFactory } from "@webkeras/core";
import { detectFeatures } from "./features";
import { Runtime } from "./runtime";
import { WasmBackend } from "./wasm_backend";

export { WasmBackend } from "./wasm_backend";
export { detectFeatures, type WasmFeatures } from "./features";
export { Allocator, sizeClass } from "./allocator";
export { wasmKernels, type WasmKernel } from "./kernels/index";

/** Options of `createWasmBackend`. */
export interface WasmBackendOptions {
  /** Initial linear memory in bytes (default 16 MiB). */
  initialBytes?: number;
  /** Cap on linear memory growth in bytes (default 2 GiB). */
  maxBytes?: number;
  /** Use relaxed SIMD where the engine has it (default true); false forces plain SIMD128. */
  relaxedSimd?: boolean;
}

/**
 * Starts a wasm backend (compiles the kernel module for this engine).
 * @example const backend = await createWasmBackend({ maxBytes: 512 << 20 });
 */
export async function createWasmBackend(options: WasmBackendOptions = {}): Promise<WasmBackend> {
  if (typeof WebAssembly !== "object")
    throw new BackendUnavailableError(
      "wasm backend: WebAssembly is not available here. Received: WebAssembly=undefined",
    );
  const features = detectFeatures();
  if (!features.simd)
    throw new BackendUnavailableError(
      "wasm backend: this engine does not support WebAssembly SIMD128 (needed by every kernel). Received: simd=false",
    );
  if (options.relaxedSimd === false) features.relaxedSimd = false;
  const rt = await Runtime.create(features, {
    initialBytes: options.initialBytes ?? 16 << 20,
    maxBytes: Math.min(options.maxBytes ?? 2 ** 31, 2 ** 32 - 65536),
  });
  return new WasmBackend(rt);
}

/** @example registerBackend(wasmBackendFactory) */
export const wasmBackendFactory: BackendFactory = {
  name: "wasm",
  priority: 20,
  create: () => createWasmBackend(),
};

registerBackend(wasmBackendFactory);
