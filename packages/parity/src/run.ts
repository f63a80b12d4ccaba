/**
 * `runParitySuite`: registers the parity suite for one backend in the calling vitest file.
 *
 * For each case it computes on "cpu" (the oracle), then on the backend under test, and compares
 * shapes, dtypes and values (int32 / bool exactly, float32 within the case tolerance). It also
 * checks that the live tensor count and the backend's buffer count return to where they were once
 * the case's tensors are disposed. On "cpu" itself, the oracle is in addition checked against the
 * float64 references of `reference.ts` (forward values; gradients against central finite
 * differences of the reference), so the cpu run is a real test rather than cpu == cpu.
 *
 * Semantics:
 * - A backend that cannot start here (`setBackend` throws BackendUnavailableError) skips every
 *   case, with the reason as the skip note. Any other start-up error fails every case.
 * - A case listed in `knownGaps` (test name -> reason) runs as `it.fails`: it must fail. When the
 *   backend is fixed the test turns red, and the entry has to be deleted, so the list only
 *   shrinks. Entries that name no case are an error at registration (typos cannot hide gaps).
 */
import { beforeAll, describe, expect, it, type TestContext } from "vitest";
import {
  BackendUnavailableError,
  dispose,
  lax,
  memory,
  setBackend,
  shapeRules,
  tidy,
  valueAndGrad,
  type Tensor,
} from "@webkeras/core";
import { forwardCases, gradientCases, type ParityCase } from "./cases";
import { generate, hashSeed, rng, type HostArray } from "./inputs";
import { EXACT, expectAllclose, type Tolerance } from "./matchers";
import { reference, referenceRaw, type RefArray } from "./reference";

export interface ParitySuiteOptions {
  /** Registered backend name, as given to `setBackend`. */
  backend: string;
  /** Runs once before the backend is probed (import the backend package, polyfills…). */
  setup?: () => Promise<void> | void;
  /** Test name -> reason. Each listed case runs as `it.fails` (see the file header). */
  knownGaps?: Record<string, string>;
  /** Check the oracle against the float64 references too (default: only when backend is "cpu"). */
  checkReference?: boolean;
  /** Registers only the cases whose test name passes (the self-tests use it; prefer `-t`). */
  filter?: (id: string) => boolean;
}

/** Outputs of one evaluation, read back to the host. */
type Outputs = HostArray[];

function isUnavailable(err: unknown): boolean {
  return (
    err instanceof BackendUnavailableError ||
    (err as Error | null)?.name === "BackendUnavailableError"
  );
}

function inputsOf(c: ParityCase): HostArray[] {
  return c.inputs.map((spec, i) => generate(spec, `${c.id.replace(/ \(grad\)$/, "")}#${i}`));
}

const upload = (h: HostArray): Tensor => lax.constant(h.values, h.shape, h.dtype);

function liveCounts(backend: string): { tensors: number; buffers: number } {
  const m = memory();
  return { tensors: m.numTensors, buffers: m.backends[backend]?.numBuffers ?? 0 };
}

/** Runs `compute` (which must return tensors it created) on `backend`, reads, disposes, checks leaks. */
async function evaluate(backend: string, id: string, compute: () => Tensor[]): Promise<Outputs> {
  await setBackend(backend);
  const before = liveCounts(backend);
  const outs = tidy(compute);
  let read: Outputs;
  try {
    read = await Promise.all(
      outs.map(async (t) => ({ shape: [...t.shape], dtype: t.dtype, values: await t.data() })),
    );
  } finally {
    dispose(outs);
  }
  expect(liveCounts(backend), `${id}: live tensors / ${backend} buffers after dispose`).toEqual(
    before,
  );
  return read;
}

function forward(c: ParityCase, hosts: HostArray[]): Tensor[] {
  return c.run(hosts.map(upload));
}

/** Weights w of sum(f(x) * w): fixed per case and output, in [-1, 1). */
function weights(id: string, k: number, shape: readonly number[]): Float32Array {
  const r = rng(hashSeed(`${id}#w${k}`));
  const n = shape.reduce((a, b) => a * b, 1);
  return Float32Array.from({ length: n }, () => 2 * r() - 1);
}

