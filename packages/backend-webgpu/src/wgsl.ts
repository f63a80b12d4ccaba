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
  ["isnan", [], `fn isnan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }`],
  ["isinf", [], `fn isinf(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) == 0x7f800000u; }`],
  ["truthy_f", [], `fn truthy_f(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) != 0u; }`],
  ["nan_f", [], `fn nan_f() -> f32 { return bitcast<f32>(0x7fc00000u); }`],
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
  [
    "tanh_f",
    [],
    // tanh built on exp overflows to NaN for large |x| on some drivers; tanh(9) == 1 in float32.
    `fn tanh_f(x: f32) -> f32 { if (abs(x) > 9.0) { return sign(x); } return tanh(x); }`,
  ],
  [
    "log1p",
    ["isinf"],
    // Kahan's trick: the rounding error of 1 + x cancels in x / (u - 1).
    `fn log1p(x: f32) -> f32 {
  let u = 1.0 + x;
  if (u == 1.0) { return x; }
  if (isinf(u)) { return u; }
  return log(u) * (x / (u - 1.0));
}`,
  ],
  [
    "expm1",
    [],
    `fn expm1(x: f32) -> f32 {
  if (abs(x) >= 0.5) { return exp(x) - 1.0; }
  let u = exp(x);
  if (u == 1.0) { return x; }
  let um1 = u - 1.0;
  return um1 * (x / log(u));
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
    ["isnan", "nan_f"],
    `fn pow_f(a: f32, b: f32) -> f32 {
  if (b == 0.0 || a == 1.0) { return 1.0; }
  if (isnan(a) || isnan(b)) { return nan_f(); }
  let m = exp2(b * log2(abs(a)));
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
  if (Number.isNaN(v)) return "bitcast<f32>(0x7fc00000u)";
  if (v === Infinity) return "bitcast<f32>(0x7f800000u)";
  if (v === -Infinity) return "bitcast<f32>(0xff800000u)";
  const s = String(Math.fround(v));
  return /[.e]/.test(s) ? `f32(${s})` : `${s}.0`;
}

/** The WGSL implementation of core's abstract expression renderer. */
export const WGSL: codegen.ExprRenderer = {
  lit: (v, k) => (k === "f" ? f32Lit(v) : `i32(${v | 0})`),
  infix: (op, a, b) => `(${a} ${op} ${b})`,
  neg: (a) => `(-${a})`,
  not: (c) => `(!${c})`,
  builtin: (fn, args) => `${fn}(${args.join(", ")})`,
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
