/**
 * Patch movement for convolution in wasm: `im2col` gathers a chunk of the patch matrix (rows =
 * output positions, columns = kernel taps x channels of one group, the layout of the kernel
 * tensor) and `col2im` scatter-adds such a chunk back into an input-shaped gradient. The geometry
 * (normalized to 3 spatial dims) is read from an int32 block in memory (`GEOM_FIELDS` order)
 * because it does not fit in a handful of arguments.
 *
 * Loop order: for each output image row (n, od, oh) in the chunk and each tap (kd, kh, kw), the
 * range of output columns ow whose input column is inside the image is computed once, so the
 * inner loop over ow is a plain strided copy of `cg` channels (straight-line f32x4 copies for 4, 8
 * and 16 channels, about twice as fast as the general f32x4 loop; one scalar for one channel)
 * with no bounds checks; the columns outside the range are padding (zeros
 * for im2col, skipped by col2im).
 */
import { Op, T, V, type Func, type ModuleBuilder } from "./wasmblr";

/** Order of the int32 geometry block passed to `im2col` / `col2im`. */
export const GEOM_FIELDS = [
  "D",
  "H",
  "W",
  "C",
  "KD",
  "KH",
  "KW",
  "OD",
  "OH",
  "OW",
  "sd",
  "sh",
  "sw",
  "dd",
  "dh",
  "dw",
  "pd",
  "ph",
  "pw",
  "cg",
] as const;

export function emitConv(m: ModuleBuilder): void {
  for (const scatter of [false, true]) emitPatches(m, scatter ? "col2im" : "im2col", scatter);
}

/**
 * `im2col(geom, x, buf, c0, r0, r1)`: buf[(r - r0) * kc + tap * cg + c] = x[..., c0 + c] (0 for
 * padding taps). `col2im(geom, x, buf, c0, r0, r1)`: x[..., c0 + c] += buf[...] (padding dropped).
 */
