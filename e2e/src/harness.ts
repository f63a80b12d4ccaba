/**
 * The e2e harness: builds the demos with Vite's JS API (once per change of the sources, shared
 * by the spec files that vitest runs in parallel), serves them from 127.0.0.1 with Vite's
 * preview server (COOP / COEP headers, so pages are cross-origin isolated), and drives Debian's
 * headless Chromium through playwright-core: open a demo, wait for its `data-status`, read its
 * `data-*` results, save a screenshot under `e2e/test-results/`.
 *
 * Chromium is never downloaded (`playwright install` fails here): it is `$CHROMIUM_PATH` or
 * `/usr/bin/chromium`, started with the flags ENVIRONMENT.md lists. Where there is none the
 * specs skip, except under `CI=true`, where they fail.
 */
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import type { BrowserContext, Page } from "playwright-core";
import {
  BASE_FLAGS,
  browserUnavailable,
  chromiumPath,
  mustRunBrowser,
} from "@webkeras/browser-test";
import { CROSS_ORIGIN_ISOLATION, backendPackages } from "@webkeras/demo-common/vite";

export const REPO = fileURLToPath(new URL("../..", import.meta.url));
export const E2E = join(REPO, "e2e");
/** Screenshots land here (gitignored); CI keeps them as artifacts. */
export const RESULTS_DIR = join(E2E, "test-results");
/** Demo builds, kept between runs (node_modules/.cache: ignored by git, eslint and prettier). */
export const CACHE = join(E2E, "node_modules", ".cache", "webkeras-e2e");

/**
 * Backends the specs run on: cpu (always) and every backend package in the tree. A package that
 * exists but does not register or start in Chromium fails its specs: that is what they test.
 */
export function e2eBackends(): string[] {
  const only = process.env.E2E_BACKENDS?.split(",").filter(Boolean);
  const all = ["cpu", ...backendPackages().map((b) => b.name)];
  return only ? all.filter((b) => only.includes(b)) : all;
}

/** Why the specs cannot run here (no Chromium, outside CI), or null when they can. */
export function skipReason(): string | null {
  const missing = browserUnavailable();
  return missing && !mustRunBrowser() ? missing : null;
}

