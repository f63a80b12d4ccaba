import { create, globals } from "webgpu";
Object.assign(globalThis, globals);
const gpu = create([]);
const adapter = await gpu.requestAdapter();
const device = await adapter.requestDevice();
for (let i = 0; i < 8; i++) { let s = 0; for (let j = 0; j < 3e7; j++) s += j; console.log(i, s); }
device.destroy();
