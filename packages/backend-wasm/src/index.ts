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

export { WasmBackend, type WasmBackendInfo } from "./wasm_backend";
export { detectFeatures, type WasmFeatures } from "./features";
export { Allocator, sizeClass } from "./allocator";
export { PARALLEL_MIN_WORK } from "./runtime";
export { wasmKernels, type WasmKernel } from "./kernels/index";

/** Options of `createWasmBackend`. */
export interface WasmBackendOptions {
  /** Initial linear memory in bytes (default 16 MiB). */
  initialBytes?: number;
  /** Cap on linear memory growth in bytes (default 2 GiB). */
  maxBytes?: number;
  /** Use relaxed SIMD where the engine has it (default true); false forces plain SIMD128. */
  relaxedSimd?: boolean;
  /**
   * Threads to run kernels on, this one included (default `await defaultNumThreads()`). More than one
   * needs memory shared with workers (`crossOriginIsolated` in a page); where that is missing the
   * backend runs on one thread and `info().warnings` says why. Results are the same for any count.
   */
  numThreads?: number;
  /**
   * Least work (multiply-adds; elementwise ops count 4 per element) that earns one more thread
   * (default 2^20: below that, waking a worker costs more than it saves). Tests set 1, so that
   * every kernel that can split does.
   */
  minParallelWork?: number;
}

/**
 * The default thread count: the machine's logical cores capped at 4, where threads can run: in
 * a cross-origin isolated page (`navigator.hardwareConcurrency`) and in Node (`worker_threads`,
 * `os.availableParallelism()`); 1 in pages without isolation. Threads pay in Node too: on the
 * 2-core machine this was measured on, matmul 1024 ran 1.8x faster on 2 threads (README).
 * @example createWasmBackend({ numThreads: await defaultNumThreads() })
 */
export async function defaultNumThreads(): Promise<number> {
  const g = globalThis as {
    crossOriginIsolated?: boolean;
    navigator?: { hardwareConcurrency?: number };
    process?: { versions?: { node?: string } };
  };
  let cores = 1;
  if (g.crossOriginIsolated === true) cores = g.navigator?.hardwareConcurrency ?? 1;
  else if (g.crossOriginIsolated === undefined && g.process?.versions?.node) {
    // A variable specifier keeps bundlers from resolving a Node module for browsers.
    const specifier = "node:os";
    try {
      const os = (await import(/* @vite-ignore */ specifier)) as {
        availableParallelism?: () => number;
        cpus: () => unknown[];
      };
      cores = os.availableParallelism?.() ?? os.cpus().length;
    } catch {
      cores = 1;
    }
  }
  return Math.max(1, Math.min(4, cores));
}

/**
 * Starts a wasm backend (compiles the kernel module for this engine).
 * @example const backend = await createWasmBackend({ maxBytes: 512 << 20, numThreads: 2 });
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
    numThreads: options.numThreads ?? (await defaultNumThreads()),
    minParallelWork: options.minParallelWork,
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
