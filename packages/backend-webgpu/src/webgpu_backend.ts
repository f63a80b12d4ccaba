/**
 * The WebGPU backend: buffers behind reference-counted DataIds, a size-bucketed buffer pool,
 * dispatches recorded into one command encoder and submitted in batches, asynchronous readback
 * through staging buffers, and a pipeline cache keyed by generated WGSL source.
 *
 * Ordering rules that keep batching correct:
 * - A freed buffer goes back to the pool only when the batch that may still read it has been
 *   submitted: `queue.writeBuffer` (used by `write` and for uniforms) executes before any command
 *   that is recorded but not yet submitted.
 * - Uniform blocks get a fresh slot per dispatch for the same reason.
 * Elementwise fusion: unary, binary, compare, where and cast are not run when called. They return
 * a lazy buffer that records the op (core's `codegen.planFusion` decides what stays lazy); a
 * later elementwise op over lazy buffers extends the expression, and the whole chain runs as one
 * generated kernel (`kernels/fused.ts`) when its value is needed: by a read, or as the input of
 * any other kernel. A lazy buffer holds references to its inputs until it materializes or is
 * freed. Every other primitive records its own dispatch(es) right away.
 */
import {
  BackendUnavailableError,
  KerasError,
  Primitive,
  UnsupportedOpError,
  codegen,
  type Backend,
  type BackendMemory,
  type ConcreteValue,
  type DType,
  type DataId,
  type Params,
  type TensorInfo,
  type TypedArray,
} from "@webkeras/core";
import { BufferPool, bucketSize } from "./buffer_pool";
import { GpuData, type Dispatch, type GpuFeatures, type GpuInput, type KernelContext } from "./kernel";
import { fusedDispatch, fusedReader } from "./kernels/fused";
import { webgpuKernels } from "./kernels/index";

const STORAGE_USAGE = 0x80 | 0x04 | 0x08; // STORAGE | COPY_SRC | COPY_DST
const UNIFORM_USAGE = 0x40 | 0x08; // UNIFORM | COPY_DST
const MAP_READ_USAGE = 0x01 | 0x08; // MAP_READ | COPY_DST
const MAP_READ_MODE = 0x01;

/** Primitives whose kernel reads a lazy input through its fused expression (`GpuInput.fused`). */
const REDUCE = new Set<Primitive>([Primitive.Sum, Primitive.Prod, Primitive.Max, Primitive.Min]);

/** Dispatches recorded before a batch is submitted without being asked. */
const DISPATCHES_PER_BATCH = 48;

function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export interface WebGPUBackendOptions {
  /** Keep the object `device` came from alive (dawn.node frees its instance when it is collected). */
  gpu?: unknown;
  /** Fuse chains of elementwise ops into one kernel (default true; false runs each op alone). */
  fusion?: boolean;
  /** Use `subgroups` where the device has it (default true; false takes the portable paths). */
  subgroups?: boolean;
}

/** Caps on one fused kernel: bindings (one per distinct leaf, plus the output) and source size. */
function fusionLimits(device: GPUDevice): codegen.FusionLimits {
  return { maxOps: 64, maxLeaves: Math.min(12, device.limits.maxStorageBuffersPerShaderStage - 1) };
}

/**
 * @example
 * const adapter = await navigator.gpu.requestAdapter();
 * const device = await adapter.requestDevice();
 * const b = new WebGPUBackend(device, adapter);
 * const id = b.write(new Float32Array([1, 2]), [2], "float32");
 * await b.read(id); // Float32Array [1, 2]
 */