/** [loss, ...d loss / d (each float32 input)] for loss = sum_k sum(f(x)_k * w_k). */
function gradient(c: ParityCase, hosts: HostArray[]): Tensor[] {
  const xs = hosts.map(upload);
  const wrt = xs.map((_, i) => i).filter((i) => hosts[i]!.dtype === "float32");
  const loss = (floats: Tensor[]): Tensor => {
    const all = [...xs];
    wrt.forEach((i, j) => (all[i] = floats[j]!));
    let total: Tensor | null = null;
    for (const [k, y] of c.run(all).entries()) {
      if (y.dtype !== "float32") continue;
      const w = lax.constant(weights(c.id, k, y.shape), y.shape, "float32");
      const term = lax.sum(
        lax.mul(y, w),
        y.shape.map((_, d) => d),
      );
      total = total ? lax.add(total, term) : term;
    }
    if (!total)
      throw new Error(
        `${c.id}: no float32 output to differentiate. Received: ${c.inputs.length} inputs`,
      );
    return total;
  };
  const [value, grads] = valueAndGrad(loss)(wrt.map((i) => xs[i]!));
  return [value, ...(grads as Tensor[])];
}

function compare(label: string, got: Outputs, want: Outputs, tol: Tolerance): void {
  expect(got.length, `${label}: number of outputs`).toBe(want.length);
  got.forEach((g, k) => {
    const w = want[k]!;
    expect(g.shape, `${label}: shape of output ${k}`).toEqual(w.shape);
    expect(g.dtype, `${label}: dtype of output ${k}`).toBe(w.dtype);
    expectAllclose(
      g.values,
      w.values,
      g.dtype === "float32" ? tol : EXACT,
      `${label}: output ${k}`,
    );
  });
}

/** The cpu result against the float64 reference (primitive cases only). */
function checkAgainstReference(c: ParityCase, hosts: HostArray[], oracle: Outputs): void {
  const src = c.source!;
  const specs = shapeRules[src.prim](
    hosts.map((h) => ({ shape: h.shape, dtype: h.dtype })),
    src.params as never,
  ) as { shape: number[]; dtype: HostArray["dtype"] }[];
  const expected = reference(src.prim, hosts, src.params, specs);
  expected.forEach((values, k) => {
    const got = oracle[k]!;
    expect(got.shape, `${c.id}: cpu shape of output ${k} vs shape rule`).toEqual(specs[k]!.shape);
    expectAllclose(
      got.values,
      values,
      got.dtype === "float32" ? c.tol : EXACT,
      `${c.id}: cpu output ${k} vs float64 reference`,
    );
  });
}

/** At most this many elements per input get a finite-difference check (evenly spread). */
const FD_SAMPLES = 24;
const FD_EPS = 1e-6;
/** Analytic float32 gradients vs float64 central differences. */
const FD_TOL: Tolerance = { rtol: 1e-3, atol: 1e-4 };

/**
 * The cpu gradient of a primitive case against central finite differences of the float64
 * reference, on a sample of elements: what makes the cpu gradient run a real test of core's
 * gradient rules (cpu vs cpu is trivially equal).
 */
