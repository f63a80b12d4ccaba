/**
 * A small stand-in for `vitest` inside a browser page, so that suites written for vitest (the
 * shared parity suite, for one) run unchanged in Chromium: bundle the page with esbuild's alias
 * `vitest -> @webkeras/browser-test/vitest-shim`, import the suite, then `await runRegistered()`,
 * which runs every registered test in order and reports each (full name "describe > ... > it") to
 * the Node side through `page.ts`.
 *
 * It covers what those suites use, not all of vitest: describe / it / test (with `.skip`,
 * `.fails`, `.each` over arrays), beforeAll / afterAll / beforeEach / afterEach, `ctx.skip()`, and
 * an `expect` with the common matchers, `.not`, `expect.fail` and `expect.extend`.
 */
import { done, report, SkipCase } from "./page";

type Fn = (ctx: TestContext) => unknown;
type Hook = () => unknown;

export interface TestContext {
  skip(note?: string): never;
}

interface TestDef {
  name: string;
  fn: Fn | null;
  mode: "run" | "skip" | "fails";
}

interface Suite {
  name: string;
  tests: (TestDef | Suite)[];
  beforeAll: Hook[];
  afterAll: Hook[];
  beforeEach: Hook[];
  afterEach: Hook[];
}

const newSuite = (name: string): Suite => ({ name, tests: [], beforeAll: [], afterAll: [], beforeEach: [], afterEach: [] });
const root = newSuite("");
let current = root;

export function describe(name: string, body: () => void): void {
  const s = newSuite(name);
  current.tests.push(s);
  const parent = current;
  current = s;
  try {
    body();
  } finally {
    current = parent;
  }
}
describe.skip = (name: string, _body: () => void): void => {
  current.tests.push({ name, fn: null, mode: "skip" });
};

function addTest(name: string, fn: Fn | undefined, mode: TestDef["mode"]): void {
  current.tests.push({ name, fn: fn ?? null, mode: fn ? mode : "skip" });
}

type ItFn = ((name: string, fn?: Fn, _timeout?: number) => void) & {
  skip: (name: string, fn?: Fn) => void;
  fails: (name: string, fn?: Fn) => void;
  each: <T>(rows: readonly T[]) => (name: string, fn: (row: T) => unknown) => void;
};

function format(name: string, row: unknown): string {
  const args = Array.isArray(row) ? row : [row];
  let k = 0;
  return name.replace(/%[sdifjo]/g, () => String(args[k++]));
}

export const it: ItFn = Object.assign((name: string, fn?: Fn) => addTest(name, fn, "run"), {
  skip: (name: string, fn?: Fn) => addTest(name, fn, "skip"),
  fails: (name: string, fn?: Fn) => addTest(name, fn, "fails"),
  each:
    <T>(rows: readonly T[]) =>
    (name: string, fn: (row: T) => unknown) => {
      for (const row of rows) addTest(format(name, row), () => (Array.isArray(row) ? (fn as (...a: unknown[]) => unknown)(...row) : fn(row)), "run");
    },
});
export const test = it;

export const beforeAll = (h: Hook): void => void current.beforeAll.push(h);
export const afterAll = (h: Hook): void => void current.afterAll.push(h);
export const beforeEach = (h: Hook): void => void current.beforeEach.push(h);
export const afterEach = (h: Hook): void => void current.afterEach.push(h);

// ---------------------------------------------------------------------------------------------
// expect

export class AssertionError extends Error {
  override name = "AssertionError";
}

function show(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (ArrayBuffer.isView(v)) return `${v.constructor.name}[${Array.from(v as unknown as ArrayLike<number>).slice(0, 20).join(", ")}]`;
  try {
    return JSON.stringify(v, (_k, x) => (typeof x === "number" && !Number.isFinite(x) ? String(x) : x)) ?? String(v);
  } catch {
    return String(v);
  }
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a === "number" && typeof b === "number") return a === b;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (ArrayBuffer.isView(a) || ArrayBuffer.isView(b)) {
    if (!ArrayBuffer.isView(a) || !ArrayBuffer.isView(b) || a.constructor !== b.constructor) return false;
    const x = a as unknown as ArrayLike<number>;
    const y = b as unknown as ArrayLike<number>;
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i]) && x[i] !== y[i]) return false;
    return true;
  }
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a as object).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b as object).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

type MatcherResult = { pass: boolean; message: () => string };
type Matcher = (received: unknown, ...args: unknown[]) => MatcherResult;

