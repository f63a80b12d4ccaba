/**
 * The page side of the browser harness: run named cases in order and report each to the Node
 * side (`runInBrowser`), then `done()`. Works without the harness too (results go to the console),
 * so a page can be opened by hand for debugging.
 */
import type { CaseResult } from "./index";

type Binding = (...args: unknown[]) => Promise<void>;

function binding(name: string): Binding | null {
  const f = (globalThis as unknown as Record<string, Binding | undefined>)[name];
  return typeof f === "function" ? f : null;
}

/** Sends one result to Node (or logs it when the page runs on its own). */
export async function report(r: CaseResult): Promise<void> {
  const f = binding("__wkReport");
  if (f) await f(r);
  else console.log(`${r.status.toUpperCase()} ${r.name}${r.message ? `: ${r.message}` : ""}`);
}

/** Ends the run; `error` marks the whole page as failed. */
export async function done(summary?: unknown, error?: string): Promise<void> {
  const f = binding("__wkDone");
  if (f) await f(summary ?? null, error ?? null);
  else console.log("done", summary, error ?? "");
}

/** A case: a name and a function that throws (or rejects) on failure. */
export interface PageCase {
  name: string;
  fn: () => unknown;
  /** A reason to skip instead of running. */
  skip?: string;
}

/** Skip marker: throw `new SkipCase(reason)` inside a case to report it as skipped. */
export class SkipCase extends Error {}

/**
 * Runs cases one after another (yielding to the event loop between them so the page stays
 * responsive and results stream out), reports each, and returns the results.
 * @example await runCases([{ name: "adds", fn: () => { if (1 + 1 !== 2) throw new Error("no"); } }]);
 */
export async function runCases(cases: PageCase[]): Promise<CaseResult[]> {
  const out: CaseResult[] = [];
  for (const c of cases) {
    const t0 = performance.now();
    let r: CaseResult;
    if (c.skip) r = { name: c.name, status: "skip", message: c.skip, ms: 0 };
    else {
      try {
        await c.fn();
        r = { name: c.name, status: "pass", ms: performance.now() - t0 };
      } catch (e) {
        const err = e as Error;
        r = e instanceof SkipCase
          ? { name: c.name, status: "skip", message: err.message, ms: performance.now() - t0 }
          : { name: c.name, status: "fail", message: `${err?.message ?? String(e)}`, ms: performance.now() - t0 };
      }
    }
    out.push(r);
    await report(r);
  }
  return out;
}
