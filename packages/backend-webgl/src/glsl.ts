/**
 * GLSL ES 3.00 rendering: core's language-neutral elementwise table (`codegen.ELEMENTWISE`)
 * rendered to GLSL, the helper functions it names (emitted only when a kernel calls them), the
 * texture layout of a tensor and the read functions every kernel template uses, and the "map"
 * template: one fragment per output texel, four output elements each, a scalar body per element.
 *
 * Storage: a tensor of n elements is ceil(n / 4) texels (4 consecutive row-major elements per
 * texel) of a W x H texture; texel t is at (t % W, t / W). W is picked so that a row of the last
 * axis never straddles texture rows when it is a multiple of 4 elements (matmul reads whole texels
 * along k); otherwise W = min(texels, MAX_TEXTURE_SIZE).
 *
 * Reads use `texture()` with normalized coordinates and NEAREST filtering rather than
 * `texelFetch`: on SwiftShader (and ANGLE's robust access elsewhere) texelFetch pays for bounds
 * checks, and measured 1.6x slower in a matmul inner loop.
 *
 * NaN tests go through the bit pattern (`floatBitsToUint`), which no compiler can fold away.
 */
import { codegen, KerasError, type DType } from "@webkeras/core";
import type { Tex, TexKind } from "./gpgpu";

type Kind = codegen.Kind;

export const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

/** Texture format of a dtype. */
export const texKind = (dtype: DType): TexKind => (dtype === "float32" ? "f" : "i");
/** Compute kind of a dtype (bool computes as int32 0/1). */
export const kindOf = (dtype: DType): Kind => (dtype === "float32" ? "f" : "i");
export const scalarType = (k: Kind): string => (k === "f" ? "float" : "int");
export const vecType = (k: Kind): string => (k === "f" ? "vec4" : "ivec4");

/**
 * Texture size for a tensor of `shape`. A last axis of L = 4r elements keeps its rows whole: W is
 * a multiple of r (m rows of the last axis per texture row).
 * @example layoutFor([64, 784], 8192) // { W: 196, H: 64 }
 */
export function layoutFor(shape: readonly number[], maxTex: number): { W: number; H: number } {
  const n = sizeOf(shape);
  const T = Math.max(1, Math.ceil(n / 4));
  const L = shape.length > 0 ? shape[shape.length - 1]! : 1;
  if (L > 0 && L % 4 === 0 && n > 0) {
    const rt = L / 4;
    const rows = T / rt;
    const m = Math.max(1, Math.ceil(rows / maxTex));
    if (rt * m <= maxTex) return { W: rt * m, H: Math.ceil(rows / m) };
  }
  const W = Math.min(T, maxTex);
  const H = Math.ceil(T / W);
  if (H > maxTex)
    throw new KerasError(
      `webgl backend: a tensor of ${n} elements needs ${T} texels, more than a ${maxTex}x${maxTex} texture holds. Received: shape=(${shape.join(", ")})`,
    );
  return { W, H };
}

// ---------------------------------------------------------------------------------------------
// Literals and the expression renderer

/** A float literal GLSL parses (NaN and infinities through their bits). */
export function floatLit(v: number): string {
  if (Number.isNaN(v)) return "uintBitsToFloat(0x7fc00000u)";
  if (v === Infinity) return "uintBitsToFloat(0x7f800000u)";
  if (v === -Infinity) return "uintBitsToFloat(0xff800000u)";
  if (Object.is(v, -0)) return "(-0.0)";
  const s = String(Math.fround(v));
  return /[.e]/.test(s) ? (s.includes("e") && !s.includes(".") ? s.replace("e", ".0e") : s) : `${s}.0`;
}

/** An int literal (INT32_MIN has no literal in GLSL: -2147483648 overflows the unary minus). */
export function intLit(v: number): string {
  const i = v | 0;
  return i === -2147483648 ? "(-2147483647 - 1)" : i < 0 ? `(${i})` : `${i}`;
}