export class WebGPUBackend implements Backend {
  readonly name = "webgpu";
  readonly features: GpuFeatures;
  private pool: BufferPool;
  private uniformPool: BufferPool;
  private pipelines = new Map<string, GPUComputePipeline>();
  private layouts = new Map<string, GPUBindGroupLayout>();
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private dispatches = 0;
  /** Buffers to hand back to their pool once the current batch is submitted. */
  private pendingStorage: GPUBuffer[] = [];
  private pendingUniform: GPUBuffer[] = [];
  private live = new Set<GpuData>();
  private numBytes = 0;
  private disposed = false;
  private lostReason: string | null = null;
  private errors: string[] = [];
  /** Held only so that it lives as long as the device (see WebGPUBackendOptions.gpu). */
  readonly gpu: unknown;
  private ctx: KernelContext;
  private fusion: codegen.FusionLimits | null;

  constructor(
    readonly device: GPUDevice,
    adapter: GPUAdapter | null,
    opts: WebGPUBackendOptions = {},
  ) {
    this.gpu = opts.gpu;
    this.features = {
      subgroups: opts.subgroups !== false && device.features.has("subgroups"),
      shaderF16: device.features.has("shader-f16"),
      maxWorkgroupStorage: device.limits.maxComputeWorkgroupStorageSize,
    };
    void adapter;
    this.fusion = opts.fusion === false ? null : fusionLimits(device);
    this.pool = new BufferPool(device, STORAGE_USAGE);
    this.uniformPool = new BufferPool(device, UNIFORM_USAGE, { maxPerBucket: 4096, maxBytes: 16 << 20 });
    device.lost.then((info) => {
      if (!this.disposed) this.lostReason = `${info.reason ?? "unknown"}: ${info.message}`;
    });
    device.onuncapturederror = (ev) => {
      if (this.errors.length < 8) this.errors.push(ev.error.message);
    };
    this.ctx = {
      features: this.features,
      alloc: (spec) => this.alloc(spec.dtype, spec.shape),
      run: (d) => this.dispatch(d),
      fill: (dst, word, offset = 0, count) => this.fill(dst, word, offset, count),
      copy: (src, so, dst, dO, words) => this.copy(src, so, dst, dO, words),
      release: (d) => this.release(d),
    };
  }

  // --- state checks ------------------------------------------------------------------------

  private check(where: string): void {
    if (this.disposed)
      throw new KerasError(`webgpu backend: ${where}() called after dispose(). Received: backend=webgpu (disposed)`);
    if (this.lostReason !== null)
      throw new BackendUnavailableError(
        `webgpu backend: the GPU device was lost, so ${where}() cannot run; tensors on it are gone. Switch with \`await keras.setBackend("cpu")\` (or another backend) and recreate them. Received: ${this.lostReason}`,
      );
  }

  private data(dataId: DataId, where: string): GpuData {
    this.check(where);
    if (!(dataId instanceof GpuData))
      throw new KerasError(`webgpu backend: ${where}() got a buffer that this backend did not create. Received: ${String(dataId)}`);
    if (dataId.refCount <= 0)
      throw new KerasError(
        `webgpu backend: ${where}() got a buffer that was already freed (use after free). Received: refCount=${dataId.refCount}`,
      );
    return dataId;
  }

  /** A buffer's data with its value computed (a lazy one runs its fused kernel first). */
  private ready(dataId: DataId, where: string): GpuData {
    const d = this.data(dataId, where);
    this.materialize(d);
    return d;
  }

  // --- buffers -----------------------------------------------------------------------------

  private alloc(dtype: DType, shape: readonly number[]): GpuData {
    const bytes = sizeOf(shape) * 4;
    return this.track(new GpuData(this.pool.acquire(bytes), bytes, dtype, 1, [...shape]));
  }

  private track(d: GpuData): GpuData {
    this.live.add(d);
    this.numBytes += d.bytes;
    return d;
  }

  // --- fusion ------------------------------------------------------------------------------

