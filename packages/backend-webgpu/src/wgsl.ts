/**
 * WGSL rendering: core's language-neutral elementwise table (`codegen.ELEMENTWISE`) rendered to
 * WGSL, the helper functions it names (emitted only when a kernel uses them), and the small
 * pieces every kernel template shares (storage types, bindings, the uniform block, the thread
 * index of a 2-d grid).
 *
 * NaN tests go through the bit pattern rather than `x != x`: WGSL lets a compiler assume finite
 * floats, and a bit test cannot be folded away.
 */
import { codegen, type DType } from "@webkeras/core";

type Kind = codegen.Kind;

/** Storage element type of a dtype: everything is one 32-bit word (bool is u32 0/1). */
export function storageType(dtype: DType): "f32" | "i32" | "u32" {
  return dtype === "float32" ? "f32" : dtype === "int32" ? "i32" : "u32";
}

/** Compute kind of a dtype (bool computes as int32 0/1). */
export function kindOf(dtype: DType): Kind {
  return dtype === "float32" ? "f" : "i";
}

export const wgslType = (k: Kind): "f32" | "i32" => (k === "f" ? "f32" : "i32");

/** Converts a stored value (`storageType(dtype)`) to its compute kind. */
export function loadAs(expr: string, dtype: DType): string {
  return dtype === "bool" ? `i32(${expr})` : expr;
}

/** Converts a compute-kind value to the storage type of `dtype`. */
export function storeAs(expr: string, dtype: DType): string {
  return dtype === "bool" ? `u32(${expr})` : expr;
}