export const lit = (v: number, k: Kind): string => (k === "f" ? floatLit(v) : intLit(v));

const BUILTIN: Record<codegen.Builtin, [f: string, i: string]> = {
  exp: ["wk_exp", ""],
  log: ["wk_log", ""],
  sqrt: ["wk_sqrt", ""],
  sin: ["wk_sin", ""],
  cos: ["wk_cos", ""],
  tanh: ["wk_tanh_f", ""],
  floor: ["floor", ""],
  abs: ["abs", "wk_abs_i"],
  trunc: ["trunc", ""],
};

/** The GLSL implementation of core's abstract expression renderer. */
export const GLSL: codegen.ExprRenderer = {
  lit,
  infix: (op, a, b) => `(${a} ${op} ${b})`,
  neg: (a) => `(-${a})`,
  not: (c) => `(!${c})`,
  builtin: (fn, args, k) => `${BUILTIN[fn][k === "f" ? 0 : 1]}(${args.join(", ")})`,
  helper: (fn, args) => `wk_${fn}(${args.join(", ")})`,
  select: (c, a, b) => `(${c} ? ${a} : ${b})`,
  fromBool: (c, k) => (k === "f" ? `(${c} ? 1.0 : 0.0)` : `(${c} ? 1 : 0)`),
  truthy: (x, k) => (k === "f" ? `wk_truthy_f(${x})` : `(${x} != 0)`),
};

/** Converts a value of compute kind `from` to dtype `to` (the cpu backend's cast semantics). */
export function castExpr(x: string, from: DType, to: DType): string {
  if (to === "bool") return from === "float32" ? `(wk_truthy_f(${x}) ? 1 : 0)` : `(${x} != 0 ? 1 : 0)`;
  if (to === "int32") return from === "float32" ? `wk_f2i(${x})` : x;
  return from === "float32" ? x : `float(${x})`;
}