function emitPatches(m: ModuleBuilder, name: string, scatter: boolean): void {
  m.func(name, [T.i32, T.i32, T.i32, T.i32, T.i32, T.i32], [], (f) => {
    const [geom, x, buf, c0, r0, r1] = [0, 1, 2, 3, 4, 5];
    const g: Record<string, number> = {};
    GEOM_FIELDS.forEach((k, i) => {
      g[k] = f.local(T.i32);
      f.get(geom).i32Load(4 * i).set(g[k]);
    });
    const L = () => f.local(T.i32);
    const [r, n, od, oh, ow0, owEnd, kd, kh, kw, id, ih, iw0, okH, rowDst, tapDst, lo, hi, t] = Array.from(
      { length: 18 },
      L,
    );
    const [kcBytes, srcStep, cg4, src, dst, ow, c, cgBytes, rowSrc] = Array.from({ length: 9 }, L);
    const mul = (a: number, b: number) => f.get(a).get(b).op(Op.i32_mul);
    // kc * 4: bytes per patch row; sw * C * 4: input bytes between consecutive ow.
    mul(g.KD, g.KH).get(g.KW).op(Op.i32_mul).get(g.cg).op(Op.i32_mul).i32(2).op(Op.i32_shl).set(kcBytes);
    mul(g.sw, g.C).i32(2).op(Op.i32_shl).set(srcStep);
    f.get(g.cg).i32(~3).op(Op.i32_and).set(cg4);
    f.get(g.cg).i32(2).op(Op.i32_shl).set(cgBytes);
    f.get(r0).set(r);
    f.block((done) =>
      f.loop((nextRow) => {
        f.get(r).get(r1).op(Op.i32_ge_s).brIf(done);
        // Decode r into (n, od, oh, ow0); this pass covers ow0 .. owEnd of that image row.
        f.get(r).get(g.OW).op(Op.i32_rem_u).set(ow0);
        f.get(r).get(g.OW).op(Op.i32_div_u).set(t);
        f.get(t).get(g.OH).op(Op.i32_rem_u).set(oh);
        f.get(t).get(g.OH).op(Op.i32_div_u).set(t);
        f.get(t).get(g.OD).op(Op.i32_rem_u).set(od);
        f.get(t).get(g.OD).op(Op.i32_div_u).set(n);
        // owEnd = min(OW, ow0 + r1 - r)
        f.get(ow0).get(r1).op(Op.i32_add).get(r).op(Op.i32_sub).set(owEnd);
        f.get(g.OW).get(owEnd).op(Op.i32_lt_s).if(() => f.get(g.OW).set(owEnd));
        f.get(r).get(r0).op(Op.i32_sub).get(kcBytes).op(Op.i32_mul).get(buf).op(Op.i32_add).set(rowDst);
        f.get(rowDst).set(tapDst);
        f.for(kd, () => f.i32(0), () => f.get(g.KD), 1, () => {
          mul(od, g.sd).get(g.pd).op(Op.i32_sub);
          mul(kd, g.dd).op(Op.i32_add).set(id);
          f.for(kh, () => f.i32(0), () => f.get(g.KH), 1, () => {
            mul(oh, g.sh).get(g.ph).op(Op.i32_sub);
            mul(kh, g.dh).op(Op.i32_add).set(ih);
            f.get(id).get(g.D).op(Op.i32_lt_u).get(ih).get(g.H).op(Op.i32_lt_u).op(Op.i32_and).set(okH);
            // rowSrc = x + (((n * D + id) * H + ih) * W * C + c0) * 4   (column 0 of the input row)
            mul(n, g.D).get(id).op(Op.i32_add).get(g.H).op(Op.i32_mul).get(ih).op(Op.i32_add);
            f.get(g.W).op(Op.i32_mul).get(g.C).op(Op.i32_mul).get(c0).op(Op.i32_add);
            f.i32(2).op(Op.i32_shl).get(x).op(Op.i32_add).set(rowSrc);
            f.for(kw, () => f.i32(0), () => f.get(g.KW), 1, () => {
              // iw = ow * sw + iw0; real columns: lo <= ow < hi.
              mul(kw, g.dw).get(g.pw).op(Op.i32_sub).set(iw0);
              f.get(okH).if(
                () => {
                  // lo = max(ow0, ceil(-iw0 / sw))
                  f.get(ow0).set(lo);
                  f.get(iw0).i32(0).op(Op.i32_lt_s).if(() => {
                    f.i32(0).get(iw0).op(Op.i32_sub).get(g.sw).op(Op.i32_add).i32(1).op(Op.i32_sub);
                    f.get(g.sw).op(Op.i32_div_u).set(t);
                    f.get(t).get(lo).op(Op.i32_gt_s).if(() => f.get(t).set(lo));
                  });
                  // hi = min(owEnd, floor((W - 1 - iw0) / sw) + 1), at least lo
                  f.get(owEnd).set(hi);
                  f.get(g.W).i32(1).op(Op.i32_sub).get(iw0).op(Op.i32_sub).set(t);
                  f.get(t).i32(0).op(Op.i32_lt_s).if(
                    () => f.get(lo).set(hi),
                    () => {
                      f.get(t).get(g.sw).op(Op.i32_div_u).i32(1).op(Op.i32_add).set(t);
                      f.get(t).get(hi).op(Op.i32_lt_s).if(() => f.get(t).set(hi));
                    },
                  );
                  f.get(hi).get(lo).op(Op.i32_lt_s).if(() => f.get(lo).set(hi));
                },
                () => {
                  f.get(ow0).set(lo);
                  f.get(ow0).set(hi);
                },
              );
              // Padding columns [ow0, lo) and [hi, owEnd): zeros (im2col only).
              if (!scatter) {
                zeroColumns(f, tapDst, ow0, ow0, lo, kcBytes, cgBytes, dst, ow, c);
                zeroColumns(f, tapDst, ow0, hi, owEnd, kcBytes, cgBytes, dst, ow, c);
              }
              // Real columns: src = rowSrc + (lo * sw + iw0) * C * 4.
              f.get(lo).get(g.sw).op(Op.i32_mul).get(iw0).op(Op.i32_add).get(g.C).op(Op.i32_mul);
              f.i32(2).op(Op.i32_shl).get(rowSrc).op(Op.i32_add).set(src);
              f.get(lo).get(ow0).op(Op.i32_sub).get(kcBytes).op(Op.i32_mul).get(tapDst).op(Op.i32_add).set(dst);
              f.get(g.cg).i32(1).op(Op.i32_eq).if(
                () =>
                  f.for(ow, () => f.get(lo), () => f.get(hi), 1, () => {
                    if (scatter) f.get(src).get(src).f32Load().get(dst).f32Load().op(Op.f32_add).f32Store();
                    else f.get(dst).get(src).f32Load().f32Store();
                    f.get(src).get(srcStep).op(Op.i32_add).set(src);
                    f.get(dst).get(kcBytes).op(Op.i32_add).set(dst);
                  }),
                () => {
                  // 4, 8 or 16 channels (the common layer widths): straight-line vector copies
                  // at constant offsets; other counts: the general channel loop.
                  const columns = (copy: () => void) =>
                    f.for(ow, () => f.get(lo), () => f.get(hi), 1, () => {
                      copy();
                      f.get(src).get(srcStep).op(Op.i32_add).set(src);
                      f.get(dst).get(kcBytes).op(Op.i32_add).set(dst);
                    });
                  const fixed = (vectors: number) => () =>
                    columns(() => {
                      for (let q = 0; q < vectors; q++) {
                        if (scatter) f.get(src).get(src).vLoad(16 * q).get(dst).vLoad(16 * q).v(V.f32x4_add).vStore(16 * q);
                        else f.get(dst).get(src).vLoad(16 * q).vStore(16 * q);
                      }
                    });
                  f.get(g.cg).i32(4).op(Op.i32_eq).if(fixed(1), () =>
                    f.get(g.cg).i32(8).op(Op.i32_eq).if(fixed(2), () =>
                      f.get(g.cg).i32(16).op(Op.i32_eq).if(fixed(4), () =>
                        columns(() => copyChannels(f, src, dst, c, cg4, g.cg, scatter)),
                      ),
                    ),
                  );
                },
              );
              f.get(tapDst).get(cgBytes).op(Op.i32_add).set(tapDst);
            });
          });
        });
        f.get(r).get(owEnd).op(Op.i32_add).get(ow0).op(Op.i32_sub).set(r);
        f.br(nextRow);
      }),
    );
  });
}

