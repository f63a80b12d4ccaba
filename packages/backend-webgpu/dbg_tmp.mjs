import { create, globals } from "webgpu";
Object.assign(globalThis, globals);
const gpu = create([]);
const adapter = await gpu.requestAdapter();
const device = await adapter.requestDevice();
device.lost.then((i) => console.log("lost", i.message));
device.addEventListener?.("uncapturederror", (e) => console.log("err", e.error.message));
const N = 128;
const src = `@group(0) @binding(0) var<storage, read> A: array<f32>;
@group(0) @binding(1) var<storage, read> B: array<f32>;
@group(0) @binding(2) var<storage, read_write> C: array<f32>;
const M = ${N}u; const N = ${N}u; const K = ${N}u;
@compute @workgroup_size(8, 8) fn main(@builtin(global_invocation_id) g: vec3<u32>) {
  let r = g.y; let c = g.x; if (r >= M || c >= N) { return; }
  var s = 0.0; for (var k = 0u; k < K; k++) { s += A[r * K + k] * B[k * N + c]; } C[r * N + c] = s; }`;
const p = device.createComputePipeline({ layout: "auto", compute: { module: device.createShaderModule({ code: src }), entryPoint: "main" } });
const mk = () => device.createBuffer({ size: N*N*4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
const [a,b,c]=[mk(),mk(),mk()];
const st = device.createBuffer({ size: N*N*4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
const bg = device.createBindGroup({ layout: p.getBindGroupLayout(0), entries: [a,b,c].map((x, i) => ({ binding: i, resource: { buffer: x } })) });
for (let i = 0; i < Number(process.argv[2]); i++) {
  const enc = device.createCommandEncoder();
  const pass = enc.beginComputePass(); pass.setPipeline(p); pass.setBindGroup(0, bg); pass.dispatchWorkgroups(N/8, N/8); pass.end();
  enc.copyBufferToBuffer(c, 0, st, 0, N*N*4);
  const cb = enc.finish(); globalThis.keepAlive = (globalThis.keepAlive || []); globalThis.keepAlive.push(enc, pass, cb); device.queue.submit([cb]);
  await st.mapAsync(GPUMapMode.READ);
  const out = new Float32Array(st.getMappedRange().slice(0));
  st.unmap();
  let s = 0; for (let j = 0; j < 3e7; j++) s += j; 
  console.log(i, out[0], s);
}
device.destroy();