const matchers: Record<string, Matcher> = {
  toBe: (r, e) => ({ pass: Object.is(r, e), message: () => `expected ${show(r)} to be ${show(e)}` }),
  toEqual: (r, e) => ({ pass: deepEqual(r, e), message: () => `expected ${show(r)} to equal ${show(e)}` }),
  toStrictEqual: (r, e) => ({ pass: deepEqual(r, e), message: () => `expected ${show(r)} to equal ${show(e)}` }),
  toBeTruthy: (r) => ({ pass: !!r, message: () => `expected ${show(r)} to be truthy` }),
  toBeFalsy: (r) => ({ pass: !r, message: () => `expected ${show(r)} to be falsy` }),
  toBeNull: (r) => ({ pass: r === null, message: () => `expected ${show(r)} to be null` }),
  toBeUndefined: (r) => ({ pass: r === undefined, message: () => `expected ${show(r)} to be undefined` }),
  toBeDefined: (r) => ({ pass: r !== undefined, message: () => `expected a defined value` }),
  toBeNaN: (r) => ({ pass: Number.isNaN(r), message: () => `expected ${show(r)} to be NaN` }),
  toBeGreaterThan: (r, e) => ({ pass: (r as number) > (e as number), message: () => `expected ${show(r)} > ${show(e)}` }),
  toBeGreaterThanOrEqual: (r, e) => ({ pass: (r as number) >= (e as number), message: () => `expected ${show(r)} >= ${show(e)}` }),
  toBeLessThan: (r, e) => ({ pass: (r as number) < (e as number), message: () => `expected ${show(r)} < ${show(e)}` }),
  toBeLessThanOrEqual: (r, e) => ({ pass: (r as number) <= (e as number), message: () => `expected ${show(r)} <= ${show(e)}` }),
  toBeCloseTo: (r, e, digits = 2) => ({
    pass: Math.abs((r as number) - (e as number)) < 10 ** -(digits as number) / 2,
    message: () => `expected ${show(r)} to be close to ${show(e)}`,
  }),
  toHaveLength: (r, n) => ({ pass: (r as { length: number }).length === n, message: () => `expected length ${n}, got ${(r as { length: number }).length}` }),
  toContain: (r, e) => ({ pass: (r as { includes(x: unknown): boolean }).includes(e), message: () => `expected ${show(r)} to contain ${show(e)}` }),
  toMatch: (r, e) => ({
    pass: typeof e === "string" ? String(r).includes(e) : (e as RegExp).test(String(r)),
    message: () => `expected ${show(r)} to match ${String(e)}`,
  }),
  toBeInstanceOf: (r, c) => ({ pass: r instanceof (c as new () => unknown), message: () => `expected an instance of ${(c as { name: string }).name}` }),
  toThrow: (r, e) => {
    let thrown: unknown = null;
    let did = false;
    try {
      (r as () => unknown)();
    } catch (err) {
      did = true;
      thrown = err;
    }
    const msg = (thrown as Error | null)?.message ?? String(thrown);
    const ok =
      did &&
      (e === undefined ||
        (typeof e === "string" && msg.includes(e)) ||
        (e instanceof RegExp && e.test(msg)) ||
        (typeof e === "function" && thrown instanceof (e as new () => unknown)));
    return { pass: ok, message: () => (did ? `threw "${msg}", expected ${String(e)}` : "expected the function to throw") };
  },
};

type Assertion = Record<string, (...args: unknown[]) => void> & { not: Record<string, (...args: unknown[]) => void> };

function assertion(received: unknown, label: string | undefined, negate: boolean): Record<string, (...args: unknown[]) => void> {
  const out: Record<string, (...args: unknown[]) => void> = {};
  for (const [name, m] of Object.entries(matchers)) {
    out[name] = (...args: unknown[]) => {
      const r = m(received, ...args);
      if (r.pass === negate) throw new AssertionError(`${label ? `${label}: ` : ""}${negate ? "not: " : ""}${r.message()}`);
    };
  }
  return out;
}

export const expect = Object.assign(
  (received: unknown, label?: string): Assertion =>
    Object.assign(assertion(received, label, false), { not: assertion(received, label, true) }) as Assertion,
  {
    fail: (message?: string): never => {
      throw new AssertionError(message ?? "expect.fail()");
    },
    extend: (ms: Record<string, Matcher>): void => {
      Object.assign(matchers, ms);
    },
  },
);

// ---------------------------------------------------------------------------------------------
// Running

const skipCtx: TestContext = {
  skip(note?: string): never {
    throw new SkipCase(note ?? "skipped");
  },
};

async function runSuite(s: Suite, path: string[], hooks: { before: Hook[]; after: Hook[] }, counts: Record<string, number>): Promise<void> {
  const names = s.name ? [...path, s.name] : path;
  let setupError: string | null = null;
  for (const h of s.beforeAll) {
    try {
      await h();
    } catch (e) {
      setupError = `beforeAll failed: ${(e as Error).message}`;
      break;
    }
  }
  const before = [...hooks.before, ...s.beforeEach];
  const after = [...s.afterEach, ...hooks.after];
  for (const t of s.tests) {
    if ("tests" in t) {
      await runSuite(t, names, { before, after }, counts);
      continue;
    }
    const name = [...names, t.name].join(" > ");
    const t0 = performance.now();
    let status: "pass" | "fail" | "skip" = "pass";
    let message: string | undefined;
    if (t.mode === "skip" || !t.fn) {
      status = "skip";
      message = "skipped";
    } else if (setupError) {
      status = "fail";
      message = setupError;
    } else {
      let err: unknown = null;
      try {
        for (const h of before) await h();
        await t.fn(skipCtx);
      } catch (e) {
        err = e;
      } finally {
        for (const h of after) await h();
      }
      if (err instanceof SkipCase) {
        status = "skip";
        message = err.message;
      } else if (t.mode === "fails") {
        // A known failure must fail: when it passes, the entry is stale.
        status = err ? "pass" : "fail";
        message = err ? `failed as expected: ${(err as Error).message}` : "expected this test to fail, but it passed";
      } else if (err) {
        status = "fail";
        message = (err as Error)?.stack ?? String(err);
      }
    }
    counts[status]++;
    await report({ name, status, message, ms: performance.now() - t0 });
    // Yield so the page stays responsive and results stream out.
    await new Promise((r) => setTimeout(r, 0));
  }
  for (const h of s.afterAll) await h();
}

/**
 * Runs every test registered so far (in registration order), reports each, then calls `done`.
 * @example
 * runParitySuite({ backend: "webgl" }); // registers through this shim
 * await runRegistered();
 */
export async function runRegistered(): Promise<{ pass: number; fail: number; skip: number }> {
  const counts = { pass: 0, fail: 0, skip: 0 };
  try {
    await runSuite(root, [], { before: [], after: [] }, counts);
    await done(counts);
  } catch (e) {
    await done(counts, `runRegistered: ${(e as Error).message}`);
  }
  return counts;
}
