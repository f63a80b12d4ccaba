/**
 * The shared closeness check of the parity suite: `expect(actual).toBeAllclose(expected, { rtol,
 * atol })`, registered with `expect.extend` when this module is imported, and the same check as a
 * plain function (`allclose`, `expectAllclose`).
 *
 * The rule is NumPy's `isclose` with `equal_nan=True`: |a - e| <= atol + rtol * |e|; NaN matches
 * NaN, an infinity matches only the same infinity, and -0 equals 0. With rtol = atol = 0 it is
 * exact equality, which the suite uses for int32, bool and data-movement outputs.
 */
import { expect } from "vitest";

/** Relative and absolute tolerance, as in `numpy.allclose`. */
export interface Tolerance {
  rtol: number;
  atol: number;
}

/** Exact equality (NaN still matches NaN). */
export const EXACT: Tolerance = { rtol: 0, atol: 0 };

/** Values the matcher accepts: a number, a boolean, flat or nested arrays, typed arrays. */
export type Numeric = number | boolean | ArrayLike<number | boolean> | readonly Numeric[];

/** What `allclose` found: counts, worst errors and the first mismatches. */
export interface AllcloseReport {
  pass: boolean;
  /** Number of elements of `actual` and of `expected` (they must agree). */
  length: [number, number];
  mismatches: number;
  maxAbsError: number;
  maxRelError: number;
  /** Up to five mismatching elements. */
  first: { index: number; actual: number; expected: number }[];
}

function flatten(x: Numeric, out: number[] = []): number[] {
  if (typeof x === "number") out.push(x);
  else if (typeof x === "boolean") out.push(x ? 1 : 0);
  else if (Array.isArray(x)) for (const v of x as readonly Numeric[]) flatten(v, out);
  else {
    const a = x as ArrayLike<number | boolean>;
    for (let i = 0; i < a.length; i++) out.push(Number(a[i]));
  }
  return out;
}

/** Whether one element passes: NumPy isclose with equal_nan. */
export function isClose(a: number, e: number, { rtol, atol }: Tolerance): boolean {
  if (e !== e) return a !== a;
  if (a !== a) return false;
  if (!Number.isFinite(e) || !Number.isFinite(a)) return a === e;
  return Math.abs(a - e) <= atol + rtol * Math.abs(e);
}

/**
 * Compares element by element.
 * @example allclose([1, 2.0000001], new Float32Array([1, 2]), { rtol: 1e-6, atol: 0 }).pass // true
 */
export function allclose(
  actual: Numeric,
  expected: Numeric,
  tol: Tolerance = EXACT,
): AllcloseReport {
  const a = flatten(actual);
  const e = flatten(expected);
  const report: AllcloseReport = {
    pass: a.length === e.length,
    length: [a.length, e.length],
    mismatches: 0,
    maxAbsError: 0,
    maxRelError: 0,
    first: [],
  };
  const n = Math.min(a.length, e.length);
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    const y = e[i]!;
    if (isClose(x, y, tol)) continue;
    report.pass = false;
    report.mismatches++;
    const abs = Math.abs(x - y);
    if (abs > report.maxAbsError || abs !== abs) report.maxAbsError = abs;
    const rel = abs / Math.abs(y);
    if (rel > report.maxRelError || rel !== rel) report.maxRelError = rel;
    if (report.first.length < 5) report.first.push({ index: i, actual: x, expected: y });
  }
  return report;
}

/** One paragraph that says what did not match, for test failures. */
export function formatReport(r: AllcloseReport, tol: Tolerance, label = "values"): string {
  if (r.length[0] !== r.length[1])
    return `${label}: expected ${r.length[1]} elements. Received: ${r.length[0]} elements`;
  const rows = r.first
    .map((m) => `  [${m.index}] actual ${m.actual}, expected ${m.expected}`)
    .join("\n");
  return (
    `${label}: ${r.mismatches} of ${r.length[1]} elements differ beyond rtol=${tol.rtol}, atol=${tol.atol} ` +
    `(max abs error ${r.maxAbsError.toPrecision(3)}, max rel error ${r.maxRelError.toPrecision(3)}):\n${rows}`
  );
}

/**
 * Throws an assertion error unless `actual` is close to `expected`.
 * @example expectAllclose(await y.data(), [0.5, 0.25], { rtol: 1e-6, atol: 1e-7 }, "softmax");
 */
export function expectAllclose(
  actual: Numeric,
  expected: Numeric,
  tol: Tolerance = EXACT,
  label?: string,
): void {
  const r = allclose(actual, expected, tol);
  if (!r.pass) expect.fail(formatReport(r, tol, label));
}

declare module "vitest" {
  // Must repeat vitest's own type parameters to merge with its Matchers interface.
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  interface Matchers<R extends void | Promise<void> = void | Promise<void>, T = unknown> {
    /**
     * NumPy allclose (NaN matches NaN). Missing tolerances default to 0 (exact).
     * @example expect(await y.data()).toBeAllclose([1, 2, 3], { rtol: 1e-5, atol: 1e-6 });
     */
    toBeAllclose(expected: Numeric, tol?: Partial<Tolerance>): R;
  }
}

expect.extend({
  toBeAllclose(received: Numeric, expected: Numeric, tol?: Partial<Tolerance>) {
    const t: Tolerance = { rtol: tol?.rtol ?? 0, atol: tol?.atol ?? 0 };
    const r = allclose(received, expected, t);
    return {
      pass: r.pass,
      message: () =>
        r.pass
          ? `expected values not to be close within rtol=${t.rtol}, atol=${t.atol}`
          : formatReport(r, t),
    };
  },
});
