/**
 * Float32 reductions in wasm SIMD, for the two layouts every reduction over sorted axes of a dense
 * array decomposes into (see `kernels/reduce.ts`):
 *
 * - `red_rows_<op>(x, o, rows, n)`: o[r] = op over the contiguous span x[r * n .. (r + 1) * n)
 *   (a last-axis sum, a softmax max);
 * - `red_cols_<op>(x, acc, rows, n)`: acc[j] = acc[j] op x[r * n + j] for every row r (a batch
 *   sum of an (N, C) gradient, the mean of BatchNormalization over N, H, W).
 *
 * Sums accumulate in float64 (f64x2 pairs), like the CPU oracle, so long sums with cancellation
 * keep the oracle's accuracy; `red_cols_sum` accumulates into a float64 array that
 * `f64_to_f32(acc, o, n)` rounds once at the end. Max and min use `f32x4.max`/`min`, which
 * propagate NaN like the oracle.
 */
import { Op, T, V, type Func, type ModuleBuilder } from "./wasmblr";

export const SIMD_REDUCE = ["sum", "max", "min"] as const;
export type SimdReduce = (typeof SIMD_REDUCE)[number];

/** Lanes 2, 3 of the first operand moved to lanes 0, 1 (for promoting the high half). */
const HIGH_HALF = [8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15];

/** Adds the f32x4 `v` into two f64x2 accumulators (low and high lane pairs). */
function addPromoted(f: Func, v: number, lo: number, hi: number): void {
  f.get(lo).get(v).v(V.f64x2_promote_low_f32x4).v(V.f64x2_add).set(lo);
  f.get(hi).get(v).get(v).shuffle(HIGH_HALF).v(V.f64x2_promote_low_f32x4).v(V.f64x2_add).set(hi);
}

