/**
 * @webkeras/backend-webgpu: the WebGPU backend, registered on import as "webgpu" (priority 40,
 * first in "auto"). Kernels are WGSL generated from core's op table and a few templates.
 *
 * @example
 * import * as keras from "@webkeras/core";
 * import "@webkeras/backend-webgpu";
 * await keras.setBackend("webgpu"); // throws BackendUnavailableError where there is no WebGPU
 */
import { BackendUnavailableError, registerBackend, type BackendFactory } from "@webkeras/core";
import { WebGPUBackend, type WebGPUBackendOptions } from "./webgpu_backend";

export { WebGPUBackend, type WebGPUBackendOptions } from "./webgpu_backend";
export { webgpuKernels } from "./kernels/index";
export { BufferPool, bucketSize, type PoolOptions } from "./buffer_pool";
export type { GpuFeatures, GpuKernel, KernelContext } from "./kernel";

interface NavigatorWithGpu {
  gpu?: GPU;
}

/**
 * Requests an adapter and a device from `navigator.gpu`, with `subgroups` and the largest
 * workgroup storage the adapter offers. Throws `BackendUnavailableError` naming what is missing.
 * `opts` can switch off fusion or the use of subgroups (the portable paths, for tests).
 * @example const backend = await createWebGPUBackend();
 */
export async function createWebGPUBackend(opts: Omit<WebGPUBackendOptions, "gpu"> = {}): Promise<WebGPUBackend> {
  const nav = (globalThis as { navigator?: NavigatorWithGpu }).navigator;
  const gpu = nav?.gpu;
  if (!gpu)
    throw new BackendUnavailableError(
      `webgpu backend: navigator.gpu is missing (no WebGPU here; in Chromium it needs a secure context, in Node install a binding such as the npm "webgpu" package as navigator.gpu). Received: navigator.gpu=${String(gpu)}`,
    );
  let adapter: GPUAdapter | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
  } catch (err) {
    throw new BackendUnavailableError(`webgpu backend: requestAdapter() failed. Received: ${(err as Error).message}`);
  }
  if (!adapter)
    throw new BackendUnavailableError(
      "webgpu backend: navigator.gpu.requestAdapter() returned null (no usable GPU adapter or driver). Received: adapter=null",
    );
  const requiredFeatures: GPUFeatureName[] = [];
  if (adapter.features.has("subgroups")) requiredFeatures.push("subgroups");
  if (adapter.features.has("shader-f16")) requiredFeatures.push("shader-f16");
  const l = adapter.limits;
  const requiredLimits: Record<string, number> = {
    maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
    maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
    maxBufferSize: l.maxBufferSize,
    maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
    maxStorageBuffersPerShaderStage: l.maxStorageBuffersPerShaderStage,
  };
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({ requiredFeatures, requiredLimits });
  } catch (err) {
    throw new BackendUnavailableError(`webgpu backend: requestDevice() failed. Received: ${(err as Error).message}`);
  }
  return new WebGPUBackend(device, adapter, { ...opts, gpu });
}

/** @example registerBackend(webgpuBackendFactory) */
export const webgpuBackendFactory: BackendFactory = {
  name: "webgpu",
  priority: 40,
  create: createWebGPUBackend,
};

registerBackend(webgpuBackendFactory);
