// The timing loop, independent of libraries and cases. Per case: set up every contender on the
// same seeded inputs, run each once and check its outputs against the family's reference, warm
// up, then time interleaved rounds (one run of each contender per round, starting with a
// different contender each round) so that drift in the machine's speed hits all of them alike.
// Every run reads its outputs back, so asynchronous backends are timed to completion.
import { mulberry32, seedOf } from "./rng.mjs";

export const DEFAULTS = {
  /** Untimed rounds after the check run (JIT, buffer pools, caches). */
  warmup: 3,
  /** Timed rounds: at least minRuns, then more until budgetMs has passed, at most maxRuns. */
  minRuns: 7,
  maxRuns: 200,
  budgetMs: 5000,
};

/**
 * Median, min and 90th percentile (nearest rank) of times in ms.
 * @example summarize([3, 1, 2]) // { median: 2, min: 1, p90: 3, runs: 3 }
 */
export function summarize(times) {
  const s = [...times].sort((a, b) => a - b);
  const n = s.length;
  const median = n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  return { median, min: s[0], p90: s[Math.min(n - 1, Math.ceil(0.9 * n) - 1)], runs: n };
}

/**
 * Median over rounds of `peer[k] / subject[k]`: a speedup estimate that machine-wide slowdowns,
 * which hit both runs of a round alike, disturb less than a ratio of medians.
 */
export function pairedSpeedup(subjectTimes, peerTimes) {
  const n = Math.min(subjectTimes.length, peerTimes.length);
  if (n === 0) return null;
  return summarize(Array.from({ length: n }, (_, k) => peerTimes[k] / subjectTimes[k])).median;
}

/**
 * Compares two lists of outputs elementwise: |a - b| <= atol + rtol * |b| (b: the reference).
 * @returns {{ ok: boolean, maxAbsErr: number, detail: string }}
 */
export function compareOutputs(outs, ref, { rtol, atol }) {
  if (outs.length !== ref.length)
    return { ok: false, maxAbsErr: NaN, detail: `${outs.length} outputs vs ${ref.length}` };
  let ok = true;
  let maxAbsErr = 0;
  for (let j = 0; j < ref.length; j++) {
    const [a, b] = [outs[j], ref[j]];
    if (a.length !== b.length)
      return {
        ok: false,
        maxAbsErr: NaN,
        detail: `output ${j}: ${a.length} values vs ${b.length}`,
      };
    for (let i = 0; i < b.length; i++) {
      const err = Math.abs(a[i] - b[i]);
      if (!(err <= atol + rtol * Math.abs(b[i]))) ok = false; // NaN fails too
      if (!(err <= maxAbsErr)) maxAbsErr = err;
    }
  }
  return { ok, maxAbsErr, detail: "" };
}

const message = (err) => (err instanceof Error ? err.message : String(err)).split("\n")[0];

/**
 * Runs one case on the started contenders (see contenders.mjs, startContender).
 * @param {object} c a case from cases.mjs
 * @param {object[]} contenders started contenders
 * @param {string} referenceName whose outputs the others are checked against
 * @returns per contender: stats (or null), error, check, live tensor counts, and `times`, the
 *   timed runs in round order (index k of every contender is from the same round)
 */
export async function runCase(c, contenders, referenceName, opts = DEFAULTS, log = console.log) {
  const inputs = c.inputs(mulberry32(seedOf(c.id)));
  globalThis.gc?.();
  /** @type {Record<string, any>} */
  const res = {};
  const active = new Map(); // library -> contender last activated
  const activate = async (ct) => {
    if (active.get(ct.library) === ct) return;
    await ct.activate();
    active.set(ct.library, ct);
  };
  const live = [];
  for (const ct of contenders) {
    const r = { stats: null, error: null, check: null, live: {}, impl: null, times: [] };
    res[ct.name] = r;
    try {
      await activate(ct);
      r.live.before = ct.liveTensors();
      r.impl = await ct.setup(c, inputs);
      if (!r.impl) r.error = "n/a";
    } catch (err) {
      r.error = message(err);
    }
    if (r.impl) live.push(ct);
  }

  // One run each: outputs, copied before anything else runs, checked against the reference.
  const outputs = {};
  for (const ct of [...live]) {
    try {
      await activate(ct);
      outputs[ct.name] = (await res[ct.name].impl.run()).map((a) => a.slice());
    } catch (err) {
      res[ct.name].error = message(err);
      live.splice(live.indexOf(ct), 1);
    }
  }
  const ref = outputs[referenceName];
  for (const ct of live) {
    if (!ref || ct.name === referenceName) continue;
    const check = compareOutputs(outputs[ct.name], ref, c.tol);
    res[ct.name].check = { ...check, vs: referenceName };
    if (!check.ok)
      log(
        `  WARNING ${c.id}: ${ct.name} disagrees with ${referenceName}` +
          ` (max abs err ${check.maxAbsErr.toExponential(2)}${check.detail ? `; ${check.detail}` : ""})`,
      );
  }

  const round = async (k, timed) => {
    for (let i = 0; i < live.length; i++) {
      const ct = live[(i + k) % live.length];
      const r = res[ct.name];
      if (r.error) continue;
      try {
        await activate(ct);
        const t0 = performance.now();
        await r.impl.run();
        const dt = performance.now() - t0;
        if (timed) r.times.push(dt);
      } catch (err) {
        r.error = message(err);
      }
    }
  };
  for (let k = 0; k < opts.warmup; k++) await round(k, false);
  for (const ct of live) res[ct.name].live.afterWarmup = ct.liveTensors();
  const start = performance.now();
  for (let k = 0; k < opts.maxRuns; k++) {
    if (k >= opts.minRuns && performance.now() - start > opts.budgetMs) break;
    await round(k, true);
  }
  for (const ct of live) res[ct.name].live.afterRuns = ct.liveTensors();

  for (const ct of contenders) {
    const r = res[ct.name];
    try {
      if (r.impl) {
        await activate(ct);
        r.impl.dispose();
        r.live.afterDispose = ct.liveTensors();
      }
    } catch (err) {
      r.error ??= message(err);
    }
    if (r.times.length && !r.error) r.stats = summarize(r.times);
    else r.times = [];
    delete r.impl;
  }
  return res;
}
