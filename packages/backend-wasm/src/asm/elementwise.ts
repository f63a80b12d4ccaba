/**
 * Float32 elementwise kernels generated from one table: each op has a SIMD form (f32x4) and a
 * scalar form (f32) for the tail, and every op gets the same loop templates.
 *
 * Binary ops run over a "2-d" broadcast: `rows` rows of `n` outputs, row r of each operand
 * starting at `ptr + r * rowStride` (bytes). Within a row an operand is either contiguous or one
 * value repeated (inner stride 0): mode 0 both contiguous, 1 right operand repeated, 2 left
 * repeated, 3 both repeated. The TypeScript side collapses any broadcast into that form (plus an
 * outer loop in the rare cases that need one); see `kernels/elementwise.ts`.
 *
 * Semantics match the CPU oracle: `f32x4.min`/`max` propagate NaN like Math.min/max, `nearest`
 * rounds half to even, and every op is exactly rounded in IEEE float32 (sqrt and div included).
 */
import { Op, T, V, type Func, type ModuleBuilder } from "./wasmblr";

/** Binary float32 ops with a native SIMD instruction. */
export const SIMD_BINARY = ["add", "sub", "mul", "div", "max", "min"] as const;
export type SimdBinary = (typeof SIMD_BINARY)[number];

/** Unary float32 ops with a native SIMD instruction (or a short sequence). */
export const SIMD_UNARY = ["neg", "abs", "sqrt", "floor", "round", "reciprocal"] as const;
export type SimdUnary = (typeof SIMD_UNARY)[number];

const BINARY: Record<SimdBinary, [V, Op]> = {
  add: [V.f32x4_add, Op.f32_add],
  sub: [V.f32x4_sub, Op.f32_sub],
  mul: [V.f32x4_mul, Op.f32_mul],
  div: [V.f32x4_div, Op.f32_div],
  max: [V.f32x4_max, Op.f32_max],
  min: [V.f32x4_min, Op.f32_min],
};

/** Emits the op on the value(s) on the stack; `simd` picks the f32x4 or the f32 form. */
const UNARY: Record<SimdUnary, (f: Func, simd: boolean, x: number) => void> = {
  neg: (f, s, x) => (s ? f.get(x).v(V.f32x4_neg) : f.get(x).op(Op.f32_neg)),
  abs: (f, s, x) => (s ? f.get(x).v(V.f32x4_abs) : f.get(x).op(Op.f32_abs)),
  sqrt: (f, s, x) => (s ? f.get(x).v(V.f32x4_sqrt) : f.get(x).op(Op.f32_sqrt)),
  floor: (f, s, x) => (s ? f.get(x).v(V.f32x4_floor) : f.get(x).op(Op.f32_floor)),
  round: (f, s, x) => (s ? f.get(x).v(V.f32x4_nearest) : f.get(x).op(Op.f32_nearest)),
  reciprocal: (f, s, x) => (s ? f.f32x4(1).get(x).v(V.f32x4_div) : f.f32(1).get(x).op(Op.f32_div)),
};

/**
 * Emits `ew_<op>_<mode>(a, b, o, rows, n, sa, sb)` for every binary op and mode, and
 * `un_<op>(x, o, n)` for every unary op.
 */
export function emitElementwise(m: ModuleBuilder): void {
  for (const name of SIMD_BINARY) {
    const [vop, sop] = BINARY[name];
    for (let mode = 0; mode < 4; mode++) emitBinary(m, `ew_${name}_${mode}`, vop, sop, mode);
  }
  for (const name of SIMD_UNARY) emitUnary(m, `un_${name}`, UNARY[name]);
}

