/**
 * What the engine offers, detected at run time by validating tiny modules (no instantiation, no
 * side effects): SIMD128 (required), relaxed SIMD (`f32x4.relaxed_madd`: on by default in
 * Chromium, behind `--experimental-wasm-relaxed-simd` in Node 20) and shared memory for threads.
 */
import { ModuleBuilder, T, V, type Func } from "./asm/wasmblr";

/** Capabilities of the running engine, as the backend uses them. */
export interface WasmFeatures {
  /** SIMD128 validates (the backend requires it). */
  simd: boolean;
  /** `f32x4.relaxed_madd` validates: the GEMM micro-kernel uses it (an FMA where there is one). */
  relaxedSimd: boolean;
  /**
   * A shared `WebAssembly.Memory` can be created and this context may share it with workers
   * (`crossOriginIsolated` in browsers).
   */
  sharedMemory: boolean;
}

function probe(body: (f: Func) => void, params: T[]): boolean {
  const m = new ModuleBuilder({ initial: 1, maximum: 1, shared: false });
  m.func("probe", params, [T.v128], body);
  try {
    return WebAssembly.validate(m.encode());
  } catch {
    return false;
  }
}

/**
 * @example
 * const f = detectFeatures(); // { simd: true, relaxedSimd: false, sharedMemory: false } in Node 20
 */
export function detectFeatures(): WasmFeatures {
  const g = globalThis as { crossOriginIsolated?: boolean; SharedArrayBuffer?: unknown };
  let sharedMemory = false;
  if (typeof g.SharedArrayBuffer === "function" && g.crossOriginIsolated !== false) {
    try {
      new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
      sharedMemory = true;
    } catch {
      sharedMemory = false;
    }
  }
  const simd = probe((f) => f.f32x4(0), []);
  const relaxedSimd = probe(
    (f) => f.get(0).get(1).get(2).v(V.f32x4_relaxed_madd),
    [T.v128, T.v128, T.v128],
  );
  return { simd, relaxedSimd, sharedMemory };
}
