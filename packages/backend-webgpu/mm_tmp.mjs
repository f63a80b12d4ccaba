import { create, globals } from "webgpu";
Object.assign(globalThis, globals);
const gpu = create([]); globalThis.__gpu = gpu;
const adapter = await gpu.requestAdapter();
const device = await adapter.requestDevice({ requiredFeatures: ["subgroups"], requiredLimits: { maxComputeWorkgroupStorageSize: 32768 } });
const N = +process.argv[2] || 512;
const M = N, K = N;
const mk = (n) => { const a = new Float32Array(n); for (let i = 0; i < n; i++) a[i] = Math.random() - 0.5; return a; };
const A = mk(M * K), B = mk(K * N);
const buf = (data) => { const b = device.createBuffer({ size: data.byteLength, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST }); device.queue.writeBuffer(b, 0, data); return b; };
const bA = buf(A), bB = buf(B), bC = buf(new Float32Array(M * N));
const st = device.createBuffer({ size: M * N * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
const ref = new Float32Array(M*N);
for (let i=0;i<M;i++) for (let k=0;k<K;k++){const a=A[i*K+k]; for(let j=0;j<N;j++) ref[i*N+j]+=a*B[k*N+j];}
async function run(name, src, wg) {
  let t0 = performance.now();
  const p = device.createComputePipeline({ layout: "auto", compute: { module: device.createShaderModule({ code: src }), entryPoint: "main" } });
  const bg = device.createBindGroup({ layout: p.getBindGroupLayout(0), entries: [bA, bB, bC].map((b, i) => ({ binding: i, resource: { buffer: b } })) });
  const go = async (reps) => {
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass(); pass.setPipeline(p); pass.setBindGroup(0, bg);
    for (let r = 0; r < reps; r++) pass.dispatchWorkgroups(...wg);
    pass.end(); enc.copyBufferToBuffer(bC, 0, st, 0, M * N * 4); device.queue.submit([enc.finish()]);
    await st.mapAsync(GPUMapMode.READ); const out = new Float32Array(st.getMappedRange().slice(0)); st.unmap(); return out;
  };
  const out = await go(1);
  const tc = performance.now() - t0;
  let err = 0; for (let i = 0; i < M * N; i++) err = Math.max(err, Math.abs(out[i] - ref[i]));
  const times = [];
  for (let i = 0; i < 5; i++) { t0 = performance.now(); await go(1); times.push(performance.now() - t0); }
  times.sort((a, b) => a - b);
  const ms = times[2];
  console.log(name, "compile+first", tc.toFixed(0), "ms; median", ms.toFixed(1), "ms;", (2 * M * N * K / ms / 1e6).toFixed(2), "GFLOP/s; err", err.toExponential(1));
}
const hdr = `@group(0) @binding(0) var<storage, read> A: array<f32>;
@group(0) @binding(1) var<storage, read> B: array<f32>;
@group(0) @binding(2) var<storage, read_write> C: array<f32>;
const M = ${M}u; const N = ${N}u; const K = ${K}u;`;
// naive
await run("naive", hdr + `
@compute @workgroup_size(8, 8) fn main(@builtin(global_invocation_id) g: vec3<u32>) {
  let r = g.y; let c = g.x; if (r >= M || c >= N) { return; }
  var s = 0.0; for (var k = 0u; k < K; k++) { s += A[r * K + k] * B[k * N + c]; } C[r * N + c] = s; }`, [N / 8, M / 8, 1]);
// register blocked, no shared memory, RxC per thread
for (const [R, CC, wx, wy] of [[4, 4, 8, 8], [4, 4, 16, 16], [8, 4, 8, 8], [4, 8, 8, 8], [2,4,16,8]]) {
  let body = "";
  for (let i = 0; i < R; i++) for (let j = 0; j < CC / 4; j++) body += `var acc${i}_${j} = vec4<f32>(0.0);\n`;
  let loop = "";
  for (let j = 0; j < CC / 4; j++) loop += `let b${j} = vec4<f32>(B[bo + ${j*4}u], B[bo + ${j*4+1}u], B[bo + ${j*4+2}u], B[bo + ${j*4+3}u]);\n`;
  for (let i = 0; i < R; i++) { loop += `let a${i} = A[(r0 + ${i}u) * K + k];\n`; for (let j = 0; j < CC / 4; j++) loop += `acc${i}_${j} = fma(vec4<f32>(a${i}), b${j}, acc${i}_${j});\n`; }
  let store = "";
  for (let i = 0; i < R; i++) for (let j = 0; j < CC / 4; j++) for (let t = 0; t < 4; t++) store += `C[(r0 + ${i}u) * N + c0 + ${j*4+t}u] = acc${i}_${j}[${t}];\n`;
  await run(`reg${R}x${CC} wg${wx}x${wy}`, hdr + `
@compute @workgroup_size(${wx}, ${wy}) fn main(@builtin(global_invocation_id) g: vec3<u32>) {
  let r0 = g.y * ${R}u; let c0 = g.x * ${CC}u;
  ${body}
  for (var k = 0u; k < K; k++) { let bo = k * N + c0;
  ${loop} }
  ${store} }`, [N / CC / wx, M / R / wy, 1]);
}
// shared memory tiled 64x64, 4x4 per thread, TK=16
for (const TK of [8, 16, 32]) {
await run("shared64 TK" + TK, hdr + `
var<workgroup> As: array<array<f32, 64>, ${TK}>;
var<workgroup> Bs: array<array<f32, 64>, ${TK}>;
@compute @workgroup_size(16, 16) fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) l: vec3<u32>, @builtin(local_invocation_index) li: u32) {
  let rowT = wg.y * 64u; let colT = wg.x * 64u;
  var acc: array<vec4<f32>, 4>;
  for (var k0 = 0u; k0 < K; k0 += ${TK}u) {
    for (var e = li; e < ${64 * TK}u; e += 256u) {
      let ar = e / ${TK}u; let ak = e % ${TK}u; As[ak][ar] = A[(rowT + ar) * K + k0 + ak];
      let bk = e / 64u; let bc = e % 64u; Bs[bk][bc] = B[(k0 + bk) * N + colT + bc];
    }
    workgroupBarrier();
    for (var k = 0u; k < ${TK}u; k++) {
      let b = vec4<f32>(Bs[k][l.x * 4u], Bs[k][l.x * 4u + 1u], Bs[k][l.x * 4u + 2u], Bs[k][l.x * 4u + 3u]);
      for (var i = 0u; i < 4u; i++) { acc[i] = fma(vec4<f32>(As[k][l.y * 4u + i]), b, acc[i]); }
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < 4u; i++) { for (var j = 0u; j < 4u; j++) { C[(rowT + l.y * 4u + i) * N + colT + l.x * 4u + j] = acc[i][j]; } }
}`, [N / 64, M / 64, 1]);
}
device.destroy();
