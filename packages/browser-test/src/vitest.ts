/**
 * The vitest side of the browser harness: one browser run behind a `describe`, one `it` per case.
 * Kept apart from `index.ts` so plain Node scripts (the bench) can use `runInBrowser` without
 * importing vitest.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { browserUnavailable, mustRunBrowser, runInBrowser, type BrowserRun, type RunInBrowserOptions } from "./index";

export interface BrowserSuiteOptions extends RunInBrowserOptions {
  /** Names the page will report (known in Node, e.g. from a shared case list), one `it` each. */
  cases: string[];
}

/**
 * Declares a vitest suite backed by one browser run. Each case passes, fails or skips as the page
 * said; a case the page never reported fails, and so does a page that errors or times out.
 * Skips the suite where there is no Chromium, except under CI (`CI=true`), where it fails: a
 * browser test that cannot start in CI must not pass silently.
 * @example
 * browserSuite("webgl parity", { entry, cases: ["add: 7x13", "sum: (65,33) axis 0"] });
 */
export function browserSuite(title: string, opts: BrowserSuiteOptions): void {
  const missing = browserUnavailable();
  describe(title, () => {
    if (missing && !mustRunBrowser()) {
      it.skip(`skipped: ${missing}`, () => {});
      return;
    }
    let run: BrowserRun | null = null;
    let startError: string | null = missing;
    beforeAll(
      async () => {
        if (startError) return;
        try {
          run = await runInBrowser(opts);
        } catch (e) {
          startError = `Chromium did not start: ${(e as Error).message}`;
        }
      },
      (opts.timeoutMs ?? 240_000) + 60_000,
    );
    it("the page ran to completion", () => {
      if (startError) throw new Error(startError);
      if (run!.error) throw new Error(`${run!.error}\n${run!.logs.slice(-30).join("\n")}`);
    });
    for (const name of opts.cases) {
      it(name, (ctx) => {
        if (startError) throw new Error(startError);
        const r = run!.results.find((x) => x.name === name);
        if (!r) throw new Error(`the page did not report "${name}"${run!.error ? ` (${run!.error})` : ""}`);
        if (r.status === "skip") ctx.skip(r.message);
        expect(r.status, r.message).toBe("pass");
      });
    }
  });
}
