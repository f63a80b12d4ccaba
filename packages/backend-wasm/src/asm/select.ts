/**
 * Broadcasting copy, `where` and float32 comparisons in wasm SIMD: the backward pass of almost
 * every network is made of these (the gradient of a sum is a broadcast, of relu a compare and two
 * selects), so they must not fall back to per-element JavaScript.
 *
 * All use the 2-d row form of `elementwise.ts`: `rows` rows of `n` dense outputs, operand row r at
 * `ptr + r * stride` bytes, each operand contiguous or one value repeated along the row (the
 * generated function name carries one digit per operand: 0 contiguous, 1 repeated).
 * - `copy_<m>(src, dst, rows, n, ss)`: 4-byte elements (float32 or int32, bit-exact).
 * - `where_<mc><mx><my>(c, x, y, o, rows, n, sc, sx, sy)`: c is bool (1 byte), x, y, o 4-byte.
 * - `cmp_<op>_<ma><mb>(a, b, o, rows, n, sa, sb)`: float32 in, bool (0/1 bytes) out; NaN compares
 *   false except for `ne`, as in JavaScript.
 */
import { Op, T, V, type Func, type ModuleBuilder } from "./wasmblr";

export const SIMD_COMPARE = ["eq", "ne", "lt", "le"] as const;
export type SimdCompare = (typeof SIMD_COMPARE)[number];

const COMPARE: Record<SimdCompare, [V, Op]> = {
  eq: [V.f32x4_eq, Op.f32_eq],
  ne: [V.f32x4_ne, Op.f32_ne],
  lt: [V.f32x4_lt, Op.f32_lt],
  le: [V.f32x4_le, Op.f32_le],
};

/** `for (r = 0; r < rows; r++)` with `rowStart(r)` run first in each iteration. */
function rowLoop(f: Func, rows: number, rowStart: (r: number) => void): void {
  const r = f.local(T.i32);
  f.for(
    r,
    () => f.i32(0),
    () => f.get(rows),
    1,
    () => rowStart(r),
  );
}

/** p = base + r * stride */
function rowPtr(f: Func, p: number, base: number, r: number, stride: number): void {
  f.get(base).get(r).get(stride).op(Op.i32_mul).op(Op.i32_add).set(p);
}

/** A loop `while (o < end) { body; advance }` over byte pointer `o`. */
function span(f: Func, o: number, end: number, body: () => void): void {
  f.block((exit) =>
    f.loop((top) => {
      f.get(o).get(end).op(Op.i32_ge_u).brIf(exit);
      body();
      f.br(top);
    }),
  );
}

const add = (f: Func, p: number, bytes: number) => f.get(p).i32(bytes).op(Op.i32_add).set(p);

export function emitSelect(m: ModuleBuilder): void {
  for (const mode of [0, 1]) {
    m.func(`copy_${mode}`, [T.i32, T.i32, T.i32, T.i32, T.i32], [], (f) => {
      const [src, dst, rows, n, ss] = [0, 1, 2, 3, 4];
      const ps = f.local(T.i32);
      const po = f.local(T.i32);
      const end = f.local(T.i32);
      const end4 = f.local(T.i32);
      const v = f.local(T.v128);
      const s = f.local(T.f32);
      f.get(dst).set(po);
      rowLoop(f, rows, (r) => {
        rowPtr(f, ps, src, r, ss);
        if (mode === 0) {
          f.get(po).get(ps).get(n).i32(2).op(Op.i32_shl).memoryCopy();
          f.get(po).get(n).i32(2).op(Op.i32_shl).op(Op.i32_add).set(po);
          return;
        }
        f.get(ps).f32Load().tee(s).v(V.f32x4_splat).set(v);
        f.get(po).get(n).i32(2).op(Op.i32_shl).op(Op.i32_add).set(end);
        f.get(po).get(n).i32(~3).op(Op.i32_and).i32(2).op(Op.i32_shl).op(Op.i32_add).set(end4);
        span(f, po, end4, () => {
          f.get(po).get(v).vStore();
          add(f, po, 16);
        });
        span(f, po, end, () => {
          f.get(po).get(s).f32Store();
          add(f, po, 4);
        });
      });
    });
  }

  for (const mc of [0, 1])
    for (const mx of [0, 1])
      for (const my of [0, 1]) emitWhere(m, mc === 1, mx === 1, my === 1);

  for (const name of Object.keys(COMPARE) as SimdCompare[])
    for (const ma of [0, 1]) for (const mb of [0, 1]) emitCompare(m, name, ma === 1, mb === 1);
}

