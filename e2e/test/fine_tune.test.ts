/**
 * Fine-tune demo spec: on each backend the page loads the bundled base (digits 0-4), freezes it,
 * trains a new head on 10 examples of each of 5-9 and scores it on digits it never saw; the
 * frozen weights must not move. Dropping a `.keras` file replaces the base (a model with the
 * wrong input is refused with a Keras-style message).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  REPO,
  buildDemos,
  e2eBackends,
  explain,
  launchBrowser,
  runDemo,
  screenshot,
  serve,
  skipReason,
  waitForStatus,
  readData,
  type Browser,
  type Site,
} from "../src/harness";

const skip = skipReason();
/** A Keras-written model with 20 inputs, from the shared reference files (next to the repo). */
const A_MLP = join(REPO, "..", "shared", "keras-format", "models", "a_mlp", "model.keras");

describe.skipIf(skip !== null)("demo: fine-tune", () => {
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
    it(`trains a new head on a few examples on ${backend}`, async () => {
      const run = await runDemo(
        browser,
        `${site.url}/fine-tune/?backend=${backend}&seed=1&shots=10&epochs=20&autorun=1`,
        { timeoutMs: 240_000 },
      );
      await screenshot(run.page, `fine-tune-${backend}`);
      const d = run.data;
      expect(d.status, explain(run)).toBe("done");
      expect(d.backend).toBe(backend);
      expect(d.examples).toBe("50");
      expect(d.baseUnchanged, explain(run)).toBe("true");
      expect(Number(d.frozenParams)).toBeGreaterThan(0);
      expect(Number(d.trainableParams)).toBeGreaterThan(0);
      expect(Number(d.finalLoss)).toBeLessThan(0.5);
      // 10 examples per class on features learnt from other digits: about 0.66 (chance: 0.2).
      expect(Number(d.accuracy), explain(run)).toBeGreaterThan(0.55);
      // The plot marks the frozen base and the trainable head.
      expect(await run.page.locator("#model .wk-node").count()).toBeGreaterThanOrEqual(3);
      expect(
        await run.page.locator("#model text", { hasText: "Non-trainable" }).count(),
      ).toBeGreaterThan(0);
      await run.page.close();
    }, 300_000);
  }

  it.skipIf(!existsSync(A_MLP))(
    "a dropped .keras file becomes the base (a_mlp: refused, 20 inputs)",
    async () => {
      const run = await runDemo(browser, `${site.url}/fine-tune/?backend=cpu&seed=1`, {
        until: "ready,error",
      });
      expect(run.data.status, explain(run)).toBe("ready");
      const bytes = [...readFileSync(A_MLP)];
      const dataTransfer = await run.page.evaluateHandle((b) => {
        const dt = new DataTransfer();
        dt.items.add(new File([new Uint8Array(b)], "a_mlp.keras"));
        return dt;
      }, bytes);
      await run.page.dispatchEvent("#drop", "drop", { dataTransfer });
      await waitForStatus(run.page, "error,done", 60_000, run.logs);
      const d = await readData(run.page);
      expect(d.base).toBe("a_mlp.keras");
      expect(d.status).toBe("error");
      expect(d.error).toMatch(
        /must take one input of 784 pixels. Received: inputs \[\[null,20\]\]/,
      );
      await screenshot(run.page, "fine-tune-dropped-a_mlp");
      await run.page.close();
    },
    120_000,
  );
});

if (skip) describe.skip(`demo: fine-tune (${skip})`, () => it("needs Chromium", () => {}));
