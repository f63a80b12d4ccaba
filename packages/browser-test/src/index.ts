/**
 * Runs test code inside headless Chromium, driven from a Node test (vitest).
 *
 * `runInBrowser({ entry })` bundles `entry` (a TypeScript or JavaScript module written against
 * `@webkeras/browser-test/page`) with esbuild, serves it from 127.0.0.1 with the COOP/COEP headers
 * that make the page cross-origin isolated (SharedArrayBuffer, precise timers), opens it in the
 * system Chromium through playwright-core and collects the per-case results the page reports.
 * `browserSuite(...)` (from `@webkeras/browser-test/vitest`) wraps that in vitest: one `it` per
 * case, so failures are named per case.
 *
 * Not a test runner of its own: the page decides what to run; this module only ferries results.
 * Chromium is never downloaded (`playwright install` fails here): the browser is
 * `$CHROMIUM_PATH` or `/usr/bin/chromium`. Where there is none, `browserUnavailable()` says why,
 * and suites skip, except under `CI=true`, where a missing or broken browser fails the run.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";

/** One case's outcome, as reported by the page. */
export interface CaseResult {
  name: string;
  status: "pass" | "fail" | "skip";
  /** Failure message (or skip reason). */
  message?: string;
  ms: number;
}

export interface RunInBrowserOptions {
  /** Absolute path of the page module (bundled with esbuild). */
  entry: string;
  /** Extra Chromium flags, e.g. `["--enable-unsafe-webgpu"]`. */
  flags?: string[];
  /** esbuild aliases, e.g. `{ "@webkeras/core": "/abs/packages/core/src/index.ts" }`. */
  alias?: Record<string, string>;
  /** esbuild `define`s (values are JavaScript source, e.g. `'"webgl"'`). */
  define?: Record<string, string>;
  /** Query string of the page URL (the page reads it from `location.search`), without `?`. */
  query?: string;
  /** Gives up after this long (default 240 s); results so far are returned with an error. */
  timeoutMs?: number;
  /** Called with each console line of the page (default: collected only). */
  onConsole?: (line: string) => void;
  /** Called as each case result arrives. */
  onResult?: (r: CaseResult) => void;
}

export interface BrowserRun {
  results: CaseResult[];
  /** What the page passed to `done(summary)`, if anything. */
  summary: unknown;
  /** Console output and page errors, in order. */
  logs: string[];
  /** Set when the page crashed, threw outside a case, or timed out. */
  error: string | null;
  /** Chromium's version string. */
  browserVersion: string;
}

/** Base flags for headless Chromium on a closed network (see ENVIRONMENT.md). */
export const BASE_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Path of the Chromium to drive. */
export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
}

/** Why no browser test can run here, or null if Chromium is present. */
export function browserUnavailable(): string | null {
  const p = chromiumPath();
  return existsSync(p) ? null : `no Chromium at ${p} (set CHROMIUM_PATH, or apt-get install chromium)`;
}

/** True under CI, where browser suites must run (a missing browser is a failure, not a skip). */
export function mustRunBrowser(): boolean {
  return process.env.CI === "true" || process.env.CI === "1";
}

// The inline script reports a bundle that fails to load or to link (a module import that cannot
// resolve fires "error" on its script element, not a page error), so the run ends at once
// instead of at its timeout.
const PAGE_HTML = `<!doctype html><meta charset="utf-8"><title>webkeras browser test</title><body>
<script>addEventListener("error", (e) => { if (e.target && e.target.tagName === "SCRIPT") globalThis.__wkDone?.(null, "the test bundle failed to load: " + (e.target.src || "inline script")); }, true);</script>
<script type="module" src="/bundle.js"></script></body>`;

async function bundle(opts: RunInBrowserOptions): Promise<string> {
  const out = await build({
    entryPoints: [opts.entry],
    bundle: true,
    write: false,
    format: "esm",
    platform: "browser",
    target: "es2022",
    sourcemap: "inline",
    alias: opts.alias ?? {},
    define: opts.define ?? {},
    // Node-only modules some shared code imports lazily; the page never calls them.
    external: ["node:*"],
    logLevel: "error",
  });
  return out.outputFiles[0]!.text;
}

async function serve(js: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    // Cross-origin isolation: SharedArrayBuffer and WASM threads, as a real deployment would set.
    res.setHeader("Cross-Origin-Opener-Policy", "same-origin");
    res.setHeader("Cross-Origin-Embedder-Policy", "require-corp");
    res.setHeader("Cache-Control", "no-store");
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/" || path === "/index.html") {
      res.setHeader("Content-Type", "text/html; charset=utf-8");
      res.end(PAGE_HTML);
    } else if (path === "/bundle.js") {
      res.setHeader("Content-Type", "text/javascript; charset=utf-8");
      res.end(js);
    } else if (path === "/favicon.ico") {
      res.statusCode = 204;
      res.end();
    } else {
      res.statusCode = 404;
      res.end("not found");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const addr = server.address();
  if (addr === null || typeof addr === "string") throw new Error("browser-test: no server address");
  return { server, url: `http://127.0.0.1:${addr.port}/` };
}

/**
 * Bundles `entry`, opens it in headless Chromium and returns the results the page reported.
 * Throws only if the browser cannot start; page errors and timeouts come back in `error`.
 * @example
 * const run = await runInBrowser({ entry: fileURLToPath(new URL("./page.ts", import.meta.url)) });
 * for (const r of run.results) console.log(r.name, r.status);
 */
export async function runInBrowser(opts: RunInBrowserOptions): Promise<BrowserRun> {
  const { chromium } = await import("playwright-core");
  const js = await bundle(opts);
  const { server, url } = await serve(js);
  const userDir = mkdtempSync(join(tmpdir(), "wk-chromium-"));
  const results: CaseResult[] = [];
  const logs: string[] = [];
  let summary: unknown = undefined;
  let error: string | null = null;
  const log = (line: string) => {
    logs.push(line);
    opts.onConsole?.(line);
  };
  // Playwright refuses --user-data-dir in args: a persistent context takes the directory instead.
  const context = await chromium.launchPersistentContext(userDir, {
    executablePath: chromiumPath(),
    headless: true,
    args: [...BASE_FLAGS, ...(opts.flags ?? [])],
  });
  try {
    const browserVersion = context.browser()?.version() ?? "chromium";
    const page = context.pages()[0] ?? (await context.newPage());
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    await page.exposeBinding("__wkReport", (_src, r: CaseResult) => {
      results.push(r);
      opts.onResult?.(r);
    });
    await page.exposeBinding("__wkDone", (_src, s: unknown, err: string | null) => {
      summary = s;
      if (err) error = err;
      finish();
    });
    page.on("console", (m) => log(`[${m.type()}] ${m.text()}`));
    page.on("pageerror", (e) => {
      log(`[pageerror] ${e.message}`);
      error ??= `page error: ${e.message}`;
      finish();
    });
    page.on("crash", () => {
      error ??= "page crashed";
      finish();
    });
    const timeoutMs = opts.timeoutMs ?? 240_000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        error ??= `timed out after ${timeoutMs} ms (${results.length} cases reported)`;
        resolve();
      }, timeoutMs);
    });
    // "commit": a page whose module runs long synchronously would never reach "load" in time.
    await page.goto(url + (opts.query ? `?${opts.query}` : ""), { waitUntil: "commit" });
    await Promise.race([finished, timedOut]);
    clearTimeout(timer);
    return { results, summary, logs, error, browserVersion };
  } finally {
    await context.close();
    server.close();
    rmSync(userDir, { recursive: true, force: true });
  }
}
