/**
 * WebGL2 plumbing for general-purpose compute: the context and its required extension, textures
 * (RGBA32F for float32, RGBA32I for int32 and bool) and their pool, programs compiled from
 * generated fragment shaders (cached by source), one full-screen draw per kernel pass (with
 * multiple render targets for register-blocked kernels), and readback, synchronous or fenced.
 *
 * Nothing here knows about tensors or primitives: `webgl_backend.ts` and `kernels/` do.
 */
import { BackendUnavailableError, KerasError } from "@webkeras/core";

/** Texel format: `f` = RGBA32F, `i` = RGBA32I (int32 and bool). */
export type TexKind = "f" | "i";

/** A 2-d texture of W x H texels of four 32-bit values each. */
export interface Tex {
  texture: WebGLTexture;
  /** Unique per texture (keys the framebuffer cache). */
  id: number;
  W: number;
  H: number;
  kind: TexKind;
  bytes: number;
}

/** A compiled kernel program and the locations of its samplers, in binding order. */
export interface Program {
  program: WebGLProgram;
  samplers: (WebGLUniformLocation | null)[];
  /** Number of `out` variables (render targets). */
  outputs: number;
}

const VERTEX = `#version 300 es
in vec2 pos;
void main() { gl_Position = vec4(pos, 0.0, 1.0); }`;

/** Texture pool caps: textures kept for reuse beyond these are deleted. */
const POOL_MAX_BYTES = 256 * 1024 * 1024;
const POOL_MAX_PER_KEY = 16;
/** Framebuffers kept (one per distinct set of render targets; see `GPGPU.framebuffer`). */
const MAX_FRAMEBUFFERS = 256;
/** Work (simple fragments, see `draw`) drawn between flushes of the command stream to the GPU process. */
const FLUSH_TEXELS = 4096;

/** Where the backend's context lives: an OffscreenCanvas where there is one, else a canvas element. */
function makeCanvas(): OffscreenCanvas | HTMLCanvasElement | null {
  const g = globalThis as { OffscreenCanvas?: typeof OffscreenCanvas; document?: Document };
  if (typeof g.OffscreenCanvas === "function") return new g.OffscreenCanvas(1, 1);
  if (g.document?.createElement) return g.document.createElement("canvas");
  return null;
}

/**
 * Creates a WebGL2 context fit for float compute, or throws `BackendUnavailableError` naming what
 * is missing (so `setBackend("auto")` moves on to the next backend).
 */
export function createContext(): { gl: WebGL2RenderingContext; canvas: OffscreenCanvas | HTMLCanvasElement } {
  const canvas = makeCanvas();
  if (!canvas)
    throw new BackendUnavailableError(
      "webgl backend: no OffscreenCanvas or document here, so no WebGL2 context can be made. Received: environment without a canvas",
    );
  const attrs: WebGLContextAttributes = {
    alpha: false,
    antialias: false,
    depth: false,
    stencil: false,
    premultipliedAlpha: false,
    preserveDrawingBuffer: false,
    powerPreference: "high-performance",
    failIfMajorPerformanceCaveat: false,
  };
  const gl = (canvas as OffscreenCanvas).getContext("webgl2", attrs) as WebGL2RenderingContext | null;
  if (!gl)
    throw new BackendUnavailableError(
      "webgl backend: this browser gave no WebGL2 context (WebGL2 disabled or unsupported). Received: getContext('webgl2') = null",
    );
  if (!gl.getExtension("EXT_color_buffer_float"))
    throw new BackendUnavailableError(
      "webgl backend: the WebGL2 context lacks the extension EXT_color_buffer_float, needed to render float32 results. Received: EXT_color_buffer_float unsupported",
    );
  return { gl, canvas };
}

let channel: MessageChannel | null = null;
const waiting: (() => void)[] = [];

/** Resolves in a new task, without the clamping of nested timers (a MessageChannel hop). */
function nextTask(): Promise<void> {
  if (typeof MessageChannel !== "function") return new Promise((r) => setTimeout(r, 0));
  if (!channel) {
    channel = new MessageChannel();
    channel.port1.onmessage = () => waiting.shift()?.();
  }
  return new Promise((r) => {
    waiting.push(r);
    channel!.port2.postMessage(0);
  });
}

