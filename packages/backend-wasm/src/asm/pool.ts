/**
 * Max and average pooling and their gradients in wasm SIMD, channels-last, 1 to 3 spatial dims
 * (normalized to 3), four channels per f32x4; the TypeScript kernel handles channel counts that
 * are not a multiple of 4. Semantics follow the CPU oracle: padded taps never take part; a max
 * with no real tap is -inf; the max gradient goes to the first maximal tap in window order, NaN
 * counting as the maximum; the average divides by the real taps unless `countIncludePad`.
 *
 * `pool_<kind>(geom, rows, x, out, includePad)` / `pool_<kind>_bwd(geom, rows, x, dy, dx,
 * includePad)`: `geom` is the int32 block of `conv.ts` (`GEOM_FIELDS`, with cg = C), `rows` the
 * number of output positions N * OD * OH * OW. `dx` must be zeroed by the caller.
 */
import { GEOM_FIELDS } from "./conv";
import { Op, T, V, type Func, type ModuleBuilder } from "./wasmblr";

interface Ctx {
  g: Record<string, number>;
  n: number;
  od: number;
  oh: number;
  ow: number;
}

/** Loads the geometry block and sets up the (n, od, oh, ow) odometer from position 0. */
function prologue(f: Func, geom: number): Ctx {
  const g: Record<string, number> = {};
  GEOM_FIELDS.forEach((k, i) => {
    g[k] = f.local(T.i32);
    f.get(geom).i32Load(4 * i).set(g[k]);
  });
  const [n, od, oh, ow] = [0, 0, 0, 0].map(() => f.local(T.i32));
  for (const l of [n, od, oh, ow]) f.i32(0).set(l);
  return { g, n, od, oh, ow };
}

function advance(f: Func, c: Ctx): void {
  const { g, n, od, oh, ow } = c;
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
}

/**
 * Emits the window loops of the current position; `body()` runs for every real tap with `src`
 * = byte address of x[n, id, ih, iw, c] (channel offset `c` in elements).
 */
function forTaps(f: Func, cx: Ctx, x: number, c: number, src: number, body: () => void): void {
  const { g, n, od, oh, ow } = cx;
  const [kd, kh, kw, id, ih, iw, rowBase] = [0, 0, 0, 0, 0, 0, 0].map(() => f.local(T.i32));
  const mul = (a: number, b: number) => f.get(a).get(b).op(Op.i32_mul);
  f.for(
    kd,
    () => f.i32(0),
    () => f.get(g.KD),
    1,
    () => {
      mul(od, g.sd).get(g.pd).op(Op.i32_sub);
      mul(kd, g.dd).op(Op.i32_add).set(id);
      f.get(id).get(g.D).op(Op.i32_lt_u);
      f.if(() => {
        f.for(
          kh,
          () => f.i32(0),
          () => f.get(g.KH),
          1,
          () => {
            mul(oh, g.sh).get(g.ph).op(Op.i32_sub);
            mul(kh, g.dh).op(Op.i32_add).set(ih);
            f.get(ih).get(g.H).op(Op.i32_lt_u);
            f.if(() => {
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
                  f.get(iw).get(g.W).op(Op.i32_lt_u);
                  f.if(() => {
                    f.get(rowBase).get(iw).op(Op.i32_add).get(g.C).op(Op.i32_mul).get(c).op(Op.i32_add);
                    f.i32(2).op(Op.i32_shl).get(x).op(Op.i32_add).set(src);
                    body();
                  });
                },
              );
            });
          },
        );
      });
    },
  );
}

/** `for (r = 0; r < rows; r++) { for (c = 0; c < C; c += 4) body(); advance }`; `o` = output byte
 * offset of (r, c) for dense (rows, C) outputs. */
function positions(f: Func, cx: Ctx, rows: number, out: number, body: (c: number, o: number) => void): void {
  const r = f.local(T.i32);
  const c = f.local(T.i32);
  const o = f.local(T.i32);
  f.get(out).set(o);
  f.for(
    r,
    () => f.i32(0),
    () => f.get(rows),
    1,
    () => {
      f.for(
        c,
        () => f.i32(0),
        () => f.get(cx.g.C),
        4,
        () => {
          body(c, o);
          f.get(o).i32(16).op(Op.i32_add).set(o);
        },
      );
      advance(f, cx);
    },
  );
}

/** Number of real taps of the current position (for average pooling). */
function countTaps(f: Func, cx: Ctx, x: number, count: number): void {
  const zero = f.local(T.i32);
  const src = f.local(T.i32);
  f.i32(0).set(zero).i32(0).set(count);
  forTaps(f, cx, x, zero, src, () => f.get(count).i32(1).op(Op.i32_add).set(count));
}

