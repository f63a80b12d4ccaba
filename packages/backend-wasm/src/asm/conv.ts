/**
 * Patch movement for convolution in wasm: `im2col` gathers a chunk of the patch matrix (rows =
 * output positions, columns = kernel taps x channels of one group, the layout of the kernel
 * tensor) and `col2im` scatter-adds such a chunk back into an input-shaped gradient. Channels of
 * one tap are contiguous in a channels-last tensor, so each tap is one copy of `cg` floats, in
 * f32x4 steps. The geometry (normalized to 3 spatial dims) is read from an int32 block in memory
 * (`GEOM_FIELDS` order) because it does not fit in a handful of arguments.
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
    const [r, n, od, oh, ow, kd, kh, kw, id, ih, iw, okD, okH, rowBase, dst, src, t] = Array.from(
      { length: 17 },
      () => f.local(T.i32),
    );
    const cg4 = f.local(T.i32);
    const c = f.local(T.i32);
    const mul = (a: number, b: number) => f.get(a).get(b).op(Op.i32_mul);
    // Decode r0 into (n, od, oh, ow).
    f.get(r0).get(g.OW).op(Op.i32_rem_u).set(ow);
    f.get(r0).get(g.OW).op(Op.i32_div_u).set(t);
    f.get(t).get(g.OH).op(Op.i32_rem_u).set(oh);
    f.get(t).get(g.OH).op(Op.i32_div_u).set(t);
    f.get(t).get(g.OD).op(Op.i32_rem_u).set(od);
    f.get(t).get(g.OD).op(Op.i32_div_u).set(n);
    f.get(g.cg).i32(~3).op(Op.i32_and).set(cg4);
    f.get(buf).set(dst);
    // Whether 0 <= v < limit (unsigned compare folds both tests).
    const inRange = (v: number, limit: number) => f.get(v).get(limit).op(Op.i32_lt_u);
    f.for(
      r,
      () => f.get(r0),
      () => f.get(r1),
      1,
      () => {
        f.for(
          kd,
          () => f.i32(0),
          () => f.get(g.KD),
          1,
          () => {
            mul(od, g.sd).get(g.pd).op(Op.i32_sub);
            mul(kd, g.dd).op(Op.i32_add).set(id);
            inRange(id, g.D).set(okD);
            f.for(
              kh,
              () => f.i32(0),
              () => f.get(g.KH),
              1,
              () => {
                mul(oh, g.sh).get(g.ph).op(Op.i32_sub);
                mul(kh, g.dh).op(Op.i32_add).set(ih);
                inRange(ih, g.H).get(okD).op(Op.i32_and).set(okH);
                // rowBase = ((n * D + id) * H + ih) * W
                mul(n, g.D).get(id).op(Op.i32_add).get(g.H).op(Op.i32_mul);
                f.get(ih).op(Op.i32_add).get(g.W).op(Op.i32_mul).set(rowBase);
                f.for(
                  kw,
                  () => f.i32(0),
                  () => f.get(g.KW),
                  1,
                  () => {
                    mul(ow, g.sw).get(g.pw).op(Op.i32_sub);
                    mul(kw, g.dw).op(Op.i32_add).set(iw);
                    inRange(iw, g.W).get(okH).op(Op.i32_and);
                    f.if(
                      () => {
                        // src = x + ((rowBase + iw) * C + c0) * 4
                        f.get(rowBase).get(iw).op(Op.i32_add).get(g.C).op(Op.i32_mul);
                        f.get(c0).op(Op.i32_add).i32(2).op(Op.i32_shl).get(x).op(Op.i32_add).set(src);
                        copyChannels(f, src, dst, c, cg4, g.cg, scatter);
                      },
                      scatter
                        ? undefined
                        : () => {
                            f.for(
                              c,
                              () => f.i32(0),
                              () => f.get(g.cg),
                              1,
                              () => {
                                f.get(dst).get(c).i32(2).op(Op.i32_shl).op(Op.i32_add).f32(0).f32Store();
                              },
                            );
                          },
                    );
                    f.get(g.cg).i32(2).op(Op.i32_shl).get(dst).op(Op.i32_add).set(dst);
                  },
                );
              },
            );
          },
        );
        // Advance (n, od, oh, ow).
        f.get(ow).i32(1).op(Op.i32_add).tee(ow).get(g.OW).op(Op.i32_eq);
        f.if(() => {
          f.i32(0).set(ow);
          f.get(oh).i32(1).op(Op.i32_add).tee(oh).get(g.OH).op(Op.i32_eq);
          f.if(() => {
            f.i32(0).set(oh);
            f.get(od).i32(1).op(Op.i32_add).tee(od).get(g.OD).op(Op.i32_eq);
            f.if(() => {
              f.i32(0).set(od);
              f.get(n).i32(1).op(Op.i32_add).set(n);
            });
          });
        });
      },
    );
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
