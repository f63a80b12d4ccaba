// Profiling page (see profile.mjs): runs the bench's training steps (bench/src/wasm.mjs, the
// webkeras implementation) on the webgl backend and reports, per step, the draws and, with a
// gl.finish() after every draw, the time per program (grouped by generated source).
import * as keras from "@webkeras/core";
import "../src/index";
import { done } from "@webkeras/browser-test/page";
import { webglKernels } from "../src/kernels/index";
import { WASM_CASES } from "../../../bench/src/wasm.mjs";
import { mulberry32, seedOf } from "../../../bench/src/rng.mjs";

/* global __PROFILE__ */
const cfg = __PROFILE__;

async function main() {
  await keras.setBackend("webgl");
  const t0 = keras.ops.convertToTensor([0]);
  const b = t0.backend;
  t0.dispose();
  const gp = b.gpgpu;
  const out = {};
  if (cfg.mm) {
    // Matmuls timed alone: 10 back to back, then one blocking read (ms per matmul, GFLOP/s).
    if (cfg.set) new Function("b", "gp", cfg.set)(b, gp);
    const o = {};
    for (const spec of cfg.mm.split(",")) {
      const [dimsText, ...flags] = spec.split(":");
      const [M, K, N] = dimsText.split("x").map(Number);
      const ta = flags.includes("ta");
      const tb = flags.includes("tb");
      const A = keras.ops.reshape(keras.ops.convertToTensor(Float32Array.from({ length: M * K }, (_, i) => ((i * 7) % 13) / 13), "float32"), ta ? [K, M] : [M, K]);
      const B = keras.ops.reshape(keras.ops.convertToTensor(Float32Array.from({ length: K * N }, (_, i) => ((i * 5) % 11) / 11), "float32"), tb ? [N, K] : [K, N]);
      const one = () => keras.lax.matmul(A, B, ta, tb);
      // With --ab, rounds alternate the two settings.
      const sets = (cfg.ab ?? ["", ""]).map((src) => new Function("b", "gp", src));
      const ts = [[], []];
      const sums = [];
      for (let r = 0; r < 2 * cfg.runs + 4; r++) {
        sets[r & 1](b, gp);
        const outs = [];
        gp.readSync(gp.acquire(1, 1, "f"), 4);
        const s = performance.now();
        for (let i = 0; i < 10; i++) outs.push(keras.tidy(one));
        gp.readSync(b.data(outs[9].dataId, "read").tex, 4);
        if (r >= 4) ts[r & 1].push((performance.now() - s) / 10);
        if (r < 2) sums.push(Array.from(await outs[9].data()).reduce((x, y) => x + y, 0));
        keras.dispose(outs);
      }
      const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
      const gf = (ms) => ((2 * M * K * N) / ms / 1e6).toFixed(2);
      o[spec] = cfg.ab
        ? `A ${med(ts[0]).toFixed(3)} ms (${gf(med(ts[0]))} GFLOP/s), B ${med(ts[1]).toFixed(3)} ms (${gf(med(ts[1]))}), paired B/A ${med(ts[0].map((x, i) => ts[1][i] / x)).toFixed(3)}; sums ${sums.map((x) => x.toFixed(3)).join(" ")}`
        : `${med(ts[0]).toFixed(3)} ms, ${gf(med(ts[0]))} GFLOP/s`;
      keras.dispose([A, B]);
    }
    await done({ mm: o });
    return;
  }
  if (cfg.overhead) {
    // Fixed cost per pass: many tiny draws (or blits), one blocking read at the end.
    const o = {};
    const src = (k) => `#version 300 es
precision highp float;
uniform sampler2D x0;
out vec4 o;
void main() { o = texture(x0, gl_FragCoord.xy * 0.0078125) + ${k}.0; }`;
    for (const [W, H] of [[32, 784]]) {
      const a = gp.acquire(W, H, "f");
      const c = gp.acquire(W, H, "f");
      for (const [name, one] of [
        ["draw", () => gp.draw(gp.program(src(1), 1), [a], [c])],
        ["draw (other program each time)", (i) => gp.draw(gp.program(src(i % 8), 1), [a], [c])],
        ["blit", () => gp.blit(a, c, W, H, 0, 0)],
      ]) {
        for (let i = 0; i < 20; i++) one(i);
        gp.readSync(c, 4);
        const s = performance.now();
        const N = 300;
        for (let i = 0; i < N; i++) one(i);
        gp.readSync(c, 4);
        o[`${name} ${W}x${H}`] = ((performance.now() - s) / N).toFixed(4) + " ms";
      }
      gp.release(a);
      gp.release(c);
    }
    const H = "#version 300 es\nprecision highp float;\nprecision highp int;\nuniform sampler2D x0;\nuniform sampler2D x1;\nuniform sampler2D x2;\nout vec4 o;\n";
    const rd = (s) => `texture(${s}, gl_FragCoord.xy * vec2(0.03125, 0.0012755101779475808))`;
    const variants = {
      loop: `void main() { int t = (int(gl_FragCoord.y) * 32 + int(gl_FragCoord.x)); vec4 a = ${rd("x0")}; vec4 b = ${rd("x1")}; float s = texture(x2, vec2(0.5, 0.5)).x; vec4 r; for (int c = 0; c < 4; c++) { int e = 4 * t + c; float n3 = (b[c] * s); float n4 = (a[c] - n3); r[c] = n4; } o = r; }`,
      unrolled: `void main() { vec4 a = ${rd("x0")}; vec4 b = ${rd("x1")}; float s = texture(x2, vec2(0.5, 0.5)).x; vec4 r; ${[0, 1, 2, 3].map((c) => `{ float n3 = (b[${c}] * s); float n4 = (a[${c}] - n3); r[${c}] = n4; }`).join(" ")} o = r; }`,
      constc: `void main() { int t = (int(gl_FragCoord.y) * 32 + int(gl_FragCoord.x)); vec4 a = ${rd("x0")}; vec4 b = ${rd("x1")}; float s = texture(x2, vec2(0.5, 0.5)).x; vec4 r; ${[0, 1, 2, 3].map((k) => `{ const int c = ${k}; int e = 4 * t + c; float n3 = (b[c] * s); float n4 = (a[c] - n3); r[c] = n4; }`).join(" ")} o = r; }`,
      vec4: `void main() { vec4 a = ${rd("x0")}; vec4 b = ${rd("x1")}; float s = texture(x2, vec2(0.5, 0.5)).x; o = a - b * s; }`,
      trivial: `void main() { o = ${rd("x0")} + 1.0; }`,
    };
    const ta = gp.acquire(32, 784, "f");
    const tb = gp.acquire(32, 784, "f");
    const tsc = gp.acquire(1, 1, "f");
    const tc = gp.acquire(32, 784, "f");
    for (const [name, body] of Object.entries(variants)) {
      const prog = gp.program(H + body, ["x0", "x1", "x2"]);
      for (let i = 0; i < 5; i++) gp.draw(prog, [ta, tb, tsc], [tc]);
      gp.readSync(tc, 4);
      const s = performance.now();
      for (let i = 0; i < 100; i++) gp.draw(prog, [ta, tb, tsc], [tc]);
      gp.readSync(tc, 4);
      o[`sgd 32x784 ${name}`] = ((performance.now() - s) / 100).toFixed(4) + " ms";
    }
    const s = performance.now();
    for (let i = 0; i < 100; i++) gp.readSync(gp.acquire(1, 1, "f"), 4);
    o["blocking read 1x1"] = ((performance.now() - s) / 100).toFixed(4) + " ms";
    // Latency of a small fenced read with the GPU idle, per polling setting.
    for (const fp of [0, 1, 4, 64]) {
      gp.fastPolls = fp;
      const t = keras.ops.convertToTensor(new Float32Array(10));
      await t.data();
      const ts = [];
      for (let i = 0; i < 30; i++) {
        const y = keras.ops.add(t, i);
        const s = performance.now();
        await y.data();
        ts.push(performance.now() - s);
        y.dispose();
      }
      t.dispose();
      ts.sort((a, c) => a - c);
      o[`small read, fastPolls ${fp}`] = `${ts[15].toFixed(3)} ms median, ${ts[3].toFixed(3)} p10, ${ts[27].toFixed(3)} p90`;
    }
    gp.fastPolls = 1;
    // Fence latency when each poll also sends the GPU process a command ("kick"), so that it
    // checks its pending queries on that flush rather than on its idle timer.
    const gl = gp.gl;
    const scratchFb = gl.createFramebuffer();
    const mc = new MessageChannel();
    const hopQ = [];
    mc.port1.onmessage = () => hopQ.shift()?.();
    const hop = () => new Promise((r) => { hopQ.push(r); mc.port2.postMessage(0); });
    const kicks = {
      none: () => {},
      flush: () => gl.flush(),
      fence: () => {
        gl.deleteSync(gl.fenceSync(gl.SYNC_GPU_COMMANDS_COMPLETE, 0));
        gl.flush();
      },
      uniform: () => {
        gl.uniform1i(gp.current?.samplers[0] ?? null, 0);
        gl.flush();
      },
      scissor: () => {
        gl.scissor(0, 0, 1, 1);
        gl.flush();
      },
    };
    for (const [name, kick] of Object.entries(kicks)) {
      const orig = gp.waitSync;
      gp.waitSync = async function (sync) {
        for (let i = 0; ; i++) {
          const s = gl.clientWaitSync(sync, 0, 0);
          if (s === gl.ALREADY_SIGNALED || s === gl.CONDITION_SATISFIED) return;
          kick();
          await hop();
        }
      };
      const t = keras.ops.convertToTensor(new Float32Array(10));
      await t.data();
      const ts = [];
      for (let i = 0; i < 30; i++) {
        const y = keras.ops.add(t, i);
        const s = performance.now();
        await y.data();
        ts.push(performance.now() - s);
        y.dispose();
      }
      t.dispose();
      gp.waitSync = orig;
      ts.sort((a, c) => a - c);
      o[`small read, kick ${name}`] = `${ts[15].toFixed(3)} ms median, ${ts[3].toFixed(3)} p10, ${ts[27].toFixed(3)} p90`;
    }
    gl.deleteFramebuffer(scratchFb);
    await done({ overhead: o });
    return;
  }
  for (const id of cfg.cases) {
    const c = WASM_CASES.find((x) => x.id === id);
    const inst = c.impl.webkeras(keras, c.inputs(mulberry32(seedOf(c.id))));
    for (let i = 0; i < 5; i++) await inst.run();
    if (cfg.glcalls) {
      const gl = gp.gl;
      const acc = new Map();
      const saved = [];
      const proto = Object.getPrototypeOf(gl);
      for (const name of Object.getOwnPropertyNames(proto)) {
        const desc = Object.getOwnPropertyDescriptor(proto, name);
        if (typeof desc.value !== "function" || name === "constructor") continue;
        const f = desc.value;
        saved.push(name);
        gl[name] = function (...a) {
          const s = performance.now();
          try {
            return f.apply(gl, a);
          } finally {
            const e = acc.get(name) ?? { ms: 0, n: 0 };
            e.ms += performance.now() - s;
            e.n++;
            acc.set(name, e);
          }
        };
      }
      for (let i = 0; i < cfg.runs; i++) await inst.run();
      for (const name of saved) delete gl[name];
      const list = [...acc.entries()].map(([k, v]) => [k, { ms: v.ms / cfg.runs, n: v.n / cfg.runs }]).sort((x, y) => y[1].ms - x[1].ms);
      out[id] = { gl: list };
      inst.dispose();
      continue;
    }
    if (cfg.ab) {
      // A/B: alternate two settings run by run (cfg.ab = [setterA, setterB] as source text).
      const set = cfg.ab.map((src) => new Function("b", "gp", src));
      const t = [[], []];
      for (let i = 0; i < cfg.runs * 2; i++) {
        set[i & 1](b, gp);
        const s = performance.now();
        await inst.run();
        t[i & 1].push(performance.now() - s);
      }
      set[0](b, gp);
      const med = (a) => a.sort((x, y) => x - y)[a.length >> 1];
      const ratios = t[0].map((a, i) => t[1][i] / a).sort((x, y) => x - y);
      out[id] = { ab: { A: med(t[0]), B: med(t[1]), pairedBoverA: ratios[ratios.length >> 1] } };
      inst.dispose();
      continue;
    }
    // Plain timing, split at the first read: recording (JS: autodiff, planning, GL calls) and
    // waiting for the GPU and the readback.
    const times = [];
    const syncs = [];
    const origRead = b.read.bind(b);
    let firstRead = null;
    b.read = (id) => {
      firstRead ??= performance.now();
      return origRead(id);
    };
    // Time inside the backend's execute() (kernels, fusion planning, GL calls), outermost only.
    let inBackend = 0;
    let depth = 0;
    const origExec = b.execute.bind(b);
    b.execute = (...a) => {
      const s = depth++ === 0 ? performance.now() : 0;
      try {
        return origExec(...a);
      } finally {
        if (--depth === 0) inBackend += performance.now() - s;
      }
    };
    const backendMs = [];
    // Time per kernel (by primitive) and in materialize() (fused programs), outermost only.
    const byKernel = {};
    let kdepth = 0;
    const timed = (name, f) => (...a) => {
      const s = kdepth++ === 0 ? performance.now() : 0;
      try {
        return f(...a);
      } finally {
        if (--kdepth === 0) byKernel[name] = (byKernel[name] ?? 0) + performance.now() - s;
      }
    };
    const origKernels = { ...webglKernels };
    for (const [p, k] of Object.entries(webglKernels)) if (typeof k === "function") webglKernels[p] = timed(p, k);
    const origMat = b.materialize;
    b.materialize = timed("materialize (fused)", origMat.bind(b));
    // Reads: [start, end] relative to the run's start.
    const reads = [];
    const origReadAsync = gp.readAsync.bind(gp);
    let runStart = 0;
    gp.readAsync = async (...a) => {
      const s0 = performance.now() - runStart;
      const r = await origReadAsync(...a);
      reads.push([s0, performance.now() - runStart]);
      return r;
    };
    // Time in GPGPU calls (program lookup, draw, blit, acquire/release) within the above.
    const glMs = { program: 0, draw: 0, blit: 0, acquire: 0, release: 0, upload: 0 };
    const origs = {};
    for (const m of Object.keys(glMs)) {
      origs[m] = gp[m];
      const f = gp[m].bind(gp);
      gp[m] = (...a) => {
        const s = performance.now();
        try {
          return f(...a);
        } finally {
          glMs[m] += performance.now() - s;
        }
      };
    }
    for (let i = 0; i < cfg.runs; i++) {
      firstRead = null;
      inBackend = 0;
      const s = performance.now();
      runStart = s;
      await inst.run();
      times.push(performance.now() - s);
      syncs.push(firstRead - s);
      backendMs.push(inBackend);
    }
    b.execute = origExec;
    Object.assign(webglKernels, origKernels);
    b.materialize = origMat;
    for (const k of Object.keys(byKernel)) byKernel[k] = +(byKernel[k] / cfg.runs).toFixed(3);
    gp.readAsync = origReadAsync;
    for (const m of Object.keys(glMs)) {
      gp[m] = origs[m];
      glMs[m] = +(glMs[m] / cfg.runs).toFixed(3);
    }
    backendMs.sort((x, y) => x - y);
    b.read = origRead;
    times.sort((x, y) => x - y);
    syncs.sort((x, y) => x - y);
    // Per-program timing: finish after each draw.
    const origDraw = gp.draw.bind(gp);
    const origBlit = gp.blit.bind(gp);
    const per = new Map();
    const srcOf = new Map();
    for (const [src, p] of gp.programs) srcOf.set(p, src);
    const scratch = gp.acquire(1, 1, "f");
    let counting = false;
    gp.draw = (prog, inputs, outputs, size) => {
      if (!counting) return origDraw(prog, inputs, outputs, size);
      // A blocking readPixels waits for the GPU (WebGL's finish() does not, in Chromium).
      gp.readSync(scratch, 4);
      const s = performance.now();
      origDraw(prog, inputs, outputs, size);
      gp.readSync(outputs[0], 4);
      const dt = performance.now() - s;
      let src = srcOf.get(prog);
      if (!src) for (const [sx, p] of gp.programs) if (p === prog) srcOf.set(prog, (src = sx));
      const [w, h] = size ?? [outputs[0].W, outputs[0].H];
      const key = src;
      if (seq.length < 400) seq.push(`${w}x${h} ${inputs.length}in ${outputs.length}out ${dt.toFixed(3)}ms  ${src.slice(src.indexOf("void main()") + 11, src.indexOf("void main()") + 11 + cfg.chars).replace(/\s+/g, " ")}`);
      const e = per.get(key) ?? { n: 0, ms: 0, texels: w * h, inputs: inputs.length, outputs: outputs.length };
      e.replay = { prog, inputs: inputs.map((t) => [t.W, t.H, t.kind]), outputs: outputs.map((t) => [t.W, t.H, t.kind]), size };
      e.n++;
      e.ms += dt;
      per.set(key, e);
    };
    let blits = 0;
    const seq = [];
    gp.blit = (src, dst, w, h, x, y) => {
      if (!counting) return origBlit(src, dst, w, h, x, y);
      blits++;
      if (seq.length < 400) seq.push(`blit ${w}x${h}`);
      gp.readSync(scratch, 4);
      const s = performance.now();
      origBlit(src, dst, w, h, x, y);
      gp.readSync(dst, 4);
      const key = `blit ${w}x${h}`;
      const e = per.get(key) ?? { n: 0, ms: 0, texels: w * h, inputs: 1, outputs: 1 };
      e.n++;
      e.ms += performance.now() - s;
      per.set(key, e);
    };
    counting = true;
    const d0 = gp.stats.draws;
    const R = 3;
    for (let i = 0; i < R; i++) await inst.run();
    counting = false;
    gp.draw = origDraw;
    gp.blit = origBlit;
    // Replay: each program 20 times back to back on fresh textures of the same sizes, one blocking
    // read at the end: its cost without the read's round trip.
    const replay = (e) => {
      if (!e.replay) return null;
      const fresh = (l) => l.map(([W, H, k]) => gp.acquire(W, H, k));
      const ins = fresh(e.replay.inputs);
      const outs = fresh(e.replay.outputs);
      gp.readSync(scratch, 4);
      const s = performance.now();
      for (let i = 0; i < 20; i++) origDraw(e.replay.prog, ins, outs, e.replay.size);
      gp.readSync(outs[0], 4);
      const dt = (performance.now() - s) / 20;
      for (const t of [...ins, ...outs]) gp.release(t);
      return dt;
    };
    const list = [...per.entries()].map(([src, e]) => ({
      replayMs: replay(e),
      ms: e.ms / R,
      n: e.n / R,
      texels: e.texels,
      inputs: e.inputs,
      outputs: e.outputs,
      src: cfg.full || !src.includes("void main()") ? src : src.slice(src.indexOf("void main()"), src.indexOf("void main()") + cfg.chars).replace(/\s+/g, " "),
    }));
    gp.release(scratch);
    list.sort((x, y) => (y.replayMs ?? 0) * y.n - (x.replayMs ?? 0) * x.n);
    out[id] = {
      median: times[times.length >> 1],
      syncMedian: syncs[syncs.length >> 1],
      backendMedian: backendMs[backendMs.length >> 1],
      glMs,
      byKernel,
      reads: reads.slice(-6).map(([a, e]) => `${a.toFixed(2)}-${e.toFixed(2)}`).join(" "),
      min: times[0],
      draws: (gp.stats.draws - d0) / R,
      blits: blits / R,
      sumMs: list.reduce((a, e) => a + e.ms, 0),
      replaySumMs: list.reduce((a, e) => a + (e.replayMs ?? 0) * e.n, 0),
      programs: list,
      seq: seq.slice(0, seq.length / R),
    };
    inst.dispose();
  }
  await done(out);
}
main().catch((e) => done(null, String(e?.stack ?? e)));
