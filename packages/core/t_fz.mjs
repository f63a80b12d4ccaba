import * as h5wasm from "h5wasm";
import { unzipSync } from "fflate";
import { readFileSync } from "node:fs";
const Module = await h5wasm.ready;
const FS = Module.FS;
const goods = ["a_mlp","b_cnn","c_functional_dag"].map(m => unzipSync(readFileSync(`/work/shared/keras-format/models/${m}/model.keras`))["model.weights.h5"]);
let seed = 7; const rnd = () => { seed = (seed * 1103515245 + 12345) >>> 0; return seed / 2**32; };
function readAll(bytes) {
  FS.writeFile("/r.h5", bytes);
  let f;
  try {
    f = new h5wasm.File("/r.h5", "r");
    let n = 0;
    const walk = (g, d) => { if (d > 20) return; for (const k of g.keys()) { const o = g.get(k); if (o instanceof h5wasm.Group) { for (const a of Object.keys(o.attrs)) o.attrs[a].value; walk(o, d+1);} else if (o) { o.shape; o.dtype; o.value; n++; } } };
    walk(f, 0);
    return n;
  } finally { try { f?.close(); } catch {} FS.unlink("/r.h5"); }
}
const stats = {}; let worst = 0, worstI = -1;
for (let i = 0; i < 1500; i++) {
  const good = goods[i % 3];
  let b = good.slice();
  const mode = i % 4;
  if (mode === 0) b = b.slice(0, Math.floor(rnd() * b.length));
  else { const k = 1 + Math.floor(rnd() * 6); const lim = mode === 1 ? b.length : 4000;
    for (let j = 0; j < k; j++) b[Math.floor(rnd() * Math.min(lim, b.length))] = mode === 3 ? (b[Math.floor(rnd()*b.length)]) : Math.floor(rnd() * 256); }
  const t = performance.now();
  let r;
  try { r = "ok:" + readAll(b); } catch (e) { r = e?.constructor?.name + ":" + String(e?.message).slice(0, 40); }
  const dt = performance.now() - t; if (dt > worst) { worst = dt; worstI = i; }
  const key = r.split(":")[0]; stats[key] = (stats[key] ?? 0) + 1;
  if (key !== "ok" && key !== "Error") console.log(i, r);
  try { readAll(goods[0]); } catch (e) { console.log("MODULE BROKEN after", i, r, e.message); break; }
}
console.log(stats, "worst ms", worst, worstI, process.memoryUsage().rss/1e6);
