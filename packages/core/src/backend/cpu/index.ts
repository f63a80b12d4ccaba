/**
 * The CPU backend, registered on import: core's index imports this file, so "cpu" is always
 * available as the embedded default (priority 10, below webgpu, webgl and wasm in "auto").
 */
import type { BackendFactory } from "../backend";
import { registerBackend } from "../registry";
import { CpuBackend } from "./cpu_backend";

export { CpuBackend } from "./cpu_backend";
export { cpuKernels, type CpuInput, type CpuKernel } from "./kernels/index";

/** @example registerBackend(cpuBackendFactory) */
export const cpuBackendFactory: BackendFactory = {
  name: "cpu",
  priority: 10,
  create: async () => new CpuBackend(),
  createSync: () => new CpuBackend(),
};

registerBackend(cpuBackendFactory);