export class GPGPU {
  readonly maxTex: number;
  readonly maxSamplers: number;
  readonly maxDrawBuffers: number;
  readonly renderer: string;
  /** Set when the context is lost; every later call throws. */
  lostReason: string | null = null;
  private readonly vao: WebGLVertexArrayObject;
  private readonly programs = new Map<string, Program>();
  private readonly pool = new Map<string, Tex[]>();
  private pooledBytes = 0;
  private pooledCount = 0;
  /** Textures handed out and not yet released. */
  liveTextures = 0;
  liveTextureBytes = 0;
  /** Counters for tests and diagnostics. */
  stats = { draws: 0, blits: 0, compiles: 0, texturesCreated: 0 };

  constructor(
    readonly gl: WebGL2RenderingContext,
    canvas?: OffscreenCanvas | HTMLCanvasElement,
    maxTextureSize?: number,
  ) {
    this.maxTex = Math.min(gl.getParameter(gl.MAX_TEXTURE_SIZE) as number, maxTextureSize ?? Infinity);
    this.maxSamplers = gl.getParameter(gl.MAX_TEXTURE_IMAGE_UNITS) as number;
    this.maxDrawBuffers = gl.getParameter(gl.MAX_DRAW_BUFFERS) as number;
    this.renderer = String(gl.getParameter(gl.RENDERER));
    canvas?.addEventListener("webglcontextlost", (ev) => {
      ev.preventDefault();
      this.lostReason = "the WebGL context was lost (GPU reset, driver update or too many contexts)";
    });
    const vbo = gl.createBuffer();
    this.vao = gl.createVertexArray()!;
    gl.bindVertexArray(this.vao);
    gl.bindBuffer(gl.ARRAY_BUFFER, vbo);
    gl.bufferData(gl.ARRAY_BUFFER, new Float32Array([-1, -1, 1, -1, -1, 1, 1, 1]), gl.STATIC_DRAW);
    gl.enableVertexAttribArray(0);
    gl.vertexAttribPointer(0, 2, gl.FLOAT, false, 0, 0);
    gl.disable(gl.DEPTH_TEST);
    gl.disable(gl.BLEND);
    gl.disable(gl.DITHER);
    gl.pixelStorei(gl.UNPACK_ALIGNMENT, 1);
    gl.pixelStorei(gl.PACK_ALIGNMENT, 1);
  }

  /** Throws a clear error once the context is gone: the app can switch backend and go on. */
  check(where: string): void {
    if (this.lostReason === null && this.gl.isContextLost()) this.lostReason = "the WebGL context was lost";
    if (this.lostReason)
      throw new KerasError(
        `webgl backend: ${where}() failed: ${this.lostReason}. Tensors on this backend are gone; switch backend (await keras.setBackend("cpu")) and recompute. Received: context lost`,
      );
  }

  // -------------------------------------------------------------------------------------------
  // Textures