  /** Records an elementwise op as a lazy buffer (see the file header and `codegen.planFusion`). */
  private lazy(prim: codegen.FusiblePrimitive, inputs: TensorInfo[], params: Params<Primitive>, out: ConcreteValue): GpuData {
    const ds = inputs.map((t) => this.data(t.dataId, "execute"));
    const plan = codegen.planFusion(ds, sizeOf(out.shape), this.fusion!, (d) => this.materialize(d));
    for (const d of new Set(ds)) d.refCount++;
    const node = { prim, params, inputs: inputs.map((t, i) => ({ data: ds[i]!, shape: [...t.shape], dtype: t.dtype })) };
    const d = new GpuData(null, sizeOf(out.shape) * 4, out.dtype, 1, [...out.shape], node);
    d.leaves = plan.leaves;
    d.ops = plan.ops;
    d.flat = plan.flat;
    return this.track(d);
  }

  /** Runs the fused kernel of a lazy buffer (no-op when materialized). */
  private materialize(d: GpuData): void {
    if (!d.node) return;
    d.buffer = this.pool.acquire(d.bytes);
    if (d.bytes > 0) this.dispatch(fusedDispatch(d, d, (x) => this.materialize(x)));
    this.dropNode(d);
  }

  /** Releases a lazy buffer's references to its inputs. */
  private dropNode(d: GpuData): void {
    const node = d.node;
    if (!node) return;
    d.node = null;
    for (const i of new Set(node.inputs.map((x) => x.data))) this.release(i);
  }

  private release(d: GpuData): void {
    if (--d.refCount > 0) return;
    this.live.delete(d);
    this.numBytes -= d.bytes;
    if (d.buffer) {
      this.pendingStorage.push(d.buffer);
      d.buffer = null;
    }
    this.dropNode(d);
    if (this.encoder === null) this.recyclePending();
  }

  write(values: TypedArray, shape: number[], dtype: DType): DataId {
    this.check("write");
    const n = sizeOf(shape);
    if (values.length !== n)
      throw new KerasError(
        `webgpu backend: write() got ${values.length} values for shape (${shape.join(", ")}) (${n} elements). Received: length=${values.length}`,
      );
    const d = this.alloc(dtype, shape);
    if (n > 0) {
      let words: Float32Array | Int32Array | Uint32Array;
      if (dtype === "float32") words = values instanceof Float32Array ? values : Float32Array.from(values);
      else if (dtype === "int32") words = values instanceof Int32Array ? values : Int32Array.from(values);
      else words = Uint32Array.from(values, (v) => (v !== 0 ? 1 : 0));
      this.device.queue.writeBuffer(d.buffer!, 0, words.buffer, words.byteOffset, n * 4);
    }
    return d;
  }

  async read(dataId: DataId): Promise<TypedArray> {
    const d = this.ready(dataId, "read");
    const n = d.bytes / 4;
    const dtype = d.dtype;
    if (n === 0) {
      return dtype === "float32" ? new Float32Array(0) : dtype === "int32" ? new Int32Array(0) : new Uint8Array(0);
    }
    const staging = this.device.createBuffer({ size: bucketSize(d.bytes), usage: MAP_READ_USAGE });
    this.endPass();
    this.encoderFor().copyBufferToBuffer(d.buffer!, 0, staging, 0, d.bytes);
    this.submit();
    try {
      await staging.mapAsync(MAP_READ_MODE, 0, d.bytes);
    } catch (err) {
      staging.destroy();
      this.check("read");
      throw err;
    }
    const bytes = staging.getMappedRange(0, d.bytes).slice(0);
    staging.unmap();
    staging.destroy();
    this.throwErrors("read");
    if (dtype === "float32") return new Float32Array(bytes);
    if (dtype === "int32") return new Int32Array(bytes);
    return Uint8Array.from(new Uint32Array(bytes), (v) => (v !== 0 ? 1 : 0));
  }

  /** Surfaces WebGPU validation errors (a bug in a generated kernel) at the next read. */
  private throwErrors(where: string): void {
    if (this.errors.length === 0) return;
    const msg = this.errors.join("\n");
    this.errors = [];
    throw new KerasError(`webgpu backend: the device reported an error before ${where}(). Received: ${msg}`);
  }

  incRef(dataId: DataId): void {
    this.data(dataId, "incRef").refCount++;
  }

  decRef(dataId: DataId): void {
    this.release(this.data(dataId, "decRef"));
  }

