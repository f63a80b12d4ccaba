// Profiles the bench's training steps on the webgpu backend in Node on Dawn (npm `webgpu`, the
// SwiftShader driver): a diagnostic, not a test. `node scripts/profile.mjs [cnn-train-step]
// [--runs 10] [--reps 5] [--top 20]` (build core and this package first: it imports dist).
// Prints the step's median, the dispatches per step, then every kernel of one step replayed alone
// (`--reps` times, each waited for) by total time: replays add up to more than the step, since a
// batch overlaps nothing here but is submitted in one go.
import { existsSync } from "node:fs";

const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : dflt);
const valued = new Set(["--runs", "--reps", "--top"].map((n) => args.indexOf(n) + 1));
const caseIds = (args.find((a, i) => !a.startsWith("--") && !valued.has(i)) ?? "cnn-train-step").split(",");
const [runs, reps, top] = [opt("--runs", 10), opt("--reps", 5), opt("--top", 20)];

const icd = process.env.VK_ICD_FILENAMES ?? "/usr/lib/chromium/vk_swiftshader_icd.json";
if (!existsSync(icd)) throw new Error(`no Vulkan driver at ${icd}`);
process.env.VK_ICD_FILENAMES = icd;
process.env.XDG_RUNTIME_DIR ??= "/tmp";
const { create, globals } = await import("webgpu");
Object.assign(globalThis, globals);
const gpu = create([]);
globalThis.navigator = { gpu, userAgent: `Node.js/${process.version}` };

const k = await import("@webkeras/core");
await import("@webkeras/backend-webgpu");
const { WASM_CASES } = await import("../../../bench/src/wasm.mjs");
const { mulberry32, seedOf } = await import("../../../bench/src/rng.mjs");
await k.setBackend("webgpu");
// The backend object, reached through a tensor (its dispatch() and submit() are private).
const probe = k.ops.convertToTensor([1], "float32");
const backend = probe.backend;
k.dispose(probe);
const device = backend.device;
const median = (v) => [...v].sort((a, c) => a - c)[Math.floor(v.length / 2)];

for (const id of caseIds) {
  const c = WASM_CASES.find((x) => x.id === id);
  if (!c) throw new Error(`no case ${id}`);
  const inp = c.inputs(mulberry32(seedOf(id)));
  const inst = await c.impl.webkeras(k, inp);
  for (let i = 0; i < 3; i++) await inst.run();
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await inst.run();
    times.push(performance.now() - t0);
  }
  // One step recorded: every dispatch with its bindings (buffers kept alive by holding refs).
  const seen = [];
  const orig = backend.dispatch;
  backend.dispatch = function (d) {
    seen.push({ source: d.source, inputs: [...d.inputs], outputs: [...d.outputs], uniforms: d.uniforms, grid: d.grid });
    return orig.call(this, d);
  };
  await inst.run();
  backend.dispatch = orig;
  // Replay each dispatch alone. The buffers may have been recycled: contents do not matter for
  // timing, only sizes; allocate fresh ones of the same sizes.
  const byKey = new Map();
  for (const d of seen) {
    const bufs = [...d.inputs, ...d.outputs].map((t) => device.createBuffer({ size: Math.max(16, t.bytes), usage: 0x80 | 0x8 | 0x4 }));
    const t = [];
    for (let r = 0; r <= reps; r++) {
      const ins = bufs.slice(0, d.inputs.length).map((buf, i) => ({ ...d.inputs[i], buffer: buf }));
      const outs = bufs.slice(d.inputs.length).map((buf, i) => ({ ...d.outputs[i], buffer: buf }));
      await device.queue.onSubmittedWorkDone();
      const t0 = performance.now();
      orig.call(backend, { ...d, inputs: ins, outputs: outs });
      backend.submit();
      await device.queue.onSubmittedWorkDone();
      if (r > 0) t.push(performance.now() - t0);
    }
    bufs.forEach((x) => x.destroy());
    const key = d.source;
    const e = byKey.get(key) ?? { n: 0, ms: 0, grid: d.grid, src: d.source };
    e.n++;
    e.ms += median(t);
    byKey.set(key, e);
  }
  const list = [...byKey.values()].sort((a, c) => c.ms - a.ms);
  const sum = list.reduce((a, e) => a + e.ms, 0);
  console.log(`\n${id}: median ${median(times).toFixed(1)} ms over ${runs} runs; ${seen.length} dispatches per step; replayed sum ${sum.toFixed(1)} ms`);
  for (const e of list.slice(0, top)) {
    const name = e.src.replace(/\s+/g, " ").slice(0, 160);
    console.log(`${e.ms.toFixed(2).padStart(8)} ms x${e.n} grid ${e.grid.join("x")}  ${name}`);
  }
  if (args.includes("--dump")) for (const e of list.slice(0, top)) console.log(`\n----- ${e.ms.toFixed(2)} ms\n${e.src}`);
  inst.dispose();
}
process.exit(0);