  /** A texture of W x H texels, from the pool when one of that size and format is free. */
  acquire(W: number, H: number, kind: TexKind): Tex {
    const key = `${kind}${W}x${H}`;
    const list = this.pool.get(key);
    let t = list?.pop();
    if (t) {
      this.pooledBytes -= t.bytes;
      this.pooledCount--;
    } else {
      const gl = this.gl;
      const texture = gl.createTexture()!;
      gl.bindTexture(gl.TEXTURE_2D, texture);
      this.units[this.active] = texture;
      gl.texStorage2D(gl.TEXTURE_2D, 1, kind === "f" ? gl.RGBA32F : gl.RGBA32I, W, H);
      gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.NEAREST);
      gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.NEAREST);
      gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE);
      gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE);
      t = { texture, id: this.nextTexId++, W, H, kind, bytes: W * H * 16 };
      this.stats.texturesCreated++;
    }
    this.liveTextures++;
    this.liveTextureBytes += t.bytes;
    return t;
  }

  /** Returns a texture to the pool (deleted when the pool is full). */
  release(t: Tex): void {
    this.liveTextures--;
    this.liveTextureBytes -= t.bytes;
    const key = `${t.kind}${t.W}x${t.H}`;
    let list = this.pool.get(key);
    if (!list) {
      list = [];
      this.pool.set(key, list);
    }
    if (this.lostReason || list.length >= POOL_MAX_PER_KEY || this.pooledBytes + t.bytes > POOL_MAX_BYTES) {
      if (!this.lostReason) {
        this.forget(t.texture);
        this.gl.deleteTexture(t.texture);
      }
      return;
    }
    list.push(t);
    this.pooledBytes += t.bytes;
    this.pooledCount++;
  }

  /** Pool figures for `memory()`. */
  poolInfo(): { pooledTextures: number; pooledBytes: number } {
    return { pooledTextures: this.pooledCount, pooledBytes: this.pooledBytes };
  }

  /** Writes `values` (at most W * H * 4 of them, row-major over texels) into `t`. */
  upload(t: Tex, values: Float32Array | Int32Array): void {
    const gl = this.gl;
    const full = t.W * t.H * 4;
    let data = values;
    if (values.length !== full) {
      data = t.kind === "f" ? new Float32Array(full) : new Int32Array(full);
      data.set(values);
    }
    gl.bindTexture(gl.TEXTURE_2D, t.texture);
    this.units[this.active] = t.texture;
    if (t.kind === "f") gl.texSubImage2D(gl.TEXTURE_2D, 0, 0, 0, t.W, t.H, gl.RGBA, gl.FLOAT, data);
    else gl.texSubImage2D(gl.TEXTURE_2D, 0, 0, 0, t.W, t.H, gl.RGBA_INTEGER, gl.INT, data);
  }

  // -------------------------------------------------------------------------------------------
  // Programs

  /**
   * Compiles (once per distinct source) a fragment shader whose samplers are `samplers` (names,
   * or a count n for x0 .. x{n-1}), bound in that order by `draw`.
   */
  program(source: string, samplers: number | string[], outputs = 1): Program {
    const hit = this.programs.get(source);
    if (hit) return hit;
    const gl = this.gl;
    const compile = (type: number, src: string): WebGLShader => {
      const sh = gl.createShader(type)!;
      gl.shaderSource(sh, src);
      gl.compileShader(sh);
      if (!gl.getShaderParameter(sh, gl.COMPILE_STATUS) && !gl.isContextLost()) {
        const log = gl.getShaderInfoLog(sh);
        const numbered = src
          .split("\n")
          .map((l, i) => `${String(i + 1).padStart(4)}  ${l}`)
          .join("\n");
        throw new KerasError(`webgl backend: a generated shader did not compile: ${log}\n${numbered}\nReceived: compile error`);
      }
      return sh;
    };
    const vs = compile(gl.VERTEX_SHADER, VERTEX);
    const fs = compile(gl.FRAGMENT_SHADER, source);
    const program = gl.createProgram()!;
    gl.attachShader(program, vs);
    gl.attachShader(program, fs);
    gl.bindAttribLocation(program, 0, "pos");
    gl.linkProgram(program);
    if (!gl.getProgramParameter(program, gl.LINK_STATUS) && !gl.isContextLost())
      throw new KerasError(`webgl backend: a generated program did not link: ${gl.getProgramInfoLog(program)}. Received: link error`);
    gl.deleteShader(vs);
    gl.deleteShader(fs);
    const names = typeof samplers === "number" ? Array.from({ length: samplers }, (_, i) => `x${i}`) : samplers;
    const p: Program = { program, samplers: names.map((n) => gl.getUniformLocation(program, n)), outputs };
    // Sampler i always reads texture unit i: set once here, not per draw.
    gl.useProgram(program);
    this.current = p;
    p.samplers.forEach((loc, i) => gl.uniform1i(loc, i));
    this.programs.set(source, p);
    this.stats.compiles++;
    return p;
  }

  get programCount(): number {
    return this.programs.size;
  }

  /**
   * Runs `prog` over the rectangle (W x H of the first output, or `size`): one fragment per
   * output texel, inputs bound to samplers x0, x1, ... in order, outputs to render targets.
   * `work`: the pass's cost in units of a simple fragment (default: the fragments), for when to
   * flush.
   *
   * GL state is cached and only changed calls are made (program, attachments, draw buffers,
   * viewport, texture units): each WebGL call costs microseconds of validation and command
   * encoding, about 50 us per draw before. Inputs stay bound after the draw: a texture bound to a
   * unit that the next program does not sample cannot form a feedback loop, and the units it
   * samples are rebound to its inputs, which are never its outputs.
   */
  draw(prog: Program, inputs: Tex[], outputs: Tex[], size?: [number, number], work?: number): void {
    const gl = this.gl;
    if (this.current !== prog) {
      gl.useProgram(prog.program);
      this.current = prog;
    }
    this.attach(outputs);
    for (let i = 0; i < inputs.length; i++) {
      const tex = inputs[i]!.texture;
      if (this.units[i] === tex) continue;
      if (this.active !== i) gl.activeTexture(gl.TEXTURE0 + (this.active = i));
      gl.bindTexture(gl.TEXTURE_2D, tex);
      this.units[i] = tex;
    }
    const [w, h] = size ?? [outputs[0]!.W, outputs[0]!.H];
    if (w !== this.vw || h !== this.vh) {
      gl.viewport(0, 0, w, h);
      this.vw = w;
      this.vh = h;
    }
    gl.drawArrays(gl.TRIANGLE_STRIP, 0, 4);
    this.stats.draws++;
    this.issued.passes++;
    this.issued.work += work ?? w * h;
    // Hand work to the GPU process as it is recorded, so it runs while JS records the rest
    // rather than all at the next read.
    this.pending += work ?? w * h;
    if (this.pending >= this.flushTexels) {
      gl.flush();
      this.pending = 0;
    }
  }
  /**
   * Passes (draws and blits) issued, and those known finished (a signalled fence or a blocking
   * read after them), with their work (see `draw`): what the GPU may still be working on.
   */
  private readonly issued = { passes: 0, work: 0 };
  private readonly completed = { passes: 0, work: 0 };
  private done(mark: { passes: number; work: number }): void {
    this.completed.passes = Math.max(this.completed.passes, mark.passes);
    this.completed.work = Math.max(this.completed.work, mark.work);
  }
  /**
   * `readAsync` reads directly (`readPixels` into client memory) when at most this much work is
   * unfinished. The default, nothing unfinished (every pass is behind a signalled fence or a
   * blocking read), never waits on the GPU, as the issue asks of `data()`. An app that prefers
   * latency may allow a bounded stall, e.g. `{ passes: 4, work: 16384 }`: Chromium's fence round
   * trip takes about 3 ms even on an idle GPU (its GPU process checks fences on a timer) where a
   * blocking read of a few small passes measured 0.4 ms, which made the bench's MLP training step
   * about 1.16x faster. `work` counts simple fragments (a matmul pass counts its multiply-adds).
   */
  directRead = { passes: 0, work: 0 };
  /** Fence polls through task hops before polling every millisecond (see `waitSync`); a field so diagnostics can vary it. */
  fastPolls = 1;
  /** Work (simple fragments) drawn between flushes (`FLUSH_TEXELS`; a field so diagnostics can vary it). */
  flushTexels = FLUSH_TEXELS;
  /** Cached GL state (see `draw`). */
  private current: Program | null = null;
  private readonly units: (WebGLTexture | null)[] = [];
  /** The active texture unit (acquire and upload bind there too). */
  private active = 0;
  private vw = -1;
  private vh = -1;
  private pending = 0;
  private nextTexId = 1;
  /**
   * One framebuffer per distinct list of render targets, keyed by texture ids, in least recently
   * made order: attachments and draw buffers are set once, and a pass only binds (re-attaching
   * 1-8 textures per pass cost more JavaScript time than the draw call). Pooled textures come
   * back in the same order every training step, so the same framebuffers serve every step.
   */
  private readonly framebuffers = new Map<string, { fb: WebGLFramebuffer; textures: WebGLTexture[] }>();
  private drawFb: WebGLFramebuffer | null = null;
  private readFb: WebGLFramebuffer | null = null;

  /** Framebuffers cached now (tests). */
  get framebufferCount(): number {
    return this.framebuffers.size;
  }

  /** The framebuffer whose color attachments 0.. (and draw buffers) are `targets`. */
  private framebuffer(targets: Tex[]): WebGLFramebuffer {
    const key = targets.length === 1 ? `${targets[0]!.id}` : targets.map((t) => t.id).join(",");
    const hit = this.framebuffers.get(key);
    if (hit) return hit.fb;
    const gl = this.gl;
    if (this.framebuffers.size >= MAX_FRAMEBUFFERS) this.dropFramebuffer(this.framebuffers.keys().next().value!);
    const fb = gl.createFramebuffer()!;
    gl.bindFramebuffer(gl.DRAW_FRAMEBUFFER, fb);
    targets.forEach((t, i) => gl.framebufferTexture2D(gl.DRAW_FRAMEBUFFER, gl.COLOR_ATTACHMENT0 + i, gl.TEXTURE_2D, t.texture, 0));
    if (targets.length > 1) gl.drawBuffers(targets.map((_, i) => gl.COLOR_ATTACHMENT0 + i));
    gl.bindFramebuffer(gl.DRAW_FRAMEBUFFER, this.drawFb);
    this.framebuffers.set(key, { fb, textures: targets.map((t) => t.texture) });
    return fb;
  }

  private dropFramebuffer(key: string): void {
    const e = this.framebuffers.get(key)!;
    this.framebuffers.delete(key);
    // Deleting a bound framebuffer unbinds it.
    if (this.drawFb === e.fb) this.drawFb = null;
    if (this.readFb === e.fb) this.readFb = null;
    this.gl.deleteFramebuffer(e.fb);
  }

  /** Binds the framebuffer with exactly `outputs` as color attachments 0.. and draw buffers. */
  private attach(outputs: Tex[]): void {
    const gl = this.gl;
    const fb = this.framebuffer(outputs);
    // A texture that is now a render target must not stay bound for sampling.
    for (const t of outputs) {
      const u = this.units.indexOf(t.texture);
      if (u >= 0) {
        if (this.active !== u) gl.activeTexture(gl.TEXTURE0 + (this.active = u));
        gl.bindTexture(gl.TEXTURE_2D, null);
        this.units[u] = null;
      }
    }
    if (this.drawFb !== fb) gl.bindFramebuffer(gl.DRAW_FRAMEBUFFER, (this.drawFb = fb));
  }

  /** Binds the framebuffer of `t` for reading (color attachment 0, the default read buffer). */
  private attachRead(t: Tex): void {
    const fb = this.framebuffer([t]);
    if (this.readFb !== fb) this.gl.bindFramebuffer(this.gl.READ_FRAMEBUFFER, (this.readFb = fb));
  }

  /** Forgets a texture in the cached state, with the framebuffers it is attached to (it is being deleted). */
  private forget(tex: WebGLTexture): void {
    for (let i = 0; i < this.units.length; i++) if (this.units[i] === tex) this.units[i] = null;
    for (const [key, e] of [...this.framebuffers]) if (e.textures.includes(tex)) this.dropFramebuffer(key);
  }

  /** Copies the w x h texels at (0, 0) of `src` to (x, y) of `dst` (same format), no shader. */
  blit(src: Tex, dst: Tex, w: number, h: number, x: number, y: number): void {
    const gl = this.gl;
    this.attach([dst]);
    this.attachRead(src);
    gl.blitFramebuffer(0, 0, w, h, x, y, x + w, y + h, gl.COLOR_BUFFER_BIT, gl.NEAREST);
    this.stats.blits++;
    this.issued.passes++;
    this.issued.work += w * h;
  }

  // -------------------------------------------------------------------------------------------
  // Readback

  private bindForRead(t: Tex): void {
    this.attachRead(t);
    this.pending = 0;
  }

  private rows(t: Tex, n: number): number {
    return Math.min(t.H, Math.max(1, Math.ceil(Math.ceil(n / 4) / t.W)));
  }

  /** Blocking read of the first `n` values (`readPixels` waits for the GPU). */
  readSync(t: Tex, n: number): Float32Array | Int32Array {
    const gl = this.gl;
    this.bindForRead(t);
    const h = this.rows(t, n);
    const out = t.kind === "f" ? new Float32Array(t.W * h * 4) : new Int32Array(t.W * h * 4);
    if (t.kind === "f") gl.readPixels(0, 0, t.W, h, gl.RGBA, gl.FLOAT, out);
    else gl.readPixels(0, 0, t.W, h, gl.RGBA_INTEGER, gl.INT, out);
    this.done(this.issued);
    return out.length === n ? out : out.slice(0, n);
  }

  /**
   * Non-blocking read: `readPixels` into a pixel-pack buffer, a fence, then polling the fence
   * from timers until the GPU has written the buffer, so the page never stalls on the GPU.
   */
  async readAsync(t: Tex, n: number): Promise<Float32Array | Int32Array> {
    const gl = this.gl;
    const pending = { passes: this.issued.passes - this.completed.passes, work: this.issued.work - this.completed.work };
    if (pending.passes <= this.directRead.passes && pending.work <= this.directRead.work) return this.readSync(t, n);
    const mark = { ...this.issued };
    this.bindForRead(t);
    const h = this.rows(t, n);
    const bytes = t.W * h * 16;
    // A new buffer per read: reusing the last read's buffer of that size measured 5-8% slower
    // on the bench's MLP step (paired runs; Chromium seems to wait on its earlier use).
    const buf = gl.createBuffer()!;
    gl.bindBuffer(gl.PIXEL_PACK_BUFFER, buf);
    gl.bufferData(gl.PIXEL_PACK_BUFFER, bytes, gl.STREAM_READ);
    if (t.kind === "f") gl.readPixels(0, 0, t.W, h, gl.RGBA, gl.FLOAT, 0);
    else gl.readPixels(0, 0, t.W, h, gl.RGBA_INTEGER, gl.INT, 0);
    gl.bindBuffer(gl.PIXEL_PACK_BUFFER, null);
    const sync = gl.fenceSync(gl.SYNC_GPU_COMMANDS_COMPLETE, 0)!;
    gl.flush();
    try {
      await this.waitSync(sync);
      this.check("read");
      this.done(mark);
      const out = t.kind === "f" ? new Float32Array(n) : new Int32Array(n);
      gl.bindBuffer(gl.PIXEL_PACK_BUFFER, buf);
      if (n > 0) gl.getBufferSubData(gl.PIXEL_PACK_BUFFER, 0, out, 0, n);
      gl.bindBuffer(gl.PIXEL_PACK_BUFFER, null);
      return out;
    } finally {
      if (!gl.isContextLost()) {
        gl.deleteSync(sync);
        gl.deleteBuffer(buf);
      }
    }
  }

  /**
   * Resolves once `sync` is signalled, polling between tasks so the page never blocks: first
   * through a MessageChannel (a task hop of tens of microseconds; `fastPolls` of them), then
   * every millisecond. Plain `setTimeout(0)` chains are clamped to 4 ms by browsers, which
   * measured as 4.5 ms of latency per read here, more than many kernels take. Few fast polls:
   * where the GPU is emulated on the CPU (SwiftShader), a page that keeps polling takes CPU from
   * the GPU's threads; one hop and then 1 ms timers measured 2-5% faster training steps than 64
   * hops, and polling by hops only 2.7x slower.
   */
  private async waitSync(sync: WebGLSync): Promise<void> {
    const gl = this.gl;
    for (let i = 0; ; i++) {
      this.check("read");
      const s = gl.clientWaitSync(sync, 0, 0);
      if (s === gl.ALREADY_SIGNALED || s === gl.CONDITION_SATISFIED) return;
      if (s === gl.WAIT_FAILED) throw new KerasError("webgl backend: read() failed: clientWaitSync returned WAIT_FAILED. Received: WAIT_FAILED");
      await (i < this.fastPolls ? nextTask() : nextTask().then(() => new Promise((r) => setTimeout(r, 1))));
    }
  }

  /** Waits for all submitted work (a fence, polled like a read). */
  async finish(): Promise<void> {
    const gl = this.gl;
    const mark = { ...this.issued };
    const sync = gl.fenceSync(gl.SYNC_GPU_COMMANDS_COMPLETE, 0)!;
    gl.flush();
    try {
      await this.waitSync(sync);
      this.done(mark);
    } finally {
      if (!gl.isContextLost()) gl.deleteSync(sync);
    }
  }

  dispose(): void {
    const gl = this.gl;
    if (!gl.isContextLost()) {
      for (const list of this.pool.values()) for (const t of list) gl.deleteTexture(t.texture);
      for (const p of this.programs.values()) gl.deleteProgram(p.program);
      for (const e of this.framebuffers.values()) gl.deleteFramebuffer(e.fb);
      gl.deleteVertexArray(this.vao);
    }
    this.pool.clear();
    this.programs.clear();
    this.framebuffers.clear();
    this.pooledBytes = 0;
    this.pooledCount = 0;
  }
}
