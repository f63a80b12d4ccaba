/**
 * How the wasm test pages are bundled: vitest replaced by the in-page shim, and core (shared by
 * the backend, the parity suite and the page) read from source, as vitest itself does.
 */
import { fileURLToPath } from "node:url";
import { vitestShimAlias } from "@webkeras/browser-test/vitest";

export const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

export const PAGE_ALIAS: Record<string, string> = {
  ...vitestShimAlias(),
  "@webkeras/core": here("../../core/src/index.ts"),
};
