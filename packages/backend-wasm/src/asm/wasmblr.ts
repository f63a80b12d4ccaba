/**
 * A tiny WebAssembly assembler: builds a module (one imported memory, functions, exports) from
 * stack-machine instructions emitted by TypeScript, so the backend needs no C or AssemblyScript
 * toolchain and can specialise kernels at run time (relaxed SIMD or not, register-block sizes).
 *
 * It is deliberately small: only the instructions the kernel generators use, structured control
 * flow with named labels instead of raw branch depths, and no validation beyond what
 * `WebAssembly.Module` does (an invalid body fails there with the engine's message).
 * The idea and the name follow jax-js' `src/backend/wasm/wasmblr.ts`; opcodes are from the core
 * and SIMD specs (https://webassembly.github.io/spec/core/binary/instructions.html,
 * https://github.com/WebAssembly/relaxed-simd/blob/main/proposals/relaxed-simd/Overview.md).
 */

/** Value types (their binary encodings). */
export const enum T {
  i32 = 0x7f,
  i64 = 0x7e,
  f32 = 0x7d,
  f64 = 0x7c,
  v128 = 0x7b,
}

/** Single-byte opcodes used by the generators. */
export const enum Op {
  unreachable = 0x00,
  nop = 0x01,
  return_ = 0x0f,
  drop = 0x1a,
  select = 0x1b,
  i32_eqz = 0x45,
  i32_eq = 0x46,
  i32_ne = 0x47,
  i32_lt_s = 0x48,
  i32_lt_u = 0x49,
  i32_gt_s = 0x4a,
  i32_gt_u = 0x4b,
  i32_le_s = 0x4c,
  i32_le_u = 0x4d,
  i32_ge_s = 0x4e,
  i32_ge_u = 0x4f,
  f32_eq = 0x5b,
  f32_ne = 0x5c,
  f32_lt = 0x5d,
  f32_gt = 0x5e,
  f32_le = 0x5f,
  f32_ge = 0x60,
  i32_add = 0x6a,
  i32_sub = 0x6b,
  i32_mul = 0x6c,
  i32_div_s = 0x6d,
  i32_div_u = 0x6e,
  i32_rem_s = 0x6f,
  i32_rem_u = 0x70,
  i32_and = 0x71,
  i32_or = 0x72,
  i32_xor = 0x73,
  i32_shl = 0x74,
  i32_shr_s = 0x75,
  i32_shr_u = 0x76,
  f32_abs = 0x8b,
  f32_neg = 0x8c,
  f32_ceil = 0x8d,
  f32_floor = 0x8e,
  f32_trunc = 0x8f,
  f32_nearest = 0x90,
  f32_sqrt = 0x91,
  f32_add = 0x92,
  f32_sub = 0x93,
  f32_mul = 0x94,
  f32_div = 0x95,
  f32_min = 0x96,
  f32_max = 0x97,
  f32_copysign = 0x98,
  f64_add = 0xa0,
  f64_sub = 0xa1,
  f64_mul = 0xa2,
  f64_div = 0xa3,
  f64_min = 0xa4,
  f64_max = 0xa5,
  f32_convert_i32_s = 0xb2,
  f32_demote_f64 = 0xb6,
  f64_convert_i32_s = 0xb7,
  f64_promote_f32 = 0xbb,
}