/** Zeroes `cg` floats at tapDst + (ow - ow0) * kc for ow in [from, to). */
function zeroColumns(
  f: Func,
  tapDst: number,
  ow0: number,
  from: number,
  to: number,
  kcBytes: number,
  cgBytes: number,
  dst: number,
  ow: number,
  c: number,
): void {
  f.for(ow, () => f.get(from), () => f.get(to), 1, () => {
    f.get(ow).get(ow0).op(Op.i32_sub).get(kcBytes).op(Op.i32_mul).get(tapDst).op(Op.i32_add).set(dst);
    f.for(c, () => f.i32(0), () => f.get(cgBytes), 4, () => {
      f.get(dst).get(c).op(Op.i32_add).f32(0).f32Store();
    });
  });
}

/** Copies (or, when scatter, adds back) `cg` floats between x at `src` and the chunk at `dst`. */
function copyChannels(
  f: Func,
  src: number,
  dst: number,
  c: number,
  cg4: number,
  cg: number,
  scatter: boolean,
): void {
  const at = (base: number) => f.get(base).get(c).i32(2).op(Op.i32_shl).op(Op.i32_add);
  f.for(
    c,
    () => f.i32(0),
    () => f.get(cg4),
    4,
    () => {
      if (scatter) {
        at(src);
        at(src).vLoad();
        at(dst).vLoad();
        f.v(V.f32x4_add).vStore();
      } else {
        at(dst);
        at(src).vLoad();
        f.vStore();
      }
    },
  );
  f.for(
    c,
    () => f.get(cg4),
    () => f.get(cg),
    1,
    () => {
      if (scatter) {
        at(src);
        at(src).f32Load();
        at(dst).f32Load();
        f.op(Op.f32_add).f32Store();
      } else {
        at(dst);
        at(src).f32Load();
        f.f32Store();
      }
    },
  );
}