/** Pushes splat(float(includePad ? full : max(count, 1))). */
function divisor(f: Func, full: number, count: number, includePad: number): void {
  f.get(full);
  f.get(count).i32(1).get(count).op(Op.select);
  f.get(includePad).op(Op.select).op(Op.f32_convert_i32_s).v(V.f32x4_splat);
}

export function emitPool(m: ModuleBuilder): void {
  const P = [T.i32, T.i32, T.i32, T.i32, T.i32];

  m.func("pool_max", P, [], (f) => {
    const [geom, rows, x, out] = [0, 1, 2, 3];
    const cx = prologue(f, geom);
    const src = f.local(T.i32);
    const acc = f.local(T.v128);
    positions(f, cx, rows, out, (c, o) => {
      f.f32x4(-Infinity).set(acc);
      forTaps(f, cx, x, c, src, () => f.get(acc).get(src).vLoad().v(V.f32x4_max).set(acc));
      f.get(o).get(acc).vStore();
    });
  });

  m.func("pool_avg", P, [], (f) => {
    const [geom, rows, x, out, includePad] = [0, 1, 2, 3, 4];
    const cx = prologue(f, geom);
    const src = f.local(T.i32);
    const count = f.local(T.i32);
    const acc = f.local(T.v128);
    const full = f.local(T.i32);
    f.get(cx.g.KD).get(cx.g.KH).op(Op.i32_mul).get(cx.g.KW).op(Op.i32_mul).set(full);
    positions(f, cx, rows, out, (c, o) => {
      f.f32x4(0).set(acc);
      f.i32(0).set(count);
      forTaps(f, cx, x, c, src, () => {
        f.get(acc).get(src).vLoad().v(V.f32x4_add).set(acc);
        f.get(count).i32(1).op(Op.i32_add).set(count);
      });
      // With no real tap acc is 0 and the divisor at least 1, so the output is 0.
      f.get(o).get(acc);
      divisor(f, full, count, includePad);
      f.v(V.f32x4_div).vStore();
    });
  });

  m.func("pool_max_bwd", [...P, T.i32], [], (f) => {
    const [geom, rows, x, dy, dx] = [0, 1, 2, 3, 4];
    const cx = prologue(f, geom);
    const src = f.local(T.i32);
    const best = f.local(T.v128);
    const idx = f.local(T.v128);
    const v = f.local(T.v128);
    const upd = f.local(T.v128);
    const lane = f.local(T.i32);
    positions(f, cx, rows, dy, (c, o) => {
      f.f32x4(-Infinity).set(best);
      f.i32x4(-1).set(idx);
      forTaps(f, cx, x, c, src, () => {
        f.get(src).vLoad().set(v);
        // upd = v > best | (v is NaN & best is not) | no tap yet
        f.get(v).get(best).v(V.f32x4_gt);
        f.get(v).get(v).v(V.f32x4_ne).get(best).get(best).v(V.f32x4_eq).v(V.and);
        f.v(V.or);
        f.get(idx).i32x4(-1).v(V.i32x4_eq).v(V.or).set(upd);
        f.get(v).get(best).get(upd).v(V.bitselect).set(best);
        f.get(src).v(V.i32x4_splat).i32x4(0, 4, 8, 12).v(V.i32x4_add);
        f.get(idx).get(upd).v(V.bitselect).set(idx);
      });
      // dx[idx[l]] += dy[o + l] for lanes with a tap.
      for (let l = 0; l < 4; l++) {
        f.get(idx).lane(V.i32x4_extract_lane, l).tee(lane).i32(0).op(Op.i32_ge_s);
        f.if(() => {
          // idx holds x byte addresses; dx has x's layout.
          f.get(lane).get(x).op(Op.i32_sub).get(dx).op(Op.i32_add).tee(lane);
          f.get(lane).f32Load().get(o).f32Load(4 * l).op(Op.f32_add).f32Store();
        });
      }
    });
  });

  m.func("pool_avg_bwd", [...P, T.i32], [], (f) => {
    const [geom, rows, x, dy, dx, includePad] = [0, 1, 2, 3, 4, 5];
    const cx = prologue(f, geom);
    const src = f.local(T.i32);
    const count = f.local(T.i32);
    const full = f.local(T.i32);
    const gv = f.local(T.v128);
    f.get(cx.g.KD).get(cx.g.KH).op(Op.i32_mul).get(cx.g.KW).op(Op.i32_mul).set(full);
    positions(f, cx, rows, dy, (c, o) => {
      countTaps(f, cx, x, count);
      f.get(count).if(() => {
        f.get(o).vLoad();
        divisor(f, full, count, includePad);
        f.v(V.f32x4_div).set(gv);
        // src walks x's layout; write the same offset in dx.
        forTaps(f, cx, x, c, src, () => {
          f.get(src).get(x).op(Op.i32_sub).get(dx).op(Op.i32_add).tee(src);
          f.get(src).vLoad().get(gv).v(V.f32x4_add).vStore();
        });
      });
    });
  });
}