// Helper bodies, in dependency order. Each is emitted once, only if the kernel text calls it.
const HELPERS: [name: string, deps: string[], body: string][] = [
  ["wk_nan", [], `float wk_nan() { return uintBitsToFloat(0x7fc00000u); }`],
  ["wk_inf", [], `float wk_inf() { return uintBitsToFloat(0x7f800000u); }`],
  ["wk_isnan", [], `bool wk_isnan(float x) { return (floatBitsToUint(x) & 0x7fffffffu) > 0x7f800000u; }`],
  ["wk_isinf", [], `bool wk_isinf(float x) { return (floatBitsToUint(x) & 0x7fffffffu) == 0x7f800000u; }`],
  ["wk_truthy_f", [], `bool wk_truthy_f(float x) { return (floatBitsToUint(x) & 0x7fffffffu) != 0u; }`],
  ["wk_abs_i", [], `int wk_abs_i(int x) { return x < 0 ? -x : x; }`],
  [
    "wk_exp",
    ["wk_isnan", "wk_inf"],
    // Explicit overflow / underflow: GPU exp is exp2 of a polynomial and misbehaves at the ends.
    `float wk_exp(float x) { if (wk_isnan(x)) return x; if (x > 88.72284) return wk_inf(); if (x < -103.98) return 0.0; return exp(x); }`,
  ],
  [
    "wk_log_pos",
    [],
    // log of a positive finite x, to about 1 ulp: fdlibm's logf (reduce to m in [sqrt(1/2),
    // sqrt(2)), then a minimax series in s = f / (2 + f)). GPU log() is only accurate to about
    // 2^-21 absolute, which loses all relative accuracy near 1 (log1p, expm1 and losses need it).
    `float wk_log_pos(float x) {
  float k = 0.0;
  if (x < 1.17549435e-38) { x *= 8388608.0; k = -23.0; }
  int b = floatBitsToInt(x);
  k += float((b >> 23) - 127);
  float m = intBitsToFloat((b & 0x007fffff) | 0x3f800000);
  if (m > 1.41421356) { m *= 0.5; k += 1.0; }
  float f = m - 1.0;
  float hfsq = 0.5 * f * f;
  float s = f / (2.0 + f);
  float z = s * s;
  float w = z * z;
  float r = z * (0.66666662693 + w * 0.28498786688) + w * (0.40000972152 + w * 0.24279078841);
  return k * 0.69313812256 - ((hfsq - (s * (hfsq + r) + k * 9.0580006145e-06)) - f);
}`,
  ],
  [
    "wk_log",
    ["wk_isnan", "wk_isinf", "wk_nan", "wk_inf", "wk_log_pos"],
    `float wk_log(float x) { if (wk_isnan(x) || x < 0.0) return wk_nan(); if (x == 0.0) return -wk_inf(); if (wk_isinf(x)) return x; return wk_log_pos(x); }`,
  ],
  [
    "wk_sincos",
    [],
    // sin (q = 0) or cos (q = 1) to about 1 ulp for |x| < 1e5: Cody-Waite reduction by pi/2 in
    // three float32 parts, then Taylor polynomials on [-pi/4, pi/4]. SwiftShader's sin/cos
    // err by ~1e-4 relative.
    `float wk_sincos(float x, int q) {
  float j = floor(x * 0.636619772 + 0.5);
  float r = ((x - j * 1.5703125) - j * 4.837512969970703125e-4) - j * 7.54978995489188216e-8;
  int n = (int(j) + q) & 3;
  float z = r * r;
  float s = r + r * z * (-0.166666667 + z * (0.00833333333 + z * (-0.000198412698 + z * 2.75573192e-06)));
  float c = 1.0 - 0.5 * z + z * z * (0.0416666667 + z * (-0.00138888889 + z * (2.48015873e-05 - z * 2.75573192e-07)));
  return n == 0 ? s : n == 1 ? c : n == 2 ? -s : -c;
}`,
  ],
  [
    "wk_sqrt",
    ["wk_isnan", "wk_isinf", "wk_nan"],
    `float wk_sqrt(float x) { if (wk_isnan(x) || x < 0.0) return wk_nan(); if (wk_isinf(x) || x == 0.0) return x; return sqrt(x); }`,
  ],
  ["wk_sin", ["wk_isnan", "wk_isinf", "wk_nan", "wk_sincos"], `float wk_sin(float x) { if (wk_isnan(x) || wk_isinf(x)) return wk_nan(); return wk_sincos(x, 0); }`],
  ["wk_cos", ["wk_isnan", "wk_isinf", "wk_nan", "wk_sincos"], `float wk_cos(float x) { if (wk_isnan(x) || wk_isinf(x)) return wk_nan(); return wk_sincos(x, 1); }`],
  [
    "wk_tanh_f",
    ["wk_isnan"],
    // tanh(9) == 1 in float32; a GLSL tanh built on exp overflows to NaN for large |x|.
    `float wk_tanh_f(float x) { if (wk_isnan(x)) return x; if (abs(x) > 9.0) return sign(x); return tanh(x); }`,
  ],
  ["wk_max_f", ["wk_isnan", "wk_nan"], `float wk_max_f(float a, float b) { if (wk_isnan(a) || wk_isnan(b)) return wk_nan(); return max(a, b); }`],
  ["wk_min_f", ["wk_isnan", "wk_nan"], `float wk_min_f(float a, float b) { if (wk_isnan(a) || wk_isnan(b)) return wk_nan(); return min(a, b); }`],
  ["wk_sign_f", ["wk_isnan"], `float wk_sign_f(float x) { if (wk_isnan(x)) return x; return sign(x); }`],
  ["wk_sign_i", [], `int wk_sign_i(int x) { return x > 0 ? 1 : (x < 0 ? -1 : 0); }`],
  ["wk_round_even", [], `float wk_round_even(float x) { return roundEven(x); }`],
  [
    "wk_log1p",
    ["wk_log", "wk_log_pos"],
    // A series for |x| < 1/32 (error < x^8 / 8), log(1 + x) beyond. Kahan's u = 1 + x trick does
    // not survive here: the shader compiler folds (1 + x) - 1 to x.
    `float wk_log1p(float x) {
  if (abs(x) < 0.03125) return x * (1.0 - x * (0.5 - x * (0.333333333 - x * (0.25 - x * (0.2 - x * (0.166666667 - x * 0.142857143))))));
  float u = 1.0 + x;
  if (u <= 0.0 || !(u < uintBitsToFloat(0x7f800000u))) return wk_log(u);
  return wk_log_pos(u);
}`,
  ],
  [
    "wk_expm1",
    ["wk_exp"],
    // A series for |x| < 1/32 (error < x^6 / 720), exp(x) - 1 beyond.
    `float wk_expm1(float x) {
  if (abs(x) < 0.03125) return x * (1.0 + x * (0.5 + x * (0.166666667 + x * (0.0416666667 + x * 0.00833333333))));
  return wk_exp(x) - 1.0;
}`,
  ],
  [
    "wk_erf",
    ["wk_isnan"],
    // Eigen's generic_fast_erf_float rational approximation (a few ulp on [-4, 4], +-1 beyond),
    // the same as the WebGPU backend's.
    `float wk_erf(float x0) {
  if (wk_isnan(x0)) return x0;
  float x = clamp(x0, -4.0, 4.0);
  float x2 = x * x;
  float p = -2.72614225801306e-10;
  p = x2 * p + 2.77068142495902e-08;
  p = x2 * p - 2.10102402082508e-06;
  p = x2 * p - 5.69250639462346e-05;
  p = x2 * p - 7.34990630326855e-04;
  p = x2 * p - 2.95459980854025e-03;
  p = x2 * p - 1.60960333262415e-02;
  float q = -1.45660718464996e-05;
  q = x2 * q - 2.13374055278905e-04;
  q = x2 * q - 1.68282697438203e-03;
  q = x2 * q - 7.37332916720468e-03;
  q = x2 * q - 1.42647390514189e-02;
  return clamp(x * p / q, -1.0, 1.0);
}`,
  ],
  [
    "wk_pow_f",
    ["wk_isnan", "wk_isinf", "wk_nan"],
    // C99 / NumPy pow: pow(x, 0) = pow(1, y) = 1 even for NaN; (-1)^+-inf = 1; a negative base
    // with an integer exponent is real.
    `float wk_pow_f(float a, float b) {
  if (b == 0.0 || a == 1.0) return 1.0;
  if (wk_isnan(a) || wk_isnan(b)) return wk_nan();
  if (a == -1.0 && wk_isinf(b)) return 1.0;
  if (a == 0.0) return b < 0.0 ? uintBitsToFloat(0x7f800000u) : 0.0;
  float m = exp2(b * log2(abs(a)));
  if (a < 0.0) {
    if (trunc(b) != b) return wk_nan();
    bool odd = abs(b) < 16777216.0 && (int(b) & 1) != 0;
    return odd ? -m : m;
  }
  return m;
}`,
  ],
  [
    "wk_pow_i",
    [],
    `int wk_pow_i(int a, int b) {
  if (b < 0) { if (a == 1) return 1; if (a == -1) return (b & 1) == 0 ? 1 : -1; return 0; }
  int r = 1;
  int base = a;
  for (int i = 0; i < 31; i++) {
    if (b == 0) break;
    if ((b & 1) != 0) r *= base;
    base *= base;
    b >>= 1;
  }
  return r;
}`,
  ],
  [
    "wk_floordiv_i",
    [],
    // On magnitudes as uint: GLSL leaves int division of negative operands loosely specified.
    `int wk_floordiv_i(int a, int b) {
  if (b == 0) return 0;
  if (b == -1) return -a;
  uint ua = uint(a < 0 ? -a : a);
  uint ub = uint(b < 0 ? -b : b);
  int q = int(ua / ub);
  if ((a < 0) != (b < 0)) { q = -q; if (q * b != a) q -= 1; }
  return q;
}`,
  ],
  [
    "wk_mod_i",
    ["wk_floordiv_i"],
    `int wk_mod_i(int a, int b) { if (b == 0) return 0; return a - b * wk_floordiv_i(a, b); }`,
  ],
  [
    "wk_mod_f",
    ["wk_isinf"],
    // fmod (a - b * trunc(a / b)) then the sign of the divisor: stays consistent with the cpu's
    // fmod even where a / b rounds up to an integer.
    `float wk_mod_f(float a, float b) {
  float r = a - b * trunc(a / b);
  if (wk_isinf(b) && !wk_isinf(a)) r = a;
  if (r != 0.0 && ((r < 0.0) != (b < 0.0))) r += b;
  return r;
}`,
  ],
  [
    "wk_f2i",
    ["wk_isnan"],
    // Truncation toward zero, saturating, NaN -> 0 (the cpu backend's cast).
    `int wk_f2i(float x) {
  if (wk_isnan(x)) return 0;
  if (x >= 2147483647.0) return 2147483647;
  if (x <= -2147483648.0) return -2147483647 - 1;
  return int(x);
}`,
  ],
];