/** SIMD opcodes (after the 0xfd prefix, LEB128-encoded). */
export const enum V {
  load = 0x00,
  load32_splat = 0x09,
  store = 0x0b,
  const_ = 0x0c,
  shuffle = 0x0d,
  i32x4_splat = 0x11,
  f32x4_splat = 0x13,
  f64x2_splat = 0x14,
  i32x4_extract_lane = 0x1b,
  f32x4_extract_lane = 0x1f,
  f32x4_replace_lane = 0x20,
  f64x2_extract_lane = 0x21,
  i32x4_eq = 0x37,
  i32x4_ne = 0x38,
  f32x4_eq = 0x41,
  f32x4_ne = 0x42,
  f32x4_lt = 0x43,
  f32x4_gt = 0x44,
  f32x4_le = 0x45,
  f32x4_ge = 0x46,
  not = 0x4d,
  and = 0x4e,
  andnot = 0x4f,
  or = 0x50,
  xor = 0x51,
  bitselect = 0x52,
  any_true = 0x53,
  load32_zero = 0x5c,
  f64x2_promote_low_f32x4 = 0x5f,
  i8x16_narrow_i16x8_s = 0x65,
  f32x4_ceil = 0x67,
  f32x4_floor = 0x68,
  f32x4_trunc = 0x69,
  f32x4_nearest = 0x6a,
  i16x8_narrow_i32x4_s = 0x85,
  i16x8_extend_low_i8x16_u = 0x89,
  i32x4_extend_low_i16x8_u = 0xa9,
  i32x4_shl = 0xab,
  i32x4_shr_s = 0xac,
  i32x4_shr_u = 0xad,
  i32x4_add = 0xae,
  i32x4_sub = 0xb1,
  i32x4_mul = 0xb5,
  f32x4_abs = 0xe0,
  f32x4_neg = 0xe1,
  f32x4_sqrt = 0xe3,
  f32x4_add = 0xe4,
  f32x4_sub = 0xe5,
  f32x4_mul = 0xe6,
  f32x4_div = 0xe7,
  f32x4_min = 0xe8,
  f32x4_max = 0xe9,
  f64x2_add = 0xf0,
  f64x2_mul = 0xf2,
  f64x2_min = 0xf4,
  f64x2_max = 0xf5,
  i32x4_trunc_sat_f32x4_s = 0xf8,
  f32x4_convert_i32x4_s = 0xfa,
  /** Relaxed SIMD: a*b+c, fused or not at the engine's choice. */
  f32x4_relaxed_madd = 0x105,
}

function uleb(out: number[], v: number): void {
  v >>>= 0;
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
}

function sleb(out: number[], v: number): void {
  v |= 0;
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return;
    }
    out.push(b | 0x80);
  }
}

/** A name: ASCII only (export names here are identifiers). */
function str(out: number[], s: string): void {
  uleb(out, s.length);
  for (let i = 0; i < s.length; i++) out.push(s.charCodeAt(i) & 0x7f);
}

const f32Bytes = new Float32Array(1);
const f32BytesU8 = new Uint8Array(f32Bytes.buffer);

/** A branch target: the block, loop or if it names (br to a loop jumps to its start). */
export interface Label {
  readonly depth: number;
}

/** Natural alignment (log2 bytes) of each access width, used as the memarg hint. */
const ALIGN: Record<number, number> = { 1: 0, 4: 2, 8: 3, 16: 4 };

/**
 * One function body. Methods push instructions and return `this`, so sequences read in stack
 * order: `f.get(a).get(b).op(Op.i32_add).set(c)`.
 */
export class Func {
  readonly code: number[] = [];
  private readonly localTypes: T[] = [];
  private depth = 0;

  constructor(
    readonly name: string,
    readonly params: T[],
    readonly results: T[],
  ) {}

  /** A new local of type `t`; returns its index. */
  local(t: T): number {
    this.localTypes.push(t);
    return this.params.length + this.localTypes.length - 1;
  }

  op(code: Op): this {
    this.code.push(code);
    return this;
  }

  ops(...codes: Op[]): this {
    for (const c of codes) this.code.push(c);
    return this;
  }

  v(code: V): this {
    this.code.push(0xfd);
    uleb(this.code, code);
    return this;
  }

  get(i: number): this {
    this.code.push(0x20);
    uleb(this.code, i);
    return this;
  }

  set(i: number): this {
    this.code.push(0x21);
    uleb(this.code, i);
    return this;
  }

  tee(i: number): this {
    this.code.push(0x22);
    uleb(this.code, i);
    return this;
  }

  i32(v: number): this {
    this.code.push(0x41);
    sleb(this.code, v);
    return this;
  }

