/**
 * The WebGL2 backend: core's `Backend` interface over `GPGPU` (textures, programs, readback) and
 * the kernel table in `kernels/`.
 *
 * Fusion (planned by core's `codegen/fusion.ts`, shared with the WebGPU backend): elementwise
 * primitives (unary, binary, compare, where, cast) and BroadcastTo are not run when called. They return a lazy
 * buffer that records the op; a later elementwise op over lazy buffers extends the expression.
 * The expression is compiled into one program and run when its value is needed: a read, a
 * non-elementwise kernel taking it as input, or when it grows past `LIMITS` (ops, textures). A
 * lazy buffer that a second consumer fuses is materialized first, so shared sub-expressions are
 * computed once. Reshape shares its input's buffer (row-major data
 * is already laid out for any shape of the same size).
 *
 * Buffers are reference counted; a lazy buffer holds references to its inputs until it
 * materializes or is freed. Freed textures go back to a pool keyed by size and format.
 */
import {
  BackendUnavailableError,
  codegen,
  KerasError,
  Primitive,
  type Backend,
  type BackendMemory,
  type ConcreteValue,
  type DataId,
  type DType,
  type Params,
  type TensorInfo,
  type TypedArray,
} from "@webkeras/core";
import { GLData } from "./data";
import { createContext, GPGPU, type Tex } from "./gpgpu";
import { layoutFor, sizeOf, texKind } from "./glsl";
import { fusedProgram, fusedReader } from "./kernels/elementwise";
import { webglKernels } from "./kernels/index";
import { KernelContext, type TexInput } from "./kernels/kernel";
import { precisionProbe } from "./probe";

const fmt = (v: unknown): string => {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
};

/**
 * Caps on one fused program: 48 ops, and 12 textures read (WebGL2 guarantees 16 samplers; a
 * reduction reading a fused input adds its own).
 */
const LIMITS: codegen.FusionLimits = { maxOps: 48, maxLeaves: 12 };

export interface WebGLBackendOptions {
  /** An existing WebGL2 context (default: a new one on an OffscreenCanvas or canvas element). */
  gl?: WebGL2RenderingContext;
  canvas?: OffscreenCanvas | HTMLCanvasElement;
  /**
   * Caps the texture size below the device's MAX_TEXTURE_SIZE: tests use a small cap to run
   * every kernel on shapes that span many texture rows.
   */
  maxTextureSize?: number;
}

/** Kernels that read each input element about once, so pending inputs fuse into them. */
const READS_ONCE = new Set<Primitive>([Primitive.Sum, Primitive.Prod, Primitive.Max, Primitive.Min]);

/** What `info()` reports: the device, limits and start-up warnings. */
export interface WebGLBackendInfo {
  name: "webgl";
  renderer: string;
  maxTextureSize: number;
  maxTextureUnits: number;
  maxDrawBuffers: number;
  /** float32 render targets keep full precision (the start-up probe). */
  float32Exact: boolean;
  /** Empty when all is well; otherwise what the app should know (half-precision targets…). */
  warnings: string[];
}

/**
 * @example
 * import "@webkeras/backend-webgl";
 * await keras.setBackend("webgl");
 */
export class WebGLBackend implements Backend {
  readonly name = "webgl";
  readonly gpgpu: GPGPU;
  private readonly ctx: KernelContext;
  private readonly live = new Set<GLData>();
  private numBytes = 0;
  /** Textures replaced during the running kernel (see `input`), released when it returns. */
  private readonly deferred: Tex[] = [];
  private disposed = false;
  private readonly infoValue: WebGLBackendInfo;

  constructor(options: WebGLBackendOptions = {}) {
    let { gl, canvas } = options;
    if (!gl) ({ gl, canvas } = createContext());
    this.gpgpu = new GPGPU(gl, canvas, options.maxTextureSize);
    this.ctx = new KernelContext(this.gpgpu);
    const probe = precisionProbe(this.gpgpu);
    this.infoValue = {
      name: "webgl",
      renderer: this.gpgpu.renderer,
      maxTextureSize: this.gpgpu.maxTex,
      maxTextureUnits: this.gpgpu.maxSamplers,
      maxDrawBuffers: this.gpgpu.maxDrawBuffers,
      float32Exact: probe.exact,
      warnings: probe.exact ? [] : [probe.message],
    };
    if (!probe.exact) console.warn(`webkeras webgl: ${probe.message}`);
  }

  /** Device, limits and warnings (e.g. from the float32 precision probe). */
  info(): WebGLBackendInfo {
    return { ...this.infoValue, warnings: [...this.infoValue.warnings] };
  }

  private check(where: string): void {
    if (this.disposed) throw new KerasError(`webgl backend: ${where}() called after dispose(). Received: backend=webgl (disposed)`);
    this.gpgpu.check(where);
  }

