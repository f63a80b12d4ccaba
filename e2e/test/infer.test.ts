/**
 * Infer demo spec: without a saved model the page says to train one first; after the train demo
 * saved one (same origin, same browser profile), the page loads it from IndexedDB on every
 * backend, scores the package's test digits, and classifies digits drawn with the mouse.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import {
  buildDemos,
  e2eBackends,
  explain,
  launchBrowser,
  readData,
  runDemo,
  screenshot,
  serve,
  skipReason,
  type Browser,
  type Site,
} from "../src/harness";

const skip = skipReason();

/** Draws strokes (lists of points in 0..1 pad coordinates) on the pad with the mouse. */
async function draw(page: Page, strokes: [number, number][][]): Promise<void> {
  const box = (await page.locator("#pad").boundingBox())!;
  const at = ([u, v]: [number, number]) => [box.x + u * box.width, box.y + v * box.height] as const;
  for (const stroke of strokes) {
    await page.mouse.move(...at(stroke[0]!));
    await page.mouse.down();
    for (const p of stroke.slice(1)) await page.mouse.move(...at(p), { steps: 6 });
    await page.mouse.up();
  }
}

async function predictionAfter(page: Page, count: number): Promise<string> {
  await page.waitForFunction(
    (n) => Number(document.getElementById("app")?.dataset.predictionCount ?? 0) >= n,
    count,
    { timeout: 30_000 },
  );
  return (await readData(page)).prediction!;
}

const ONE: [number, number][][] = [
  [
    [0.5, 0.15],
    [0.5, 0.85],
  ],
];
const ZERO: [number, number][][] = [
  Array.from({ length: 25 }, (_v, i) => {
    const t = (i / 24) * 2 * Math.PI;
    return [0.5 + 0.22 * Math.sin(t), 0.5 - 0.32 * Math.cos(t)] as [number, number];
  }),
];

describe.skipIf(skip !== null)("demo: infer", () => {
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

  it("without a saved model, says to train one first", async () => {
    const run = await runDemo(browser, `${site.url}/infer/?backend=cpu`);
    expect(run.data.status, explain(run)).toBe("error");
    expect(run.data.error).toMatch(/Train one in the train demo first/);
    await screenshot(run.page, "infer-no-model");
    await run.page.close();
  }, 120_000);

  it("the train demo saves a model to IndexedDB", async () => {
    const run = await runDemo(
      browser,
      `${site.url}/train/?backend=cpu&seed=3&train=2000&test=500&epochs=3&autorun=1`,
      { timeoutMs: 240_000 },
    );
    expect(run.data.status, explain(run)).toBe("done");
    expect(run.data.saved, explain(run)).toBe("indexeddb://mnist-mlp");
    await run.page.close();
  }, 300_000);

  for (const backend of e2eBackends()) {
    it(`loads it on ${backend}, scores test digits, classifies drawings`, async () => {
      const run = await runDemo(browser, `${site.url}/infer/?backend=${backend}&seed=1&eval=500`);
      const d = run.data;
      expect(d.status, explain(run)).toBe("done");
      expect(d.backend).toBe(backend);
      expect(d.model).toBe("indexeddb://mnist-mlp");
      expect(Number(d.accuracy), explain(run)).toBeGreaterThan(0.8);
      await draw(run.page, ONE);
      expect(await predictionAfter(run.page, 1), explain(run)).toBe("1");
      await run.page.click("#clear");
      await draw(run.page, ZERO);
      expect(await predictionAfter(run.page, 2), explain(run)).toBe("0");
      const after = await readData(run.page);
      expect(Number(after.confidence)).toBeGreaterThan(0.3);
      expect(Number(after.inferMs)).toBeGreaterThan(0);
      await screenshot(run.page, `infer-${backend}`);
      await run.page.close();
    }, 180_000);
  }
});

if (skip) describe.skip(`demo: infer (${skip})`, () => it("needs Chromium", () => {}));