  private recyclePending(): void {
    for (const b of this.pendingStorage) this.pool.release(b);
    for (const b of this.pendingUniform) this.uniformPool.release(b);
    this.pendingStorage = [];
    this.pendingUniform = [];
  }

  // --- recording ---------------------------------------------------------------------------

  private encoderFor(): GPUCommandEncoder {
    if (!this.encoder) this.encoder = this.device.createCommandEncoder();
    return this.encoder;
  }

  private endPass(): void {
    if (this.pass) {
      this.pass.end();
      this.pass = null;
    }
  }

  /** Submits the recorded batch (if any) and recycles the buffers it was the last user of. */
  private submit(): void {
    this.endPass();
    if (this.encoder) {
      this.device.queue.submit([this.encoder.finish()]);
      this.encoder = null;
      this.dispatches = 0;
    }
    this.recyclePending();
  }

  private layoutFor(nUniform: number, nIn: number, nOut: number): GPUBindGroupLayout {
    const key = `${nUniform}:${nIn}:${nOut}`;
    let l = this.layouts.get(key);
    if (!l) {
      const entries: GPUBindGroupLayoutEntry[] = [];
      let b = 0;
      const COMPUTE = 0x4;
      for (let i = 0; i < nUniform; i++) entries.push({ binding: b++, visibility: COMPUTE, buffer: { type: "uniform" } });
      for (let i = 0; i < nIn; i++) entries.push({ binding: b++, visibility: COMPUTE, buffer: { type: "read-only-storage" } });
      for (let i = 0; i < nOut; i++) entries.push({ binding: b++, visibility: COMPUTE, buffer: { type: "storage" } });
      l = this.device.createBindGroupLayout({ entries });
      this.layouts.set(key, l);
    }
    return l;
  }

  private pipelineFor(source: string, layout: GPUBindGroupLayout): GPUComputePipeline {
    let p = this.pipelines.get(source);
    if (!p) {
      const module = this.device.createShaderModule({ code: source });
      p = this.device.createComputePipeline({
        layout: this.device.createPipelineLayout({ bindGroupLayouts: [layout] }),
        compute: { module, entryPoint: "main" },
      });
      this.pipelines.set(source, p);
    }
    return p;
  }

  private dispatch(d: Dispatch): void {
    const [x, y, z] = d.grid;
    if (x === 0 || y === 0 || z === 0) return;
    const hasU = d.uniforms !== undefined;
    const layout = this.layoutFor(hasU ? 1 : 0, d.inputs.length, d.outputs.length);
    const pipeline = this.pipelineFor(d.source, layout);
    const entries: GPUBindGroupEntry[] = [];
    let b = 0;
    if (hasU) {
      const words = Uint32Array.from(d.uniforms!, (v) => v >>> 0);
      const ub = this.uniformPool.acquire(Math.max(16, words.byteLength));
      this.device.queue.writeBuffer(ub, 0, words.buffer, 0, words.byteLength);
      this.pendingUniform.push(ub);
      entries.push({ binding: b++, resource: { buffer: ub, size: Math.max(16, Math.ceil(words.length / 4) * 16) } });
    }
    for (const t of [...d.inputs, ...d.outputs])
      entries.push({ binding: b++, resource: { buffer: t.buffer!, size: Math.max(4, t.bytes) } });
    const group = this.device.createBindGroup({ layout, entries });
    if (!this.pass) this.pass = this.encoderFor().beginComputePass();
    this.pass.setPipeline(pipeline);
    this.pass.setBindGroup(0, group);
    this.pass.dispatchWorkgroups(x, y, z);
    if (++this.dispatches >= DISPATCHES_PER_BATCH) this.submit();
  }