// Helper bodies, in dependency order. Each is emitted once, only if some kernel text calls it.
const HELPERS: [name: string, deps: string[], body: string][] = [
  // Private variables, not constants: WGSL rejects a const-expression whose value is NaN or inf.
  ["nan_f", [], `var<private> NAN_BITS: u32 = 0x7fc00000u;\nfn nan_f() -> f32 { return bitcast<f32>(NAN_BITS); }`],
  ["inf_f", [], `var<private> INF_BITS: u32 = 0x7f800000u;\nfn inf_f() -> f32 { return bitcast<f32>(INF_BITS); }`],
  ["isnan", [], `fn isnan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }`],
  ["isinf", [], `fn isinf(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) == 0x7f800000u; }`],
  ["truthy_f", [], `fn truthy_f(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) != 0u; }`],
  [
    "max_f",
    ["isnan", "nan_f"],
    `fn max_f(a: f32, b: f32) -> f32 { if (isnan(a) || isnan(b)) { return nan_f(); } return max(a, b); }`,
  ],
  [
    "min_f",
    ["isnan", "nan_f"],
    `fn min_f(a: f32, b: f32) -> f32 { if (isnan(a) || isnan(b)) { return nan_f(); } return min(a, b); }`,
  ],
  ["sign_f", ["isnan"], `fn sign_f(x: f32) -> f32 { if (isnan(x)) { return x; } return sign(x); }`],
  ["sign_i", [], `fn sign_i(x: i32) -> i32 { return select(select(0, -1, x < 0), 1, x > 0); }`],
  // WGSL's round() already rounds half to even.
  ["round_even", [], `fn round_even(x: f32) -> f32 { return round(x); }`],
  // 2^n for n in [-126, 127], exactly, from the exponent bits.
  ["pow2i", [], `fn pow2i(n: i32) -> f32 { return bitcast<f32>(u32(n + 127) << 23u); }`],
  // The builtins exp, log, sin, cos and tanh are approximate on some drivers (SwiftShader: errors
  // of 1e-4 for sin, log(0) = -88) and ignore special values, so these are computed here, to about
  // 1 ulp: Cephes' single-precision polynomials (expf.c, logf.c, sinf.c, tanhf.c,
  // https://www.netlib.org/cephes/) after exact range reduction.
  [
    "exp_f",
    ["isnan", "inf_f", "pow2i"],
    `fn exp_f(x: f32) -> f32 {
  if (isnan(x)) { return x; }
  if (x > 88.72284) { return inf_f(); }
  if (x < -103.97208) { return 0.0; }
  let n = round(x * 1.44269504088896341);
  let r = (x - n * 0.693359375) + n * 2.12194440e-4;
  let z = r * r;
  var p = 1.9875691500e-4;
  p = fma(p, r, 1.3981999507e-3);
  p = fma(p, r, 8.3334519073e-3);
  p = fma(p, r, 4.1665795894e-2);
  p = fma(p, r, 1.6666665459e-1);
  p = fma(p, r, 5.0000001201e-1);
  let y = fma(p, z, r) + 1.0;
  let ni = i32(n);
  let n1 = clamp(ni, -126, 127);
  return y * pow2i(n1) * pow2i(ni - n1);
}`,
  ],
  [
    "log_f",
    ["isnan", "inf_f", "nan_f"],
    `fn log_f(x0: f32) -> f32 {
  if (isnan(x0) || x0 < 0.0) { return nan_f(); }
  if (x0 == 0.0) { return -inf_f(); }
  if (x0 > 3.4028234e38) { return x0; }
  var x = x0;
  var e = 0;
  if (x < 1.17549435e-38) { x = x * 8388608.0; e = -23; }
  let bits = bitcast<u32>(x);
  e = e + i32((bits >> 23u) & 0xffu) - 127;
  var m = bitcast<f32>((bits & 0x007fffffu) | 0x3f800000u);
  if (m > 1.41421356) { m = m * 0.5; e = e + 1; }
  let f = m - 1.0;
  let z = f * f;
  var p = 7.0376836292e-2;
  p = fma(p, f, -1.1514610310e-1);
  p = fma(p, f, 1.1676998740e-1);
  p = fma(p, f, -1.2420140846e-1);
  p = fma(p, f, 1.4249322787e-1);
  p = fma(p, f, -1.6668057665e-1);
  p = fma(p, f, 2.0000714765e-1);
  p = fma(p, f, -2.4999993993e-1);
  p = fma(p, f, 3.3333331174e-1);
  let fe = f32(e);
  var y = f * z * p;
  y = fma(fe, -2.12194440e-4, y);
  y = fma(z, -0.5, y);
  return fma(fe, 0.693359375, f + y);
}`,
  ],
  [
    "sincos_f",
    ["isnan", "isinf", "nan_f"],
    // Returns (sin x, cos x). Reduction by pi/2 in three parts (exact for |x| < ~8e3; beyond
    // that the result degrades as in Cephes).
    `fn sincos_f(x: f32) -> vec2<f32> {
  if (isnan(x) || isinf(x)) { return vec2<f32>(nan_f(), nan_f()); }
  let q = round(x * 0.636619772367581343);
  let r = ((x - q * 1.5703125) - q * 4.83751296997070312e-4) - q * 7.54978995489188216e-8;
  let z = r * r;
  var s = -1.9515295891e-4;
  s = fma(s, z, 8.3321608736e-3);
  s = fma(s, z, -1.6666654611e-1);
  let sn = fma(s * z, r, r);
  var c = 2.443315711809948e-5;
  c = fma(c, z, -1.388731625493765e-3);
  c = fma(c, z, 4.166664568298827e-2);
  let cs = fma(c * z, z, fma(-0.5, z, 1.0));
  let k = i32(q) & 3;
  if (k == 0) { return vec2<f32>(sn, cs); }
  if (k == 1) { return vec2<f32>(cs, -sn); }
  if (k == 2) { return vec2<f32>(-sn, -cs); }
  return vec2<f32>(-cs, sn);
}`,
  ],
  ["sin_f", ["sincos_f"], `fn sin_f(x: f32) -> f32 { return sincos_f(x).x; }`],
  ["cos_f", ["sincos_f"], `fn cos_f(x: f32) -> f32 { return sincos_f(x).y; }`],
  [
    "tanh_f",
    ["isnan", "exp_f"],
    `fn tanh_f(x: f32) -> f32 {
  if (isnan(x)) { return x; }
  let a = abs(x);
  if (a > 9.0) { return sign(x); }
  if (a >= 0.625) {
    let t = 1.0 - 2.0 / (exp_f(2.0 * a) + 1.0);
    return select(t, -t, x < 0.0);
  }
  let z = x * x;
  var p = -5.70498872745e-3;
  p = fma(p, z, 2.06390887954e-2);
  p = fma(p, z, -5.37397155531e-2);
  p = fma(p, z, 1.33314422036e-1);
  p = fma(p, z, -3.33332819422e-1);
  return fma(p * z, x, x);
}`,
  ],
  [
    "log1p",
    ["isinf", "log_f"],
    // Near 0, 2 atanh(x / (2 + x)) by its series (|s| < 0.032: four terms reach float32
    // precision). Kahan's (u - 1) trick is not used: compilers are allowed to fold
    // (1 + x) - 1 to x, and SwiftShader's does.
    `fn log1p(x: f32) -> f32 {
  if (abs(x) >= 0.0625) { return log_f(1.0 + x); }
  let s = x / (2.0 + x);
  let z = s * s;
  var p = 1.0 / 7.0;
  p = fma(p, z, 1.0 / 5.0);
  p = fma(p, z, 1.0 / 3.0);
  p = fma(p, z, 1.0);
  return 2.0 * s * p;
}`,
  ],
  [
    "expm1",
    ["exp_f"],
    // Taylor series near 0 (|x| < 2^-4: 6 terms reach float32 precision), exp - 1 elsewhere.
    `fn expm1(x: f32) -> f32 {
  if (abs(x) >= 0.0625) { return exp_f(x) - 1.0; }
  var p = 1.0 / 720.0;
  p = fma(p, x, 1.0 / 120.0);
  p = fma(p, x, 1.0 / 24.0);
  p = fma(p, x, 1.0 / 6.0);
  p = fma(p, x, 0.5);
  return fma(p * x, x, x);
}`,
  ],
  [
    "erf",
    ["isnan"],
    // Rational approximation of Eigen's generic_fast_erf_float (a few ulp on [-4, 4], +-1 beyond).
    `fn erf(x0: f32) -> f32 {
  if (isnan(x0)) { return x0; }
  let x = clamp(x0, -4.0, 4.0);
  let x2 = x * x;
  var p = -2.72614225801306e-10;
  p = fma(x2, p, 2.77068142495902e-08);
  p = fma(x2, p, -2.10102402082508e-06);
  p = fma(x2, p, -5.69250639462346e-05);
  p = fma(x2, p, -7.34990630326855e-04);
  p = fma(x2, p, -2.95459980854025e-03);
  p = fma(x2, p, -1.60960333262415e-02);
  var q = -1.45660718464996e-05;
  q = fma(x2, q, -2.13374055278905e-04);
  q = fma(x2, q, -1.68282697438203e-03);
  q = fma(x2, q, -7.37332916720468e-03);
  q = fma(x2, q, -1.42647390514189e-02);
  return clamp(x * p / q, -1.0, 1.0);
}`,
  ],
  [
    "pow_f",
    ["isnan", "isinf", "nan_f", "exp_f", "log_f"],
    `fn pow_f(a: f32, b: f32) -> f32 {
  if (b == 0.0 || a == 1.0) { return 1.0; }
  if (isnan(a) || isnan(b)) { return nan_f(); }
  if (a == -1.0 && isinf(b)) { return 1.0; }
  let m = exp_f(b * log_f(abs(a)));
  if (a < 0.0) {
    if (trunc(b) != b) { return nan_f(); }
    let odd = abs(b) < 16777216.0 && (i32(b) & 1) != 0;
    return select(m, -m, odd);
  }
  return m;
}`,
  ],
  [
    "pow_i",
    [],
    `fn pow_i(a: i32, b: i32) -> i32 {
  if (b < 0) {
    if (a == 1) { return 1; }
    if (a == -1) { return select(-1, 1, (b & 1) == 0); }
    return 0;
  }
  var r = 1;
  var base = a;
  var e = u32(b);
  loop {
    if (e == 0u) { break; }
    if ((e & 1u) != 0u) { r = r * base; }
    base = base * base;
    e = e >> 1u;
  }
  return r;
}`,
  ],
  [
    "floordiv_i",
    [],
    `fn floordiv_i(a: i32, b: i32) -> i32 {
  if (b == 0) { return 0; }
  if (b == -1) { return -a; }
  var q = a / b;
  let r = a - q * b;
  if (r != 0 && ((r < 0) != (b < 0))) { q = q - 1; }
  return q;
}`,
  ],
  [
    "mod_i",
    [],
    `fn mod_i(a: i32, b: i32) -> i32 {
  if (b == 0 || b == -1) { return 0; }
  var r = a % b;
  if (r != 0 && ((r < 0) != (b < 0))) { r = r + b; }
  return r;
}`,
  ],
  [
    "mod_f",
    ["isinf"],
    `fn mod_f(a: f32, b: f32) -> f32 {
  var r = a % b;
  if (isinf(b) && !isinf(a)) { r = a; }
  if (r != 0.0 && ((r < 0.0) != (b < 0.0))) { r = r + b; }
  return r;
}`,
  ],
  [
    "f32_to_i32",
    ["isnan"],
    // Truncation toward zero, saturating, NaN -> 0 (the CPU backend's cast).
    `fn f32_to_i32(x: f32) -> i32 {
  if (isnan(x)) { return 0; }
  if (x >= 2147483648.0) { return 2147483647; }
  if (x <= -2147483648.0) { return -2147483647 - 1; }
  return i32(x);
}`,
  ],
];

