// `pnpm bench [--family cpu] [--case matmul-256,softmax] [--quick] [--no-write]`
// Runs each family's cases on its contenders and rewrites that family's section of RESULTS.md.
// A run limited with --case or --quick prints its table but writes nothing unless --write is
// given, so that a partial run never replaces a full one by accident.
import os from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { CASES } from "./cases.mjs";
import { CONTENDERS, FAMILIES, startContender } from "./contenders.mjs";
import { runBrowserFamily } from "./browser.mjs";
import { DEFAULTS, runCase } from "./harness.mjs";
import { fmtNum, gitRevision, machineInfo, renderSection, writeSection } from "./results.mjs";

const { values: args } = parseArgs({
  options: {
    family: { type: "string" },
    case: { type: "string" },
    quick: { type: "boolean", default: false },
    write: { type: "boolean" },
    "no-write": { type: "boolean", default: false },
    runs: { type: "string" },
  },
});

const resultsPath = fileURLToPath(new URL("../RESULTS.md", import.meta.url));
const wanted = (list) => (list ? new Set(list.split(",").map((s) => s.trim())) : null);
const familyIds = wanted(args.family);
const caseIds = wanted(args.case);
for (const id of familyIds ?? [])
  if (!FAMILIES.some((f) => f.id === id))
    throw new Error(
      `--family: unknown family. Known: ${FAMILIES.map((f) => f.id)}. Received: ${id}`,
    );
for (const id of caseIds ?? [])
  if (!CASES.some((c) => c.id === id))
    throw new Error(`--case: unknown case. Known: ${CASES.map((c) => c.id)}. Received: ${id}`);

const opts = args.quick ? { warmup: 1, minRuns: 3, maxRuns: 5, budgetMs: 500 } : { ...DEFAULTS };
if (args.runs) opts.minRuns = opts.maxRuns = Number(args.runs);
const partial = Boolean(caseIds || args.quick || args.runs);
const write = args["no-write"] ? false : (args.write ?? !partial);
const cases = CASES.filter((c) => !caseIds || caseIds.has(c.id));
const machine = machineInfo();

for (const family of FAMILIES.filter((f) => !familyIds || familyIds.has(f.id))) {
  console.log(`\n== ${family.title} ==`);
  const contenders = [];
  const unavailable = [];
  const rows = [];
  const load = [os.loadavg()[0]];
  // A family with `cases` runs those; a case with `families` runs only in those families.
  const familyCases = cases.filter((c) =>
    family.cases ? family.cases.includes(c.id) : !c.families || c.families.includes(family.id),
  );
  if (family.browser) {
    // Browser-only backends (webgl): the whole family runs in one Chromium page (browser.mjs).
    const r = await runBrowserFamily(family, CONTENDERS, familyCases, opts);
    contenders.push(...r.contenders);
    unavailable.push(...r.unavailable);
    rows.push(...r.rows);
  } else {
    for (const name of [family.subject, ...family.peers]) {
      const def = CONTENDERS.find((c) => c.name === name);
      try {
        contenders.push(await startContender(def));
      } catch (err) {
        unavailable.push({ name, error: err instanceof Error ? err.message : String(err) });
        console.log(`  ${name} unavailable: ${unavailable.at(-1).error}`);
      }
    }
    for (const c of familyCases) {
      const t0 = performance.now();
      const results = await runCase(c, contenders, family.reference, opts);
      rows.push({ case: c, results });
      const cols = contenders.map((ct) => {
        const r = results[ct.name];
        return `${ct.name} ${r.stats ? `${fmtNum(r.stats.median)} ms` : r.error}`;
      });
      const s = results[family.subject]?.stats?.median;
      const p = results[family.target.peer]?.stats?.median;
      const ratio = s && p ? `  speedup ${fmtNum(p / s)}x` : "";
      const secs = ((performance.now() - t0) / 1000).toFixed(1);
      console.log(`  ${c.id.padEnd(10)} ${cols.join("  ")}${ratio}  (${secs} s)`);
    }
  }
  load.push(os.loadavg()[0]);
  const run = {
    family,
    load,
    machine,
    date: new Date().toISOString().slice(0, 16).replace("T", " ") + " UTC",
    revision: gitRevision(fileURLToPath(new URL("..", import.meta.url))),
    command: `pnpm bench --family ${family.id}`,
    opts,
    contenders,
    unavailable,
    rows,
  };
  const section = renderSection(run);
  if (write) {
    writeSection(resultsPath, family.id, section);
    console.log(`  wrote section "${family.id}" of ${resultsPath}`);
  } else {
    console.log(`\n${section}\n  (not written: partial run; pass --write to write it)`);
  }
}

// A live WebGPU instance (Dawn, see webgpu.mjs) keeps the event loop open: end explicitly.
process.exit(process.exitCode ?? 0);
