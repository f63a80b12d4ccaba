import { create, globals } from "webgpu";
Object.assign(globalThis, globals);
const gpu = create([]);
const adapter = await gpu.requestAdapter();
const device = await adapter.requestDevice();
const mode = process.argv[2];
const b = device.createBuffer({ size: 64, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
if (mode === "write") { device.queue.writeBuffer(b, 0, new Float32Array(16)); await device.queue.onSubmittedWorkDone(); }
if (mode === "map") { const st = device.createBuffer({ size: 64, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const enc = device.createCommandEncoder(); enc.copyBufferToBuffer(b, 0, st, 0, 64); device.queue.submit([enc.finish()]); await st.mapAsync(GPUMapMode.READ); st.unmap(); }
if (mode === "submit") { const enc = device.createCommandEncoder(); device.queue.submit([enc.finish()]); await device.queue.onSubmittedWorkDone(); }
for (let i = 0; i < 8; i++) { let s = 0; for (let j = 0; j < 3e7; j++) s += j; console.log(i, s); }
device.destroy();