/** Definitions of the helpers called in `src` (and their dependencies), to prepend to it. */
export function helpersFor(src: string): string {
  const used = new Set<string>();
  const visit = (name: string) => {
    if (used.has(name)) return;
    const h = HELPERS.find((x) => x[0] === name)!;
    for (const d of h[1]) visit(d);
    used.add(name);
  };
  for (const [name] of HELPERS) if (new RegExp(`\\b${name}\\(`).test(src)) visit(name);
  return HELPERS.filter((h) => used.has(h[0]))
    .map((h) => h[2])
    .join("\n");
}

/** Float literal that WGSL parses as f32 (`1` would be an abstract int). */
export function f32Lit(v: number): string {
  if (Number.isNaN(v)) return "nan_f()";
  if (v === Infinity) return "inf_f()";
  if (v === -Infinity) return "(-inf_f())";
  const s = String(Math.fround(v));
  return /[.e]/.test(s) ? `f32(${s})` : `${s}.0`;
}

const ACCURATE: Partial<Record<codegen.Builtin, string>> = {
  exp: "exp_f",
  log: "log_f",
  sin: "sin_f",
  cos: "cos_f",
  tanh: "tanh_f",
};

/** The WGSL implementation of core's abstract expression renderer. */
export const WGSL: codegen.ExprRenderer = {
  lit: (v, k) => (k === "f" ? f32Lit(v) : `i32(${v | 0})`),
  infix: (op, a, b) => `(${a} ${op} ${b})`,
  neg: (a) => `(-${a})`,
  not: (c) => `(!${c})`,
  // Transcendentals go to the accurate helpers above; the rest are exact builtins.
  builtin: (fn, args) => `${ACCURATE[fn] ?? fn}(${args.join(", ")})`,
  helper: (fn, args) => `${fn}(${args.join(", ")})`,
  select: (c, a, b) => `select(${b}, ${a}, ${c})`,
  fromBool: (c, k) => (k === "f" ? `select(0.0, 1.0, ${c})` : `select(0, 1, ${c})`),
  truthy: (x, k) => (k === "f" ? `truthy_f(${x})` : `(${x} != 0)`),
};

