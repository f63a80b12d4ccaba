// Profiles the bench's training steps on the webgl backend in headless Chromium (a diagnostic,
// not a test): `node scripts/profile.mjs [mlp-train-step,cnn-train-step] [--runs 20] [--full]`.
// Prints the step's median, the draws per step and the programs by time (a blocking read around
// every draw, so per-program times add up to more than the step).
import { pathToFileURL, fileURLToPath } from "node:url";
import { build } from "esbuild";
import { mkdirSync } from "node:fs";

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const args = process.argv.slice(2);
// Positional: the cases (comma-separated); options take values (--ab takes two).
const valueOf = new Set();
args.forEach((a, i) => {
  if (["--runs", "--top", "--mm", "--set"].includes(a)) valueOf.add(i + 1);
  if (a === "--ab") valueOf.add(i + 1).add(i + 2);
});
const cases = (args.find((a, i) => !a.startsWith("--") && !valueOf.has(i)) ?? "mlp-train-step,cnn-train-step").split(",");
const runs = Number(args[args.indexOf("--runs") + 1]) || 20;
const full = args.includes("--full");
// --ab "<js A>" "<js B>": statements run on (b, gp) before alternate runs, e.g. "gp.flushTexels = 4096".
const ab = args.includes("--ab") ? [args[args.indexOf("--ab") + 1], args[args.indexOf("--ab") + 2]] : null;
const overhead = args.includes("--overhead");
// --mm "64x784x128,784x64x128:ta": time matmuls of those shapes (M x K x N, ":ta"/":tb" transposed operands).
const mm = args.includes("--mm") ? args[args.indexOf("--mm") + 1] : null;
// --set "<js>": statements run on (b, gp) before timing (with --mm).
const set = args.includes("--set") ? args[args.indexOf("--set") + 1] : null;
// --glcalls: time spent in each WebGL call per step (JS side), instead of the per-program profile.
const glcalls = args.includes("--glcalls");
const top = args.includes("--top") ? Number(args[args.indexOf("--top") + 1]) : 15;

// Bundled next to browser-test so that its playwright-core resolves.
const cache = here("../../browser-test/node_modules/.cache/");
mkdirSync(cache, { recursive: true });
await build({
  entryPoints: [here("../../browser-test/src/index.ts")],
  outfile: `${cache}browser-test.mjs`,
  bundle: true,
  format: "esm",
  platform: "node",
  external: ["playwright-core", "esbuild"],
  logLevel: "error",
});
const { runInBrowser } = await import(pathToFileURL(`${cache}browser-test.mjs`).href);
const run = await runInBrowser({
  entry: here("./profile.page.mjs"),
  alias: {
    "@webkeras/core": here("../../core/src/index.ts"),
    "@webkeras/browser-test/page": here("../../browser-test/src/page.ts"),
    "node:module": here("../../../bench/src/browser_stubs.mjs"),
    "node:path": here("../../../bench/src/browser_stubs.mjs"),
  },
  define: { __PROFILE__: JSON.stringify({ cases, runs, full, overhead, ab, mm, set, glcalls, chars: 400 }) },
  timeoutMs: 600_000,
});
if (run.error) {
  console.error(run.error, run.logs.slice(-20).join("\n"));
  process.exit(1);
}
if (mm) {
  for (const [k, v] of Object.entries(run.summary.mm)) console.log(`${k}: ${v}`);
  process.exit(0);
}
if (overhead) {
  console.log(run.summary.overhead);
  process.exit(0);
}
for (const [id, r] of Object.entries(run.summary)) {
  if (r.gl) {
    console.log(`${id}: ms per step in WebGL calls (calls per step):`);
    for (const [k, v] of r.gl) console.log(`  ${k.padEnd(28)} ${v.ms.toFixed(3).padStart(7)} ms  x${v.n}`);
    continue;
  }
  if (r.ab) {
    console.log(`${id}: A ${r.ab.A.toFixed(2)} ms, B ${r.ab.B.toFixed(2)} ms, paired B/A ${r.ab.pairedBoverA.toFixed(3)}`);
    continue;
  }
  console.log(`\n${id}: median ${r.median.toFixed(2)} ms (min ${r.min.toFixed(2)}; recording until the first read ${r.syncMedian.toFixed(2)}, of which in the backend's execute() ${r.backendMedian.toFixed(2)}), ${r.draws} draws + ${r.blits} blits per step; finished-draw sum ${r.sumMs.toFixed(2)} ms, replayed draws sum ${r.replaySumMs.toFixed(2)} ms`);
  console.log("  mean ms per step in GPGPU calls:", JSON.stringify(r.glMs));
  console.log("  mean ms per step in kernels:", JSON.stringify(r.byKernel));
  console.log("  reads (ms from the step's start, last 3 steps):", r.reads);
  if (args.includes("--seq")) for (const l of r.seq) console.log(`  | ${l}`);
  for (const p of r.programs.slice(0, top))
    console.log(`  ${(p.replayMs ?? 0).toFixed(3).padStart(7)} replayed ${p.ms.toFixed(3).padStart(7)} synced ms  x${p.n}  ${p.texels} texels  ${p.inputs} in ${p.outputs} out  ${p.src}`);
}
