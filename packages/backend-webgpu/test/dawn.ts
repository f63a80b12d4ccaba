/**
 * Installs WebGPU in Node for the tests: the npm `webgpu` package (Dawn) as `navigator.gpu`, on the
 * SwiftShader Vulkan driver that Debian's chromium package ships. When the package, the driver or
 * the Vulkan loader is missing, nothing is installed and the backend reports itself unavailable
 * (the tests skip); CI installs chromium and libvulkan1, so there they run.
 */
import { existsSync } from "node:fs";

const SWIFTSHADER_ICD = "/usr/lib/chromium/vk_swiftshader_icd.json";

/** Why WebGPU could not be installed, or null once `navigator.gpu` is set. */
export let dawnUnavailable: string | null = "not attempted";

/**
 * Sets `globalThis.navigator.gpu` to a Dawn instance (once). Never throws.
 * @example beforeAll(installDawn)
 */
export async function installDawn(): Promise<void> {
  const g = globalThis as { navigator?: { gpu?: unknown } };
  if (g.navigator?.gpu) {
    dawnUnavailable = null;
    return;
  }
  const icd = process.env.VK_ICD_FILENAMES ?? SWIFTSHADER_ICD;
  if (!existsSync(icd)) {
    dawnUnavailable = `no Vulkan driver at ${icd} (apt-get install chromium)`;
    return;
  }
  // The Vulkan loader reads these when Dawn creates its instance, i.e. at create() below.
  process.env.VK_ICD_FILENAMES = icd;
  process.env.XDG_RUNTIME_DIR ??= "/tmp";
  let mod: { create: (flags: string[]) => unknown; globals: Record<string, unknown> };
  try {
    mod = (await import("webgpu")) as typeof mod;
  } catch (err) {
    dawnUnavailable = `the npm "webgpu" package did not load: ${(err as Error).message}`;
    return;
  }
  Object.assign(globalThis, mod.globals);
  // dawn.node frees its instance when this object is garbage-collected, even while devices made
  // from it still run, so it must stay referenced for the life of the process: navigator holds it.
  const gpu = mod.create([]);
  if (g.navigator) Object.defineProperty(g.navigator, "gpu", { value: gpu, configurable: true });
  else (globalThis as { navigator?: unknown }).navigator = { gpu };
  dawnUnavailable = null;
}