  private data(id: DataId, where: string): GLData {
    this.check(where);
    if (!(id instanceof GLData))
      throw new KerasError(`webgl backend: ${where}() got a buffer that this backend did not create. Received: ${fmt(id)}`);
    if (id.refCount <= 0)
      throw new KerasError(`webgl backend: ${where}() got a buffer that was already freed (use after free). Received: refCount=${id.refCount}`);
    return id;
  }

  private track(d: GLData): GLData {
    this.live.add(d);
    this.numBytes += d.size * (d.dtype === "bool" ? 1 : 4);
    return d;
  }

  write(values: TypedArray, shape: number[], dtype: DType): DataId {
    this.check("write");
    const n = sizeOf(shape);
    if (values.length !== n)
      throw new KerasError(`webgl backend: write() got ${values.length} values for shape ${fmt(shape)} (${n} elements). Received: length=${values.length}`);
    const { W, H } = layoutFor(shape, this.gpgpu.maxTex);
    const tex = this.gpgpu.acquire(W, H, texKind(dtype));
    if (n > 0) {
      let v: Float32Array | Int32Array;
      if (dtype === "float32") v = values instanceof Float32Array ? values : Float32Array.from(values);
      else if (dtype === "bool") v = Int32Array.from(values, (x) => (x !== 0 ? 1 : 0));
      else v = values instanceof Int32Array ? values : Int32Array.from(values);
      this.gpgpu.upload(tex, v);
    }
    return this.track(new GLData(tex, null, [...shape], dtype, n));
  }

  private toHost(d: GLData, raw: Float32Array | Int32Array): TypedArray {
    if (d.dtype === "bool") return Uint8Array.from(raw, (x) => (x !== 0 ? 1 : 0));
    return raw;
  }

  async read(dataId: DataId): Promise<TypedArray> {
    const d = this.data(dataId, "read");
    this.materialize(d);
    if (this.materializeOnRead) this.materializeHeld();
    // readAsync issues readPixels into its pixel-pack buffer before it first awaits, so the
    // texture may be freed (and reused) while the fence is pending.
    const raw = await this.gpgpu.readAsync(d.tex!, d.size);
    return this.toHost(d, raw);
  }

  /**
   * Whether an async read first runs every pending result that something outside the pending
   * expressions holds (see `materializeHeld`).
   */
  materializeOnRead = true;

  /**
   * Runs the lazy buffers that something other than a pending expression references (a tensor
   * the app holds, such as updated weights), oldest first, so that their passes go in before the
   * read's fence. A training loop reads its loss and then its updated weights (or uses them in the
   * next step): they are then behind the first read's fence and the next read is direct, instead
   * of paying a second fence round trip (about 3 ms in Chromium) for one small pass. Buffers held
   * only by other pending expressions stay lazy (they fuse into their consumers).
   */
  private materializeHeld(): void {
    const fromNodes = new Map<GLData, number>();
    for (const d of this.live)
      if (d.node) for (const i of new Set(d.node.inputs.map((x) => x.data))) if (i.node) fromNodes.set(i, (fromNodes.get(i) ?? 0) + 1);
    for (const d of [...this.live]) if (d.node && this.live.has(d) && d.refCount > (fromNodes.get(d) ?? 0)) this.materialize(d);
  }

  /** Blocking read through `readPixels`; prefer `await t.data()` in pages. */
  readSync(dataId: DataId): TypedArray {
    const d = this.data(dataId, "readSync");
    this.materialize(d);
    return this.toHost(d, this.gpgpu.readSync(d.tex!, d.size));
  }

  incRef(dataId: DataId): void {
    this.data(dataId, "incRef").refCount++;
  }

  decRef(dataId: DataId): void {
    const d = this.data(dataId, "decRef");
    if (--d.refCount === 0) this.free(d);
  }

  private free(d: GLData): void {
    this.live.delete(d);
    this.numBytes -= d.size * (d.dtype === "bool" ? 1 : 4);
    if (d.tex) {
      this.gpgpu.release(d.tex);
      d.tex = null;
    }
    for (const t of d.derived.values()) this.gpgpu.release(t);
    d.derived.clear();
    this.dropNode(d);
  }

  /** Releases a lazy buffer's references to its inputs. */
  private dropNode(d: GLData): void {
    const node = d.node;
    if (!node) return;
    d.node = null;
    for (const i of new Set(node.inputs.map((x) => x.data))) if (--i.refCount === 0) this.free(i);
  }

  /** Runs the fused program of a lazy buffer (no-op when materialized). */
  private materialize(d: GLData): void {
    if (!d.node) return;
    const { W, H } = layoutFor(d.shape, this.gpgpu.maxTex);
    const tex = this.gpgpu.acquire(W, H, texKind(d.dtype));
    if (d.size > 0) {
      const { source, textures } = fusedProgram(d, tex, (x) => this.materialize(x));
      this.ctx.run(source, textures, [tex]);
    }
    d.tex = tex;
    this.dropNode(d);
  }