/** `helpersFor` by kernel text: kernels regenerate the same text every training step. */
const HELPERS_BY_TEXT = new Map<string, string>();

/** Definitions of the helpers called in `src` (and their dependencies), in dependency order. */
export function helpersFor(src: string): string {
  const hit = HELPERS_BY_TEXT.get(src);
  if (hit !== undefined) return hit;
  if (HELPERS_BY_TEXT.size >= 4096) HELPERS_BY_TEXT.clear();
  const out = scanHelpers(src);
  HELPERS_BY_TEXT.set(src, out);
  return out;
}

function scanHelpers(src: string): string {
  const used = new Set<string>();
  const visit = (name: string) => {
    if (used.has(name)) return;
    const h = HELPERS.find((x) => x[0] === name);
    if (!h) return;
    for (const d of h[1]) visit(d);
    used.add(name);
  };
  for (const m of src.matchAll(/\b(wk_\w+)\(/g)) visit(m[1]!);
  return HELPERS.filter((h) => used.has(h[0]))
    .map((h) => h[2])
    .join("\n");
}

// ---------------------------------------------------------------------------------------------
// Reads

export const HEADER = `#version 300 es
precision highp float;
precision highp int;
precision highp sampler2D;
precision highp isampler2D;
`;

const isPow2 = (n: number): boolean => (n & (n - 1)) === 0;
const log2 = (n: number): number => Math.round(Math.log2(n));

/** Below this bound a float multiply by 1/d gives the exact integer quotient (see `idiv`). */
const FLOAT_DIV_BOUND = 1 << 22;

/**
 * `x / d` for a positive constant d and 0 <= x < bound: a shift for powers of two, else a float
 * multiply by 1/d, which is exact while x < 2^22 (the error of (x + 0.5) * fl(1/d) stays below
 * the 0.5 / d margin to the next integer) and measured about 2.5x faster than int division on
 * SwiftShader, which has no vector integer divide; int division beyond.
 * @example idiv("e", 28, 1000) // "int((float(e) + 0.5) * 0.0357142873108387)"
 */
export function idiv(x: string, d: number, bound: number): string {
  if (d === 1) return x;
  if (isPow2(d)) return `(${x} >> ${log2(d)})`;
  if (bound <= FLOAT_DIV_BOUND) return `int((float(${x}) + 0.5) * ${floatLit(1 / d)})`;
  return `(${x} / ${d})`;
}

/** `x % d` for 0 <= x < bound (`x` appears twice: the compiler shares the common term). */
export function imod(x: string, d: number, bound: number): string {
  if (d === 1) return "0";
  if (isPow2(d)) return `(${x} & ${d - 1})`;
  if (bound <= d) return x;
  return `(${x} - ${idiv(x, d, bound)} * ${d})`;
}

/** `t % W` and `t / W` for a texel index t < bound. */
function divmod(t: string, W: number, bound: number): [mod: string, div: string] {
  if (W === 1) return ["0", t];
  return [imod(t, W, bound), idiv(t, W, bound)];
}

/**
 * Statements decoding flat index `idx` (< bound) into `names[i]` for the dims `sizes[i]`,
 * innermost first; the last name takes what is left.
 * @example decode("e", [8, 28], ["c", "w", "rest"], 10000)
 */
export function decode(idx: string, sizes: number[], names: string[], bound: number, v = `${names[0]}_q`): string {
  const out = [`int ${v} = ${idx};`];
  let b = bound;
  sizes.forEach((size, i) => {
    const q = idiv(v, size, b);
    out.push(`int ${names[i]} = ${imod(v, size, b)}; ${v} = ${q};`);
    b = Math.ceil(b / size);
  });
  out.push(`int ${names[sizes.length]} = ${v};`);
  return out.join(" ");
}

/**
 * Declarations for input `name` (a sampler) stored in `tex`: `<name>_t(int t)` reads texel t and
 * `<name>_e(int e)` reads element e.
 */
export function inputDecl(name: string, tex: Tex): string {
  const k: Kind = tex.kind;
  const { W, H } = tex;
  const [mx, dy] = divmod("t", W, W * H);
  const uv =
    H === 1
      ? `vec2((float(t) + 0.5) * ${floatLit(1 / W)}, 0.5)`
      : `vec2((float(${mx}) + 0.5) * ${floatLit(1 / W)}, (float(${dy}) + 0.5) * ${floatLit(1 / H)})`;
  return `uniform ${k === "f" ? "sampler2D" : "isampler2D"} ${name};
${vecType(k)} ${name}_t(int t) { return texture(${name}, ${uv}); }
${scalarType(k)} ${name}_e(int e) { return ${name}_t(e >> 2)[e & 3]; }`;
}

/** Declarations of a fragment's output `o` (or `o0..o{n-1}` for multiple render targets). */
export function outputDecl(k: Kind, n = 1, indexed = false): string {
  if (n === 1 && !indexed) return `out ${vecType(k)} o;`;
  return Array.from({ length: n }, (_, i) => `layout(location = ${i}) out ${vecType(k)} o${i};`).join("\n");
}

/** The flat texel index of the fragment in an output of width W. */
export const fragTexel = (W: number): string => `(int(gl_FragCoord.y) * ${W} + int(gl_FragCoord.x))`;

/**
 * Statements that declare `int <p>0 .. <p>{r-1}`: the coordinates of flat index `idx` in `shape`.
 * @example unravel([2, 3], "e", "c") // "int c_r = e; int c1 = (c_r - ... * 3); c_r = ...; int c0 = c_r;"
 */
export function unravel(shape: readonly number[], idx: string, p: string): string {
  const r = shape.length;
  if (r === 0) return "";
  if (r === 1) return `int ${p}0 = ${idx};`;
  const names = Array.from({ length: r }, (_, d) => `${p}${r - 1 - d}`);
  return decode(idx, [...shape].reverse().slice(0, r - 1), names, Math.max(1, shape.reduce((a, b) => a * b, 1)), `${p}_r`);
}

/** `sum(coords[d] * strides[d])` as an int expression (terms with stride 0 dropped). */
export function ravel(coords: string[], strides: readonly number[], offset = 0): string {
  const terms: string[] = [];
  if (offset) terms.push(String(offset));
  coords.forEach((c, d) => {
    const s = strides[d]!;
    if (s === 0) return;
    terms.push(s === 1 ? c : `${c} * ${s}`);
  });
  return terms.length ? terms.join(" + ") : "0";
}

/**
 * The flat index in an input of `inShape`, broadcast NumPy-style to `outShape`, of output flat
 * index `e`: adjacent dims that move together are merged first, so a plain row broadcast costs
 * one division.
 */
export function broadcastIndex(outShape: readonly number[], inShape: readonly number[], e: string): string {
  const r = outShape.length;
  const own = stridesOf(inShape);
  const st = outShape.map((d, i) => {
    const k = i - (r - inShape.length);
    return k < 0 || inShape[k] === 1 ? 0 : own[k]!;
  });
  // Merge dims: (size, stride) pairs, dropping size-1 dims.
  const dims: [number, number][] = [];
  for (let d = 0; d < r; d++) {
    const size = outShape[d]!;
    if (size === 1) continue;
    const last = dims[dims.length - 1];
    if (last && last[1] === st[d]! * size) {
      last[0] *= size;
      last[1] = st[d]!;
    } else dims.push([size, st[d]!]);
  }
  if (dims.every(([, s]) => s === 0)) return "0";
  // Walk from the innermost dim: idx = sum(((e / inner) % size) * stride).
  const terms: string[] = [];
  let inner = 1;
  for (let d = dims.length - 1; d >= 0; d--) {
    const [size, s] = dims[d]!;
    if (s !== 0) {
      const bound = sizeOf(outShape);
      let c = inner === 1 ? e : idiv(e, inner, bound);
      if (d > 0) c = imod(`(${c})`, size, bound);
      terms.push(s === 1 ? `(${c})` : `(${c}) * ${s}`);
    }
    inner *= size;
  }
  return terms.join(" + ");
}

/** One input of a generated program: a sampler name (x0, x1, ...) bound to a texture. */
export interface ProgramInput {
  tex: Tex;
}

/**
 * `body` four times, each in its own block with `const int <c> = 0 .. 3`: the per-component loop
 * of the templates, unrolled. SwiftShader keeps a `for` loop over the components of a vec4 as a
 * loop with dynamic vector indexing, measured 2-3x slower than constant indices in a fused
 * elementwise program.
 */
export function unroll4(c: string, body: string): string {
  return [0, 1, 2, 3].map((k) => `{ const int ${c} = ${k};\n    ${body}\n  }`).join("\n  ");
}

/**
 * The "map" template: one fragment per output texel; for each of its four elements `e < n`,
 * `body` computes `v` (declared with the output's scalar type). `pre` runs once per fragment.
 * Bodies may use any names but `t`, `e`, `v` and names ending in `_`.
 */
export function mapProgram(opts: {
  /** Input declarations (`inputDecl` per input) and any helper code. */
  decls: string;
  out: Tex;
  n: number;
  body: string;
  pre?: string;
}): string {
  const k = opts.out.kind;
  const main = `void main() {
  int t = ${fragTexel(opts.out.W)};
  ${opts.pre ?? ""}
  ${vecType(k)} res_ = ${vecType(k)}(0);
  ${unroll4(
    "c_",
    `int e = 4 * t + c_;
    if (e < ${opts.n}) {
    ${scalarType(k)} v = ${k === "f" ? "0.0" : "0"};
    ${opts.body}
    res_[c_] = v;
    }`,
  )}
  o = res_;
}`;
  const text = `${opts.decls}\n${main}`;
  return `${HEADER}${outputDecl(k)}\n${helpersFor(text)}\n${text}`;
}

/**
 * The vectorized map template: one fragment per output texel computes all four of its elements
 * at once as `v` (a vec4 / ivec4) from `e0 = 4 * t`, its first element's flat index. Kernels use
 * it when the four elements share their index arithmetic (channels-last kernels with C % 4 == 0:
 * the texel holds 4 channels of one position, and input texels line up the same way).
 */
export function mapVecProgram(opts: { decls: string; out: Tex; n: number; body: string }): string {
  const k = opts.out.kind;
  const main = `void main() {
  int t = ${fragTexel(opts.out.W)};
  int e0 = 4 * t;
  ${vecType(k)} v = ${vecType(k)}(0);
  if (e0 < ${opts.n}) {
    ${opts.body}
  }
  o = v;
}`;
  const text = `${opts.decls}\n${main}`;
  return `${HEADER}${outputDecl(k)}\n${helpersFor(text)}\n${text}`;
}