  f32(v: number): this {
    this.code.push(0x43);
    f32Bytes[0] = v;
    for (const b of f32BytesU8) this.code.push(b);
    return this;
  }

  /** v128.const from four f32 lanes. */
  f32x4(a: number, b = a, c = a, d = a): this {
    this.v(V.const_);
    for (const x of [a, b, c, d]) {
      f32Bytes[0] = x;
      for (const byte of f32BytesU8) this.code.push(byte);
    }
    return this;
  }

  /** v128.const from four i32 lanes. */
  i32x4(a: number, b = a, c = a, d = a): this {
    this.v(V.const_);
    for (const x of [a, b, c, d]) for (let k = 0; k < 4; k++) this.code.push((x >>> (8 * k)) & 0xff);
    return this;
  }

  private memarg(bytes: number, offset: number): this {
    uleb(this.code, ALIGN[bytes]);
    uleb(this.code, offset);
    return this;
  }

  // Loads and stores: `offset` is the constant byte offset added to the address on the stack.
  i32Load(offset = 0): this {
    this.code.push(0x28);
    return this.memarg(4, offset);
  }
  f32Load(offset = 0): this {
    this.code.push(0x2a);
    return this.memarg(4, offset);
  }
  u8Load(offset = 0): this {
    this.code.push(0x2d);
    return this.memarg(1, offset);
  }
  f64Load(offset = 0): this {
    this.code.push(0x2b);
    return this.memarg(8, offset);
  }
  i32Store(offset = 0): this {
    this.code.push(0x36);
    return this.memarg(4, offset);
  }
  f32Store(offset = 0): this {
    this.code.push(0x38);
    return this.memarg(4, offset);
  }
  f64Store(offset = 0): this {
    this.code.push(0x39);
    return this.memarg(8, offset);
  }
  u8Store(offset = 0): this {
    this.code.push(0x3a);
    return this.memarg(1, offset);
  }
  vLoad(offset = 0): this {
    this.v(V.load);
    return this.memarg(16, offset);
  }
  vLoadSplat32(offset = 0): this {
    this.v(V.load32_splat);
    return this.memarg(4, offset);
  }
  /** v128.load32_zero: 4 bytes into lane 0, the other lanes zero. */
  vLoad32Zero(offset = 0): this {
    this.v(V.load32_zero);
    return this.memarg(4, offset);
  }
  /** memory.copy (bulk memory): pops dst, src, n bytes. */
  memoryCopy(): this {
    this.code.push(0xfc, 0x0a, 0x00, 0x00);
    return this;
  }
  /** memory.fill (bulk memory): pops dst, byte value, n bytes. */
  memoryFill(): this {
    this.code.push(0xfc, 0x0b, 0x00);
    return this;
  }
  vStore(offset = 0): this {
    this.v(V.store);
    return this.memarg(16, offset);
  }
  /** Lane access: extract/replace take the lane index as an immediate byte. */
  lane(code: V, lane: number): this {
    this.v(code);
    this.code.push(lane);
    return this;
  }
  /** i8x16.shuffle with 16 lane indices into the concatenation of the two operands. */
  shuffle(lanes: number[]): this {
    this.v(V.shuffle);
    for (const l of lanes) this.code.push(l);
    return this;
  }

  call(fn: number): this {
    this.code.push(0x10);
    uleb(this.code, fn);
    return this;
  }

  // Structured control flow. `body` receives the label of the construct it is in.
  block(body: (l: Label) => void): this {
    return this.structured(0x02, body);
  }
  loop(body: (l: Label) => void): this {
    return this.structured(0x03, body);
  }
  /** `if` on the i32 on the stack, with an optional else branch. */
  if(then: (l: Label) => void, otherwise?: (l: Label) => void): this {
    this.code.push(0x04, 0x40);
    const label = { depth: ++this.depth };
    then(label);
    if (otherwise) {
      this.code.push(0x05);
      otherwise(label);
    }
    this.code.push(0x0b);
    this.depth--;
    return this;
  }
  private structured(opcode: number, body: (l: Label) => void): this {
    this.code.push(opcode, 0x40);
    const label = { depth: ++this.depth };
    body(label);
    this.code.push(0x0b);
    this.depth--;
    return this;
  }
  br(l: Label): this {
    this.code.push(0x0c);
    uleb(this.code, this.depth - l.depth);
    return this;
  }
  brIf(l: Label): this {
    this.code.push(0x0d);
    uleb(this.code, this.depth - l.depth);
    return this;
  }