  /** A materialized view of an input for a kernel. */
  private input(t: TensorInfo): TexInput {
    const d = this.data(t.dataId, "execute");
    this.materialize(d);
    const owner = {
      relayout: (tex: Tex) => {
        // Released after the kernel: other inputs of this kernel may still read the old texture.
        this.deferred.push(d.tex!);
        d.tex = tex;
      },
      derived: d.derived,
    };
    return { tex: d.tex!, shape: t.shape, dtype: t.dtype, owner };
  }

  execute<P extends Primitive>(prim: P, inputs: TensorInfo[], params: Params<P>, outputs: ConcreteValue[]): DataId[] {
    this.check("execute");
    if (prim === Primitive.Reshape) {
      const d = this.data(inputs[0]!.dataId, "execute");
      d.refCount++;
      return [d];
    }
    if (codegen.isFusible(prim) || codegen.isFusibleView(prim)) return [this.lazy(prim, inputs, params, outputs[0]!)];
    const kernel = webglKernels[prim] as unknown as (...a: unknown[]) => Tex[];
    const ins = inputs.map((t) => (READS_ONCE.has(prim) ? this.inputOrReader(t) : this.input(t)));
    const texs = kernel(this.ctx, ins, params, outputs);
    for (const t of this.deferred.splice(0)) this.gpgpu.release(t);
    return texs.map((tex, i) => this.track(new GLData(tex, null, [...outputs[i]!.shape], outputs[i]!.dtype, sizeOf(outputs[i]!.shape))));
  }

  /**
   * For kernels that read each element about once: a pending elementwise input is read through
   * its fused expression (no pass of its own) unless something else already consumes it.
   */
  private inputOrReader(t: TensorInfo): TexInput {
    const d = this.data(t.dataId, "execute");
    if (!codegen.isInlinable(d)) return this.input(t);
    const materialize = (x: GLData) => this.materialize(x);
    // `tex` is never read for a reader input (the map templates use `reader`).
    return { tex: null as unknown as Tex, shape: t.shape, dtype: t.dtype, reader: (name, vec) => fusedReader(d, t.shape, name, materialize, vec) };
  }

  /** Records an elementwise op as a lazy buffer (see the file header and `codegen.planFusion`). */
  private lazy(prim: codegen.LazyPrimitive, inputs: TensorInfo[], params: Params<Primitive>, out: ConcreteValue): GLData {
    const size = sizeOf(out.shape);
    const ds = inputs.map((t) => this.data(t.dataId, "execute"));
    const plan = codegen.planFusion(ds, size, LIMITS, (d) => this.materialize(d));
    for (const d of new Set(ds)) d.refCount++;
    const node = { prim, params, inputs: inputs.map((t, i) => ({ data: ds[i]!, shape: [...t.shape], dtype: t.dtype })) };
    return this.track(new GLData(null, node, [...out.shape], out.dtype, size, plan.leaves, plan.ops, plan.flat));
  }

  supports(prim: Primitive): boolean {
    this.check("supports");
    return prim in webglKernels;
  }

  memory(): BackendMemory {
    this.check("memory");
    let lazy = 0;
    for (const d of this.live) if (d.node) lazy++;
    return {
      numBuffers: this.live.size,
      numBytes: this.numBytes,
      lazyBuffers: lazy,
      numTextures: this.gpgpu.liveTextures,
      textureBytes: this.gpgpu.liveTextureBytes,
      ...this.gpgpu.poolInfo(),
      programs: this.gpgpu.programCount,
    };
  }

  /** Materializes every lazy buffer and waits for the GPU to finish. */
  async flush(): Promise<void> {
    this.check("flush");
    for (const d of [...this.live]) if (d.node && this.live.has(d)) this.materialize(d);
    await this.gpgpu.finish();
  }

  dispose(): void {
    if (this.disposed) return;
    for (const d of this.live) {
      d.refCount = 0;
      d.node = null;
      if (d.tex) this.gpgpu.release(d.tex);
      d.tex = null;
      for (const t of d.derived.values()) this.gpgpu.release(t);
      d.derived.clear();
    }
    this.live.clear();
    this.numBytes = 0;
    this.gpgpu.dispose();
    this.disposed = true;
  }
}

/** Creates the backend, or throws `BackendUnavailableError` when WebGL2 cannot run here. */
export function createWebGLBackend(options: WebGLBackendOptions = {}): WebGLBackend {
  try {
    return new WebGLBackend(options);
  } catch (e) {
    if (e instanceof BackendUnavailableError || (e as Error).name === "BackendUnavailableError") throw e;
    throw new BackendUnavailableError(`webgl backend: start-up failed: ${(e as Error).message}. Received: ${(e as Error).name}`);
  }
}
