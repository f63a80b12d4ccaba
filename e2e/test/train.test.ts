/**
 * Train demo spec: on each backend, the page trains the MNIST MLP (2,000 digits, 3 epochs, seed
 * 1), reports a falling loss and a test accuracy above 0.8, draws the model and the live chart,
 * and saves the model to IndexedDB.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  buildDemos,
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

describe.skipIf(skip !== null)("demo: train", () => {
  let site: Site;
  let browser: Browser;
  beforeAll(async () => {
    site = await serve(await buildDemos());
    browser = await launchBrowser();
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  for (const backend of e2eBackends()) {
    it(`trains MNIST on ${backend}: accuracy > 0.8, chart, plot, saved`, async () => {
      const run = await runDemo(
        browser,
        `${site.url}/train/?backend=${backend}&seed=1&train=2000&test=1000&epochs=3&autorun=1`,
        {
          timeoutMs: 240_000,
        },
      );
      await screenshot(run.page, `train-${backend}`);
      const d = run.data;
      expect(d.status, explain(run)).toBe("done");
      expect(d.backend).toBe(backend);
      expect(d.seed).toBe("1");
      expect(d.crossOriginIsolated).toBe("true");
      expect(Number(d.accuracy), explain(run)).toBeGreaterThan(0.8);
      expect(Number(d.finalLoss)).toBeLessThan(0.6);
      expect(Number(d.trainMs)).toBeGreaterThan(0);
      expect(d.saved, explain(run)).toBe("indexeddb://mnist-mlp");
      // The page drew the model graph (three layers) and the live chart's curves.
      expect(await run.page.locator("#model .wk-node").count()).toBe(3);
      expect(await run.page.locator("#chart path.wk-series").count()).toBeGreaterThanOrEqual(4);
      await run.page.close();
    }, 300_000);
  }

  it("is deterministic for a seed (cpu)", async () => {
    const url = `${site.url}/train/?backend=cpu&seed=7&train=500&test=200&epochs=1&autorun=1`;
    const a = await runDemo(browser, url);
    const b = await runDemo(browser, url);
    expect(a.data.status, explain(a)).toBe("done");
    expect(b.data.finalLoss).toBe(a.data.finalLoss);
    expect(b.data.accuracy).toBe(a.data.accuracy);
    await a.page.close();
    await b.page.close();
  }, 300_000);
});

if (skip) describe.skip(`demo: train (${skip})`, () => it("needs Chromium", () => {}));