/** A short hash of the paths, sizes and mtimes of every file the demos build from. */
function sourcesStamp(): string {
  const h = createHash("sha1");
  const roots = ["demos", "packages", "vite.config.ts", "pnpm-lock.yaml"].map((p) => join(REPO, p));
  const skip = /[/\\](node_modules|dist|test|\.vite|\.cache)([/\\]|$)/;
  const walk = (p: string) => {
    if (!existsSync(p) || skip.test(relative(REPO, p))) return;
    const st = statSync(p);
    if (st.isDirectory()) for (const e of readdirSync(p).sort()) walk(join(p, e));
    else h.update(`${relative(REPO, p)}:${st.size}:${st.mtimeMs}\n`);
  };
  roots.forEach(walk);
  return h.digest("hex").slice(0, 12);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Builds all demos (root `vite.config.ts`) into `CACHE/demos-<stamp>` unless that build
 * exists. Spec files run in parallel workers: the first takes a lock (a directory), the others
 * wait for its `.complete` marker, so the demos build once per change of the sources.
 */
export async function buildDemos(): Promise<string> {
  const out = join(CACHE, `demos-${sourcesStamp()}`);
  const done = join(out, ".complete");
  const lock = `${out}.lock`;
  mkdirSync(CACHE, { recursive: true });
  const deadline = Date.now() + 300_000;
  while (!existsSync(done)) {
    try {
      mkdirSync(lock);
    } catch (_err) {
      // Someone else is building; a lock older than 3 minutes belongs to a dead run.
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 180_000)
        rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline)
        throw new Error(
          `e2e: gave up waiting for the demo build in ${out}. Received: lock ${lock}`,
        );
      await sleep(500);
      continue;
    }
    try {
      for (const e of readdirSync(CACHE))
        if (e.startsWith("demos-") && join(CACHE, e) !== out && !e.endsWith(".lock"))
          rmSync(join(CACHE, e), { recursive: true, force: true });
      const { build } = await import("vite");
      await build({
        configFile: join(REPO, "vite.config.ts"),
        build: { outDir: out, emptyOutDir: true },
        logLevel: "warn",
      });
      writeFileSync(done, new Date().toISOString());
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
  return out;
}

/** A static site served by Vite's preview server. */
export interface Site {
  url: string;
  close(): Promise<void>;
}

/**
 * Serves `dir` from 127.0.0.1 on a free port with the cross-origin isolation headers.
 * @example const site = await serve(await buildDemos()); // site.url = "http://127.0.0.1:41234"
 */
export async function serve(dir: string): Promise<Site> {
  const { preview } = await import("vite");
  const server = await preview({
    configFile: false,
    // Root above the served folder: Vite warns when outDir is its root.
    root: join(dir, ".."),
    logLevel: "warn",
    build: { outDir: dir },
    preview: {
      host: "127.0.0.1",
      port: 0,
      strictPort: true,
      headers: CROSS_ORIGIN_ISOLATION,
      open: false,
    },
  });
  const addr = server.httpServer.address();
  if (addr === null || typeof addr === "string")
    throw new Error(`e2e: the preview server has no port. Received: ${String(addr)}`);
  return {
    url: `http://127.0.0.1:${addr.port}`,
    close: () => server.close(),
  };
}

/** One Chromium (a persistent context in a fresh profile: IndexedDB lives for its lifetime). */
export interface Browser {
  context: BrowserContext;
  version: string;
  close(): Promise<void>;
}

/**
 * Starts headless Chromium with WebGPU enabled (SwiftShader) and WebGL2 (ANGLE / SwiftShader).
 * Throws when it cannot start; the specs let that fail the run under CI.
 */
export async function launchBrowser(): Promise<Browser> {
  const missing = browserUnavailable();
  if (missing) throw new Error(`Chromium cannot start: ${missing}`);
  const { chromium } = await import("playwright-core");
  const profile = mkdtempSync(join(tmpdir(), "wk-e2e-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath(),
    headless: true,
    args: [...BASE_FLAGS, "--enable-unsafe-webgpu"],
    viewport: { width: 1280, height: 900 },
  });
  return {
    context,
    version: context.browser()?.version() ?? "chromium",
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** What a demo left on its root element (`data-*`, camelCased keys) and what it logged. */
export interface DemoRun {
  data: Record<string, string>;
  logs: string[];
  page: Page;
}

/**
 * Opens `url` and waits until `#app` has `data-status` "done" or "error" (or `until` holds), then
 * returns its data attributes. Page errors and console lines are collected for failure messages.
 */
export async function runDemo(
  browser: Browser,
  url: string,
  opts: { timeoutMs?: number; until?: string; page?: Page } = {},
): Promise<DemoRun> {
  const page = opts.page ?? (await browser.context.newPage());
  const logs: string[] = [];
  page.on("console", (m) => logs.push(`[${m.type()}] ${m.text()}`));
  page.on("pageerror", (e) => logs.push(`[pageerror] ${e.message}`));
  await page.goto(url);
  await waitForStatus(page, opts.until ?? "done,error", opts.timeoutMs ?? 180_000, logs);
  return { data: await readData(page), logs, page };
}

/** Waits for `#app[data-status]` to be one of `statuses` (comma-separated). */
export async function waitForStatus(
  page: Page,
  statuses: string,
  timeoutMs: number,
  logs: string[] = [],
): Promise<void> {
  try {
    await page.waitForFunction(
      (want: string[]) => want.includes(document.getElementById("app")?.dataset.status ?? ""),
      statuses.split(","),
      { timeout: timeoutMs, polling: 100 },
    );
  } catch (err) {
    const data = await readData(page).catch(() => ({}));
    throw new Error(
      `${(err as Error).message}\ndata: ${JSON.stringify(data)}\n${logs.slice(-30).join("\n")}`,
    );
  }
}

/** `#app`'s data attributes. */
export function readData(page: Page): Promise<Record<string, string>> {
  return page.evaluate(
    () => ({ ...(document.getElementById("app")?.dataset ?? {}) }) as Record<string, string>,
  );
}

/**
 * Saves a full-page screenshot as `e2e/test-results/<name>.png` and returns its path.
 * @example await screenshot(page, "train-cpu");
 */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = join(RESULTS_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** A failure message that carries the page's results and last log lines. */
export function explain(run: DemoRun): string {
  return `data: ${JSON.stringify(run.data)}\n${run.logs.slice(-20).join("\n")}`;
}