  /**
   * `for (i = start; i < end; i += step) body()` over i32 locals, where `start` and `end` push
   * one i32 each (end is re-evaluated every iteration, so pass a local or a constant).
   */
  for(i: number, start: () => void, end: () => void, step: number, body: () => void): this {
    start();
    this.set(i);
    this.block((exit) => {
      this.loop((top) => {
        this.get(i);
        end();
        this.op(Op.i32_ge_s).brIf(exit);
        body();
        this.get(i).i32(step).op(Op.i32_add).set(i).br(top);
      });
    });
    return this;
  }

  /** The encoded body: local declarations, code, end. */
  encode(): number[] {
    const out: number[] = [];
    // Run-length encode the local types.
    const groups: [number, T][] = [];
    for (const t of this.localTypes) {
      const last = groups[groups.length - 1];
      if (last && last[1] === t) last[0]++;
      else groups.push([1, t]);
    }
    uleb(out, groups.length);
    for (const [n, t] of groups) {
      uleb(out, n);
      out.push(t);
    }
    for (const b of this.code) out.push(b);
    out.push(0x0b);
    return out;
  }
}

/** Memory import settings (64 KiB pages). */
export interface MemorySpec {
  initial: number;
  maximum: number;
  shared: boolean;
}

/**
 * A module importing `env.memory` and defining exported functions.
 * @example
 * const m = new ModuleBuilder({ initial: 1, maximum: 1, shared: false });
 * m.func("add", [T.i32, T.i32], [T.i32], (f) => f.get(0).get(1).op(Op.i32_add));
 * const bytes = m.encode();
 */
export class ModuleBuilder {
  private readonly funcs: Func[] = [];

  constructor(private readonly memory: MemorySpec) {}

  /** Declares a function (index = declaration order) and builds its body. */
  func(name: string, params: T[], results: T[], body: (f: Func) => void): number {
    const f = new Func(name, params, results);
    this.funcs.push(f);
    body(f);
    return this.funcs.length - 1;
  }

  /** Index the next declared function will get (for calls to functions declared later). */
  get nextIndex(): number {
    return this.funcs.length;
  }

  encode(): Uint8Array<ArrayBuffer> {
    const out: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
    const section = (id: number, body: number[]) => {
      out.push(id);
      uleb(out, body.length);
      for (const b of body) out.push(b);
    };
    // Types: one per function (duplicates are allowed and keep indices trivial).
    const types: number[] = [];
    uleb(types, this.funcs.length);
    for (const f of this.funcs) {
      types.push(0x60);
      uleb(types, f.params.length);
      types.push(...f.params);
      uleb(types, f.results.length);
      types.push(...f.results);
    }
    section(1, types);
    const imports: number[] = [];
    uleb(imports, 1);
    str(imports, "env");
    str(imports, "memory");
    imports.push(0x02, this.memory.shared ? 0x03 : 0x01);
    uleb(imports, this.memory.initial);
    uleb(imports, this.memory.maximum);
    section(2, imports);
    const fns: number[] = [];
    uleb(fns, this.funcs.length);
    this.funcs.forEach((_, i) => uleb(fns, i));
    section(3, fns);
    const exports: number[] = [];
    uleb(exports, this.funcs.length);
    this.funcs.forEach((f, i) => {
      str(exports, f.name);
      exports.push(0x00);
      uleb(exports, i);
    });
    section(7, exports);
    const code: number[] = [];
    uleb(code, this.funcs.length);
    for (const f of this.funcs) {
      const body = f.encode();
      uleb(code, body.length);
      for (const b of body) code.push(b);
    }
    section(10, code);
    return new Uint8Array(out);
  }
}