function emitWhere(m: ModuleBuilder, cRep: boolean, xRep: boolean, yRep: boolean): void {
  const name = `where_${+cRep}${+xRep}${+yRep}`;
  m.func(name, [T.i32, T.i32, T.i32, T.i32, T.i32, T.i32, T.i32, T.i32, T.i32], [], (f) => {
    const [c, x, y, o, rows, n, sc, sx, sy] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
    const [pc, px, py, po, end, end4] = [0, 0, 0, 0, 0, 0].map(() => f.local(T.i32));
    const [vm, vx, vy] = [0, 0, 0].map(() => f.local(T.v128));
    const [sx_, sy_] = [0, 0].map(() => f.local(T.f32));
    const cs = f.local(T.i32);
    f.get(o).set(po);
    rowLoop(f, rows, (r) => {
      rowPtr(f, pc, c, r, sc);
      rowPtr(f, px, x, r, sx);
      rowPtr(f, py, y, r, sy);
      if (cRep) {
        // All-ones or all-zeros mask from the one condition byte.
        f.i32(0).get(pc).u8Load().op(Op.i32_sub).tee(cs).v(V.i32x4_splat).set(vm);
      }
      if (xRep) f.get(px).f32Load().tee(sx_).v(V.f32x4_splat).set(vx);
      if (yRep) f.get(py).f32Load().tee(sy_).v(V.f32x4_splat).set(vy);
      f.get(po).get(n).i32(2).op(Op.i32_shl).op(Op.i32_add).set(end);
      f.get(po).get(n).i32(~3).op(Op.i32_and).i32(2).op(Op.i32_shl).op(Op.i32_add).set(end4);
      span(f, po, end4, () => {
        f.get(po);
        if (xRep) f.get(vx);
        else f.get(px).vLoad();
        if (yRep) f.get(vy);
        else f.get(py).vLoad();
        if (cRep) f.get(vm);
        else {
          // 4 condition bytes -> 4 i32 lanes -> lane mask (bytes are 0 or 1).
          f.get(pc).vLoad32Zero().v(V.i16x8_extend_low_i8x16_u).v(V.i32x4_extend_low_i16x8_u);
          f.i32x4(0).v(V.i32x4_ne);
        }
        f.v(V.bitselect).vStore();
        if (!cRep) add(f, pc, 4);
        if (!xRep) add(f, px, 16);
        if (!yRep) add(f, py, 16);
        add(f, po, 16);
      });
      span(f, po, end, () => {
        f.get(po);
        if (xRep) f.get(sx_);
        else f.get(px).f32Load();
        if (yRep) f.get(sy_);
        else f.get(py).f32Load();
        if (cRep) f.get(cs);
        else f.get(pc).u8Load();
        f.op(Op.select).f32Store();
        if (!cRep) add(f, pc, 1);
        if (!xRep) add(f, px, 4);
        if (!yRep) add(f, py, 4);
        add(f, po, 4);
      });
    });
  });
}

function emitCompare(m: ModuleBuilder, name: SimdCompare, aRep: boolean, bRep: boolean): void {
  const [vop, sop] = COMPARE[name];
  m.func(`cmp_${name}_${+aRep}${+bRep}`, [T.i32, T.i32, T.i32, T.i32, T.i32, T.i32, T.i32], [], (f) => {
    const [a, b, o, rows, n, sa, sb] = [0, 1, 2, 3, 4, 5, 6];
    const [pa, pb, po, end, end16] = [0, 0, 0, 0, 0].map(() => f.local(T.i32));
    const [va, vb] = [0, 0].map(() => f.local(T.v128));
    const [sa_, sb_] = [0, 0].map(() => f.local(T.f32));
    const masks = [0, 0, 0, 0].map(() => f.local(T.v128));
    f.get(o).set(po);
    rowLoop(f, rows, (r) => {
      rowPtr(f, pa, a, r, sa);
      rowPtr(f, pb, b, r, sb);
      if (aRep) f.get(pa).f32Load().tee(sa_).v(V.f32x4_splat).set(va);
      if (bRep) f.get(pb).f32Load().tee(sb_).v(V.f32x4_splat).set(vb);
      f.get(po).get(n).op(Op.i32_add).set(end);
      f.get(po).get(n).i32(~15).op(Op.i32_and).op(Op.i32_add).set(end16);
      // 16 outputs per step: four f32x4 masks narrowed to 16 bytes of 0 / -1, then & 1.
      span(f, po, end16, () => {
        for (let q = 0; q < 4; q++) {
          if (aRep) f.get(va);
          else f.get(pa).vLoad(16 * q);
          if (bRep) f.get(vb);
          else f.get(pb).vLoad(16 * q);
          f.v(vop).set(masks[q]);
        }
        f.get(po);
        f.get(masks[0]).get(masks[1]).v(V.i16x8_narrow_i32x4_s);
        f.get(masks[2]).get(masks[3]).v(V.i16x8_narrow_i32x4_s);
        f.v(V.i8x16_narrow_i16x8_s);
        f.i32x4(0x01010101).v(V.and).vStore();
        if (!aRep) add(f, pa, 64);
        if (!bRep) add(f, pb, 64);
        add(f, po, 16);
      });
      span(f, po, end, () => {
        f.get(po);
        if (aRep) f.get(sa_);
        else f.get(pa).f32Load();
        if (bRep) f.get(sb_);
        else f.get(pb).f32Load();
        f.op(sop).u8Store();
        if (!aRep) add(f, pa, 4);
        if (!bRep) add(f, pb, 4);
        add(f, po, 1);
      });
    });
  });
}
