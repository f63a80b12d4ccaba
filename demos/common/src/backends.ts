/**
 * Backend discovery for the demos: every `packages/backend-*` package in the tree is imported
 * (each registers itself with core on import), so a demo offers whatever backends exist, and a
 * new backend package shows up in the picker and the e2e runs without touching the demos.
 */
import * as keras from "@webkeras/core";

// Lazy, so a backend that fails to load (or to start) only costs its own entry.
const loaders = import.meta.glob("../../../packages/backend-*/src/index.ts");

const nameOf = (path: string): string => /backend-([^/]+)\/src/.exec(path)?.[1] ?? path;

export interface BackendList {
  /** Registered backends, best first ("auto" tries them in this order). */
  available: string[];
  /** Backend packages that failed to load, with the reason. */
  failed: Record<string, string>;
}

/**
 * Imports the backend packages present and lists what registered.
 * @example const { available } = await loadBackends(); // ["webgpu", "wasm", "cpu"]
 */
export async function loadBackends(): Promise<BackendList> {
  const failed: Record<string, string> = {};
  await Promise.all(
    Object.entries(loaders).map(async ([path, load]) => {
      try {
        await load();
      } catch (err) {
        failed[nameOf(path)] = (err as Error).message;
      }
    }),
  );
  return { available: keras.registeredBackends(), failed };
}

/**
 * Activates `name` ("auto": the best one that starts) and returns the backend's name.
 * @example await useBackend(readParams().backend);
 */
export async function useBackend(name: string): Promise<string> {
  if (name !== "auto" && !keras.registeredBackends().includes(name))
    throw new Error(
      `Backend "${name}" is not available in this build (registered: ${keras.registeredBackends().join(", ")}). Received: backend=${name}`,
    );
  return keras.setBackend(name);
}