/**
 * The uniform block of a kernel with `n` 32-bit words of metadata, read with `U(i)` as u32
 * (`bitcast` for floats). A vec4 array because uniform arrays need 16-byte strides.
 */
export function uniformDecl(n: number, binding = 0): string {
  const v = Math.max(1, Math.ceil(n / 4));
  return `struct Meta { v: array<vec4<u32>, ${v}> }
@group(0) @binding(${binding}) var<uniform> uni: Meta;
fn U(i: u32) -> u32 { return uni.v[i >> 2u][i & 3u]; }`;
}

/** Workgroup size used by the one-thread-per-element templates. */
export const WG = 64;

/** Entry point of a 1-d job spread over a 2-d grid; `idx` is the element index. */
export function mainHeader(wg = WG): string {
  return `@compute @workgroup_size(${wg})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lidx: u32) {
  let idx = (wid.y * nwg.x + wid.x) * ${wg}u + lidx;`;
}

/** Grid for `threads` threads in groups of `wg` (x at most 65535 per the WebGPU limits). */
export function grid1d(threads: number, wg = WG): [number, number, number] {
  const groups = Math.ceil(threads / wg);
  if (groups <= 65535) return [Math.max(groups, 1), 1, 1];
  const y = Math.ceil(groups / 65535);
  return [Math.ceil(groups / y), y, 1];
}