export function emitReduce(m: ModuleBuilder): void {
  // red_rows_sum(x, o, rows, n)
  m.func("red_rows_sum", [T.i32, T.i32, T.i32, T.i32], [], (f) => {
    const [x, o, rows, n] = [0, 1, 2, 3];
    const r = f.local(T.i32);
    const end = f.local(T.i32);
    const end4 = f.local(T.i32);
    const v = f.local(T.v128);
    const lo = f.local(T.v128);
    const hi = f.local(T.v128);
    const s = f.local(T.f64);
    f.for(
      r,
      () => f.i32(0),
      () => f.get(rows),
      1,
      () => {
        f.get(x).get(n).i32(4).op(Op.i32_mul).op(Op.i32_add).set(end);
        f.get(x).get(n).i32(~3).op(Op.i32_and).i32(4).op(Op.i32_mul).op(Op.i32_add).set(end4);
        f.f32x4(0).set(lo).f32x4(0).set(hi);
        f.block((exit) =>
          f.loop((top) => {
            f.get(x).get(end4).op(Op.i32_ge_u).brIf(exit);
            f.get(x).vLoad().set(v);
            addPromoted(f, v, lo, hi);
            f.get(x).i32(16).op(Op.i32_add).set(x);
            f.br(top);
          }),
        );
        // s = lo[0] + lo[1] + hi[0] + hi[1], then the tail in order.
        f.get(lo).get(hi).v(V.f64x2_add).set(lo);
        f.get(lo).lane(V.f64x2_extract_lane, 0).get(lo).lane(V.f64x2_extract_lane, 1).op(Op.f64_add).set(s);
        f.block((exit) =>
          f.loop((top) => {
            f.get(x).get(end).op(Op.i32_ge_u).brIf(exit);
            f.get(s).get(x).f32Load().op(Op.f64_promote_f32).op(Op.f64_add).set(s);
            f.get(x).i32(4).op(Op.i32_add).set(x);
            f.br(top);
          }),
        );
        f.get(o).get(s).op(Op.f32_demote_f64).f32Store();
        f.get(o).i32(4).op(Op.i32_add).set(o);
      },
    );
  });

  for (const [name, vop, sop, init] of [
    ["max", V.f32x4_max, Op.f32_max, -Infinity],
    ["min", V.f32x4_min, Op.f32_min, Infinity],
  ] as const) {
    m.func(`red_rows_${name}`, [T.i32, T.i32, T.i32, T.i32], [], (f) => {
      const [x, o, rows, n] = [0, 1, 2, 3];
      const r = f.local(T.i32);
      const end = f.local(T.i32);
      const end4 = f.local(T.i32);
      const acc = f.local(T.v128);
      const s = f.local(T.f32);
      f.for(
        r,
        () => f.i32(0),
        () => f.get(rows),
        1,
        () => {
          f.get(x).get(n).i32(4).op(Op.i32_mul).op(Op.i32_add).set(end);
          f.get(x).get(n).i32(~3).op(Op.i32_and).i32(4).op(Op.i32_mul).op(Op.i32_add).set(end4);
          f.f32x4(init).set(acc);
          f.block((exit) =>
            f.loop((top) => {
              f.get(x).get(end4).op(Op.i32_ge_u).brIf(exit);
              f.get(acc).get(x).vLoad().v(vop).set(acc);
              f.get(x).i32(16).op(Op.i32_add).set(x);
              f.br(top);
            }),
          );
          f.get(acc).lane(V.f32x4_extract_lane, 0).get(acc).lane(V.f32x4_extract_lane, 1).op(sop);
          f.get(acc).lane(V.f32x4_extract_lane, 2).get(acc).lane(V.f32x4_extract_lane, 3).op(sop);
          f.op(sop).set(s);
          f.block((exit) =>
            f.loop((top) => {
              f.get(x).get(end).op(Op.i32_ge_u).brIf(exit);
              f.get(s).get(x).f32Load().op(sop).set(s);
              f.get(x).i32(4).op(Op.i32_add).set(x);
              f.br(top);
            }),
          );
          f.get(o).get(s).f32Store();
          f.get(o).i32(4).op(Op.i32_add).set(o);
        },
      );
    });
  }

  // red_cols_sum(x, acc64, rows, n): acc64[j] += x[r, j].
  m.func("red_cols_sum", [T.i32, T.i32, T.i32, T.i32], [], (f) => {
    const [x, acc, rows, n] = [0, 1, 2, 3];
    const r = f.local(T.i32);
    const pa = f.local(T.i32);
    const end = f.local(T.i32);
    const end4 = f.local(T.i32);
    const v = f.local(T.v128);
    const lo = f.local(T.v128);
    const hi = f.local(T.v128);
    f.for(
      r,
      () => f.i32(0),
      () => f.get(rows),
      1,
      () => {
        f.get(acc).set(pa);
        f.get(x).get(n).i32(4).op(Op.i32_mul).op(Op.i32_add).set(end);
        f.get(x).get(n).i32(~3).op(Op.i32_and).i32(4).op(Op.i32_mul).op(Op.i32_add).set(end4);
        f.block((exit) =>
          f.loop((top) => {
            f.get(x).get(end4).op(Op.i32_ge_u).brIf(exit);
            f.get(x).vLoad().set(v);
            f.get(pa).vLoad().set(lo);
            f.get(pa).vLoad(16).set(hi);
            addPromoted(f, v, lo, hi);
            f.get(pa).get(lo).vStore();
            f.get(pa).get(hi).vStore(16);
            f.get(x).i32(16).op(Op.i32_add).set(x);
            f.get(pa).i32(32).op(Op.i32_add).set(pa);
            f.br(top);
          }),
        );
        f.block((exit) =>
          f.loop((top) => {
            f.get(x).get(end).op(Op.i32_ge_u).brIf(exit);
            f.get(pa).get(pa).f64Load().get(x).f32Load().op(Op.f64_promote_f32).op(Op.f64_add).f64Store();
            f.get(x).i32(4).op(Op.i32_add).set(x);
            f.get(pa).i32(8).op(Op.i32_add).set(pa);
            f.br(top);
          }),
        );
      },
    );
  });

  for (const [name, vop, sop] of [
    ["max", V.f32x4_max, Op.f32_max],
    ["min", V.f32x4_min, Op.f32_min],
  ] as const) {
    // red_cols_<op>(x, acc32, rows, n): acc32[j] = op(acc32[j], x[r, j]).
    m.func(`red_cols_${name}`, [T.i32, T.i32, T.i32, T.i32], [], (f) => {
      const [x, acc, rows, n] = [0, 1, 2, 3];
      const r = f.local(T.i32);
      const pa = f.local(T.i32);
      const end = f.local(T.i32);
      const end4 = f.local(T.i32);
      f.for(
        r,
        () => f.i32(0),
        () => f.get(rows),
        1,
        () => {
          f.get(acc).set(pa);
          f.get(x).get(n).i32(4).op(Op.i32_mul).op(Op.i32_add).set(end);
          f.get(x).get(n).i32(~3).op(Op.i32_and).i32(4).op(Op.i32_mul).op(Op.i32_add).set(end4);
          f.block((exit) =>
            f.loop((top) => {
              f.get(x).get(end4).op(Op.i32_ge_u).brIf(exit);
              f.get(pa).get(pa).vLoad().get(x).vLoad().v(vop).vStore();
              f.get(x).i32(16).op(Op.i32_add).set(x);
              f.get(pa).i32(16).op(Op.i32_add).set(pa);
              f.br(top);
            }),
          );
          f.block((exit) =>
            f.loop((top) => {
              f.get(x).get(end).op(Op.i32_ge_u).brIf(exit);
              f.get(pa).get(pa).f32Load().get(x).f32Load().op(sop).f32Store();
              f.get(x).i32(4).op(Op.i32_add).set(x);
              f.get(pa).i32(4).op(Op.i32_add).set(pa);
              f.br(top);
            }),
          );
        },
      );
    });
  }

  // f64_to_f32(src, dst, n)
  m.func("f64_to_f32", [T.i32, T.i32, T.i32], [], (f) => {
    const [src, dst, n] = [0, 1, 2];
    const i = f.local(T.i32);
    f.for(
      i,
      () => f.i32(0),
      () => f.get(n),
      1,
      () => {
        f.get(dst).get(src).f64Load().op(Op.f32_demote_f64).f32Store();
        f.get(src).i32(8).op(Op.i32_add).set(src);
        f.get(dst).i32(4).op(Op.i32_add).set(dst);
      },
    );
  });
}
