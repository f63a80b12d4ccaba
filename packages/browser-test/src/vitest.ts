/**
 * The vitest side of the browser harness: one browser run, then one `it` per case it reported.
 * Kept apart from `index.ts` so plain Node scripts (the bench) can use `runInBrowser` without
 * importing vitest.
 */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { browserUnavailable, mustRunBrowser, runInBrowser, type BrowserRun, type RunInBrowserOptions } from "./index";

export interface BrowserSuiteOptions extends RunInBrowserOptions {
  /** Names the page must report (a case missing from the run fails). */
  expectCases?: string[];
}

/**
 * The esbuild alias that makes `import ... from "vitest"` in page code load the in-page shim
 * (`vitest_shim.ts`), so suites written for vitest run unchanged in the browser.
 */
export function vitestShimAlias(): Record<string, string> {
  return { vitest: fileURLToPath(new URL("./vitest_shim.ts", import.meta.url)) };
}

/**
 * Runs the page once (at collection time: call it with top-level `await`), then declares a vitest
 * suite with one `it` per reported case: each passes, fails or skips as the page said. A page
 * that errors or times out fails "the page ran to completion". Skips the suite where there is no
 * Chromium, except under CI (`CI=true`), where it fails: a browser test that cannot start in CI
 * must not pass silently.
 * @example
 * await browserSuite("webgl parity", { entry: fileURLToPath(new URL("./browser/parity.page.ts", import.meta.url)) });
 */
export async function browserSuite(title: string, opts: BrowserSuiteOptions): Promise<void> {
  const missing = browserUnavailable();
  if (missing && !mustRunBrowser()) {
    describe(title, () => it.skip(`skipped: ${missing}`, () => {}));
    return;
  }
  let run: BrowserRun | null = null;
  let startError: string | null = missing;
  if (!startError) {
    try {
      run = await runInBrowser(opts);
    } catch (e) {
      startError = `Chromium did not start: ${(e as Error).message}`;
    }
  }
  describe(title, () => {
    it("the page ran to completion", () => {
      if (startError) throw new Error(startError);
      if (run!.error) throw new Error(`${run!.error}\n${run!.logs.slice(-30).join("\n")}`);
    });
    if (!run) return;
    const seen = new Set<string>();
    for (const r of run.results) {
      if (seen.has(r.name)) continue;
      seen.add(r.name);
      if (r.status === "skip") it.skip(`${r.name} (${r.message ?? "skipped"})`, () => {});
      else
        it(r.name, () => {
          expect(r.status, r.message).toBe("pass");
        });
    }
    for (const name of opts.expectCases ?? [])
      if (!seen.has(name))
        it(name, () => {
          throw new Error(`the page did not report "${name}"`);
        });
  });
}