  private fill(dst: GpuData, word: number, offset = 0, count?: number): void {
    const n = count ?? dst.bytes / 4 - offset;
    if (n <= 0) return;
    if (word === 0) {
      this.endPass();
      this.encoderFor().clearBuffer(dst.buffer!, offset * 4, n * 4);
      return;
    }
    this.dispatch({
      source: FILL_SOURCE,
      inputs: [],
      outputs: [dst],
      uniforms: [n, offset, word >>> 0],
      grid: [Math.min(65535, Math.ceil(n / 256)), 1, 1],
    });
  }

  private copy(src: GpuData, srcOffset: number, dst: GpuData, dstOffset: number, words: number): void {
    if (words <= 0) return;
    this.endPass();
    this.encoderFor().copyBufferToBuffer(src.buffer!, srcOffset * 4, dst.buffer!, dstOffset * 4, words * 4);
  }

  // --- Backend interface -------------------------------------------------------------------

  execute<P extends Primitive>(prim: P, inputs: TensorInfo[], params: Params<P>, outputs: ConcreteValue[]): DataId[] {
    this.check("execute");
    if (prim === Primitive.Reshape) {
      // Row-major data is already laid out for any shape of the same size: share the buffer (a
      // lazy one too: the fused walk reads it under the new shape).
      const d = this.data(inputs[0]!.dataId, "execute");
      d.refCount++;
      return [d];
    }
    if (this.fusion && codegen.isFusible(prim)) return [this.lazy(prim, inputs, params as Params<Primitive>, outputs[0]!)];
    const ins: GpuInput[] = inputs.map((t, i) => {
      // A reduction reads each element once: a pending elementwise input that nothing else
      // fuses is evaluated inside it (no pass of its own) instead of being materialized.
      const d = this.data(t.dataId, "execute");
      if (i === 0 && REDUCE.has(prim) && this.fusion && codegen.isInlinable(d))
        return { data: d, shape: t.shape, dtype: t.dtype, fused: fusedReader(d, t.shape, (x) => this.materialize(x)) };
      return { data: this.ready(t.dataId, "execute"), shape: t.shape, dtype: t.dtype };
    });
    const kernel = webgpuKernels[prim] as unknown as
      | ((ctx: KernelContext, i: GpuInput[], p: Params<P>, o: ConcreteValue[]) => GpuData[])
      | undefined;
    if (!kernel) throw new UnsupportedOpError(`webgpu backend: no kernel for primitive "${prim}". Received: ${prim}`);
    return kernel(this.ctx, ins, params, outputs);
  }

  supports(prim: Primitive): boolean {
    return prim in webgpuKernels;
  }

  memory(): BackendMemory {
    let lazy = 0;
    for (const d of this.live) if (d.node) lazy++;
    return {
      numBuffers: this.live.size,
      lazyBuffers: lazy,
      numBytes: this.numBytes,
      pooledBytes: this.pool.pooledBytes,
      pooledBuffers: this.pool.pooledBuffers,
      pipelines: this.pipelines.size,
    };
  }

  async flush(): Promise<void> {
    this.check("flush");
    for (const d of [...this.live]) if (d.node && this.live.has(d)) this.materialize(d);
    this.submit();
    await this.device.queue.onSubmittedWorkDone();
    this.throwErrors("flush");
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.encoder = null;
    this.pass = null;
    for (const d of this.live) {
      d.refCount = 0;
      d.node = null;
      d.buffer?.destroy();
      d.buffer = null;
    }
    this.live.clear();
    for (const b of this.pendingStorage) b.destroy();
    for (const b of this.pendingUniform) b.destroy();
    this.pendingStorage = [];
    this.pendingUniform = [];
    this.pool.clear();
    this.uniformPool.clear();
    this.pipelines.clear();
    this.numBytes = 0;
    this.device.destroy();
  }
}

const FILL_SOURCE = `struct Meta { v: array<vec4<u32>, 1> }
@group(0) @binding(0) var<uniform> uni: Meta;
@group(0) @binding(1) var<storage, read_write> out: array<u32>;
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let n = uni.v[0].x;
  for (var i = gid.x; i < n; i += nwg.x * 256u) { out[uni.v[0].y + i] = uni.v[0].z; }
}`;