function checkGradientAgainstReference(c: ParityCase, hosts: HostArray[], oracle: Outputs): void {
  const src = c.source!;
  const avals = hosts.map((h) => ({ shape: h.shape, dtype: h.dtype }));
  const specs = shapeRules[src.prim](avals, src.params as never) as {
    shape: number[];
    dtype: HostArray["dtype"];
  }[];
  const ws = specs.map((s, k) => (s.dtype === "float32" ? weights(c.id, k, s.shape) : null));
  const xs: RefArray[] = hosts.map((h) => ({ ...h, values: Float64Array.from(h.values) }));
  const loss = (): number =>
    referenceRaw(src.prim, xs, src.params, specs).reduce((total, vals, k) => {
      const w = ws[k];
      if (!w) return total;
      let s = 0;
      for (let i = 0; i < vals.length; i++) s += vals[i]! * w[i]!;
      return total + s;
    }, 0);
  expectAllclose(oracle[0]!.values, [loss()], FD_TOL, `${c.id}: cpu loss vs float64 reference`);
  let out = 1;
  xs.forEach((x, j) => {
    if (hosts[j]!.dtype !== "float32") return;
    const v = x.values as Float64Array;
    const n = v.length;
    const picks =
      n <= FD_SAMPLES
        ? [...Array(n).keys()]
        : Array.from({ length: FD_SAMPLES }, (_, t) => Math.floor((t * n) / FD_SAMPLES));
    const fd = picks.map((i) => {
      const x0 = v[i]!;
      const h = FD_EPS * Math.max(1, Math.abs(x0));
      v[i] = x0 + h;
      const up = loss();
      v[i] = x0 - h;
      const down = loss();
      v[i] = x0;
      return (up - down) / (2 * h);
    });
    const g = oracle[out++]!.values;
    expectAllclose(
      picks.map((i) => g[i]!),
      fd,
      FD_TOL,
      `${c.id}: cpu gradient of input ${j} vs finite differences of the float64 reference (elements ${picks.join(", ")})`,
    );
  });
}

/**
 * Registers the parity suite for `backend` in the calling test file.
 * @example
 * // packages/backend-webgpu/test/parity.test.ts
 * import { runParitySuite } from "@webkeras/parity";
 * runParitySuite({ backend: "webgpu", setup: () => import("../src/index"), knownGaps: { "erf: special values": "no NaN in WGSL erf" } });
 */
export function runParitySuite(options: ParitySuiteOptions): void {
  const { backend, setup } = options;
  const knownGaps = options.knownGaps ?? {};
  const checkRef = options.checkReference ?? backend === "cpu";
  const keep = options.filter ?? (() => true);
  const fwd = forwardCases().filter((c) => keep(c.id));
  const grads = gradientCases().filter((c) => keep(c.id));

  const all = new Set([...forwardCases(), ...gradientCases()].map((c) => c.id));
  for (const [id, reason] of Object.entries(knownGaps)) {
    if (!all.has(id))
      throw new Error(
        `runParitySuite(${backend}): knownGaps names no case; delete or fix the entry. Received: "${id}"`,
      );
    if (!reason.trim())
      throw new Error(
        `runParitySuite(${backend}): knownGaps entries need a reason. Received: "${id}": ""`,
      );
  }

  const state: { unavailable: string | null } = { unavailable: null };

  describe(`parity [${backend}]`, () => {
    beforeAll(async () => {
      await setup?.();
      try {
        await setBackend(backend);
      } catch (err) {
        if (!isUnavailable(err)) throw err;
        state.unavailable = `backend "${backend}" unavailable: ${(err as Error).message}`;
      }
    });

    const register = (c: ParityCase, body: (c: ParityCase) => Promise<void>) => {
      const gap = knownGaps[c.id];
      const test = async (ctx: TestContext) => {
        if (state.unavailable) ctx.skip(state.unavailable);
        await body(c);
      };
      // it.fails: a known gap must fail; when it passes, the entry is stale and has to go.
      if (gap !== undefined) it.fails(`${c.id} [known gap: ${gap}]`, test);
      else it(c.id, test);
    };

    describe("forward", () => {
      for (const c of fwd)
        register(c, async (c) => {
          const hosts = inputsOf(c);
          const oracle = await evaluate("cpu", c.id, () => forward(c, hosts));
          if (checkRef && c.source) checkAgainstReference(c, hosts, oracle);
          const got =
            backend === "cpu" ? oracle : await evaluate(backend, c.id, () => forward(c, hosts));
          compare(`${c.id} on ${backend} vs cpu`, got, oracle, c.tol);
        });
    });

    describe("gradient", () => {
      for (const c of grads)
        register(c, async (c) => {
          const hosts = inputsOf(c);
          const oracle = await evaluate("cpu", c.id, () => gradient(c, hosts));
          if (checkRef && c.source) checkGradientAgainstReference(c, hosts, oracle);
          const got =
            backend === "cpu" ? oracle : await evaluate(backend, c.id, () => gradient(c, hosts));
          compare(`${c.id} on ${backend} vs cpu`, got, oracle, c.tol);
        });
    });
  });
}
