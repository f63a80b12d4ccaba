/**
 * Script-tag spec: a page with nothing but `<script src="webkeras.min.js">` (the
 * @webkeras/bundle build) finds the `webkeras` global, multiplies two matrices, learns XOR and
 * saves the model to IndexedDB and loads it back, on every backend the bundle carries.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CACHE,
  E2E,
  REPO,
  e2eBackends,
  explain,
  launchBrowser,
  runDemo,
  screenshot,
  serve,
  skipReason,
  type Browser,
  type Site,
} from "../src/harness";

const skip = skipReason();

describe.skipIf(skip !== null)("script-tag bundle", () => {
  let site: Site;
  let browser: Browser;
  const dir = join(CACHE, `script-tag-${process.pid}`);
  beforeAll(async () => {
    // The current sources, built the way `pnpm build` builds packages/bundle/dist.
    mkdirSync(dir, { recursive: true });
    execFileSync(
      process.execPath,
      [
        join(REPO, "packages", "bundle", "scripts", "build.mjs"),
        "--outfile",
        join(dir, "webkeras.min.js"),
      ],
      { stdio: "pipe" },
    );
    copyFileSync(join(E2E, "pages", "script-tag.html"), join(dir, "index.html"));
    site = await serve(dir);
    browser = await launchBrowser();
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await site?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const backend of e2eBackends()) {
    it(`exposes the webkeras global and trains on ${backend}`, async () => {
      const run = await runDemo(browser, `${site.url}/?backend=${backend}`, { timeoutMs: 120_000 });
      await screenshot(run.page, `script-tag-${backend}`);
      const d = run.data;
      expect(d.status, explain(run)).toBe("done");
      expect(d.backends!.split(",")).toContain(backend);
      expect(d.backend).toBe(backend);
      expect(d.matmul).toBe("7,10,15,22");
      expect(Number(d.finalLoss)).toBeLessThan(Number(d.firstLoss));
      const p = d.predictions!.split(",").map(Number);
      expect(p[0]!).toBeLessThan(0.5);
      expect(p[1]!).toBeGreaterThan(0.5);
      expect(p[2]!).toBeGreaterThan(0.5);
      expect(p[3]!).toBeLessThan(0.5);
      expect(d.reloaded, "same predictions after model.save / saving.loadModel").toBe(
        d.predictions,
      );
      await run.page.close();
    }, 180_000);
  }
});

if (skip) describe.skip(`script-tag bundle (${skip})`, () => it("needs Chromium", () => {}));