function emitBinary(m: ModuleBuilder, name: string, vop: V, sop: Op, mode: number): void {
  m.func(name, [T.i32, T.i32, T.i32, T.i32, T.i32, T.i32, T.i32], [], (f) => {
    const [a, b, o, rows, n, sa, sb] = [0, 1, 2, 3, 4, 5, 6];
    const r = f.local(T.i32);
    const pa = f.local(T.i32);
    const pb = f.local(T.i32);
    const po = f.local(T.i32);
    const end = f.local(T.i32);
    const end4 = f.local(T.i32);
    const va = f.local(T.v128);
    const vb = f.local(T.v128);
    const sA = f.local(T.f32);
    const sB = f.local(T.f32);
    const aRep = mode === 2 || mode === 3;
    const bRep = mode === 1 || mode === 3;
    f.get(o).set(po);
    f.for(
      r,
      () => f.i32(0),
      () => f.get(rows),
      1,
      () => {
        f.get(a).get(r).get(sa).op(Op.i32_mul).op(Op.i32_add).set(pa);
        f.get(b).get(r).get(sb).op(Op.i32_mul).op(Op.i32_add).set(pb);
        if (aRep) f.get(pa).f32Load().set(sA).get(sA).v(V.f32x4_splat).set(va);
        if (bRep) f.get(pb).f32Load().set(sB).get(sB).v(V.f32x4_splat).set(vb);
        // end = po + n * 4; end4 = po + (n & ~3) * 4
        f.get(po).get(n).i32(4).op(Op.i32_mul).op(Op.i32_add).set(end);
        f.get(po).get(n).i32(~3).op(Op.i32_and).i32(4).op(Op.i32_mul).op(Op.i32_add).set(end4);
        if (mode === 3) {
          // Both repeated: one value for the whole row.
          f.get(va).get(vb).v(vop).set(va);
        }
        f.block((exit) =>
          f.loop((top) => {
            f.get(po).get(end4).op(Op.i32_ge_u).brIf(exit);
            f.get(po);
            if (mode === 3) f.get(va);
            else {
              if (aRep) f.get(va);
              else f.get(pa).vLoad();
              if (bRep) f.get(vb);
              else f.get(pb).vLoad();
              f.v(vop);
            }
            f.vStore();
            if (!aRep) f.get(pa).i32(16).op(Op.i32_add).set(pa);
            if (!bRep) f.get(pb).i32(16).op(Op.i32_add).set(pb);
            f.get(po).i32(16).op(Op.i32_add).set(po);
            f.br(top);
          }),
        );
        f.block((exit) =>
          f.loop((top) => {
            f.get(po).get(end).op(Op.i32_ge_u).brIf(exit);
            f.get(po);
            if (aRep) f.get(sA);
            else f.get(pa).f32Load();
            if (bRep) f.get(sB);
            else f.get(pb).f32Load();
            f.op(sop);
            f.f32Store();
            if (!aRep) f.get(pa).i32(4).op(Op.i32_add).set(pa);
            if (!bRep) f.get(pb).i32(4).op(Op.i32_add).set(pb);
            f.get(po).i32(4).op(Op.i32_add).set(po);
            f.br(top);
          }),
        );
      },
    );
  });
}

function emitUnary(
  m: ModuleBuilder,
  name: string,
  body: (f: Func, simd: boolean, x: number) => void,
): void {
  m.func(name, [T.i32, T.i32, T.i32], [], (f) => {
    const [x, o, n] = [0, 1, 2];
    const end = f.local(T.i32);
    const end4 = f.local(T.i32);
    const vx = f.local(T.v128);
    const sx = f.local(T.f32);
    f.get(o).get(n).i32(4).op(Op.i32_mul).op(Op.i32_add).set(end);
    f.get(o).get(n).i32(~3).op(Op.i32_and).i32(4).op(Op.i32_mul).op(Op.i32_add).set(end4);
    f.block((exit) =>
      f.loop((top) => {
        f.get(o).get(end4).op(Op.i32_ge_u).brIf(exit);
        f.get(x).vLoad().set(vx);
        f.get(o);
        body(f, true, vx);
        f.vStore();
        f.get(x).i32(16).op(Op.i32_add).set(x);
        f.get(o).i32(16).op(Op.i32_add).set(o);
        f.br(top);
      }),
    );
    f.block((exit) =>
      f.loop((top) => {
        f.get(o).get(end).op(Op.i32_ge_u).brIf(exit);
        f.get(x).f32Load().set(sx);
        f.get(o);
        body(f, false, sx);
        f.f32Store();
        f.get(x).i32(4).op(Op.i32_add).set(x);
        f.get(o).i32(4).op(Op.i32_add).set(o);
        f.br(top);
      }),
    );
  });
}
