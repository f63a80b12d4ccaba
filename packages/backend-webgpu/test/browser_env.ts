/**
 * How the webgpu test pages are bundled and launched: vitest replaced by the in-page shim, core
 * and the parity suite read from source (as vitest itself does), and Chromium's WebGPU switched
 * on (SwiftShader, CPU-emulated Vulkan, on a machine without a GPU; see ENVIRONMENT.md).
 */
import { fileURLToPath } from "node:url";
import { vitestShimAlias } from "@webkeras/browser-test/vitest";

export const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

export const PAGE_ALIAS: Record<string, string> = {
  ...vitestShimAlias(),
  "@webkeras/core": here("../../core/src/index.ts"),
  "@webkeras/parity": here("../../parity/src/index.ts"),
};

export const WEBGPU_FLAGS = ["--enable-unsafe-webgpu"];
