/**
 * Backend registry, kept on `globalThis` so that two copies of core in one page (two bundles)
 * share one set of backends and one active backend.
 */
import type { BackendFactory } from "./backend";

interface Registry {
  factories: Map<string, BackendFactory>;
}

const KEY = Symbol.for("webkeras.registry.v1");

export function registry(): Registry {
  const g = globalThis as unknown as Record<symbol, Registry | undefined>;
  let r = g[KEY];
  if (!r) {
    r = { factories: new Map() };
    g[KEY] = r;
  }
  return r;
}

/**
 * Makes a backend available to `setBackend` and `"auto"`.
 * @example registerBackend({ name: "cpu", priority: 10, create: async () => new CpuBackend() })
 */
export function registerBackend(factory: BackendFactory): void {
  registry().factories.set(factory.name, factory);
}

export function registeredBackends(): string[] {
  return [...registry().factories.values()].sort((a, b) => b.priority - a.priority).map((f) => f.name);
}
