/**
 * The float32 GEMM in wasm SIMD: packing routines, an MR x NR register-blocked micro-kernel and
 * the macro-kernel that runs it over a packed block (the BLIS structure:
 * https://github.com/flame/blis/blob/master/docs/KernelsHowTo.md).
 *
 * Packed layouts (all k-major, so the micro-kernel streams both operands contiguously):
 * - A block (mc x kc): panels of MR rows, element (i, p) at `((i / MR) * kc + p) * MR + i % MR`.
 * - B block (kc x nc): panels of NR columns, element (p, j) at `((j / NR) * kc + p) * NR + j % NR`.
 * Panels are zero-padded past the matrix edge, so edge tiles run the same micro-kernel into a
 * scratch tile whose valid part is then copied out.
 *
 * The micro-kernel keeps an MR x NR block of C in MR * NR / 4 f32x4 locals and per step of k loads
 * NR / 4 vectors of B and MR broadcast scalars of A for 2 * MR multiply-adds. The default 5 x 8
 * needs 10 accumulators + 2 B vectors + 1 broadcast + 1 product: 14 of the 15 xmm registers V8
 * allocates on x86-64 (6 x 8 spills). The k loop is not unrolled by default: TurboFan schedules an
 * unrolled body's loads ahead of all its arithmetic, which then needs more registers than there
 * are (4 x 8 unrolled by 4 ran at about 60% of the plain loop, with spills in the disassembly).
 * With relaxed SIMD the multiply-add is one `f32x4.relaxed_madd` (an FMA where the engine has one,
 * about 1.3x faster here), else `f32x4.mul` + `f32x4.add`.
 *
 * All pointers and strides passed in are in bytes.
 */
import { Op, T, V, type Func, type ModuleBuilder } from "./wasmblr";

export interface GemmConfig {
  /** Rows of the register block. */
  MR: number;
  /** Columns of the register block (a multiple of 4). */
  NR: number;
  /** Use `f32x4.relaxed_madd`. */
  relaxed: boolean;
  /** Steps of k per loop iteration. */
  unroll?: number;
  /** Rows of A per packed block (a multiple of MR). */
  MC: number;
  /** Depth of a k slice. */
  KC: number;
  /** Columns of B per packed block (a multiple of NR). */
  NC: number;
}

/** Pushes c := c + a * b for f32x4 locals (a, b, c). */
function madd(f: Func, relaxed: boolean, a: number, b: number, c: number): void {
  if (relaxed) f.get(a).get(b).get(c).v(V.f32x4_relaxed_madd).set(c);
  else f.get(c).get(a).get(b).v(V.f32x4_mul).v(V.f32x4_add).set(c);
}

/**
 * 4x4 transpose of the f32x4 locals `r` (rows) with unpack/move shuffles; returns new locals
 * holding the columns.
 */
function transpose4(f: Func, r: number[]): number[] {
  const lanes = (idx: number[]) => idx.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3]);
  const t = [0, 1, 2, 3].map(() => f.local(T.v128));
  const out = [0, 1, 2, 3].map(() => f.local(T.v128));
  // t0 = [r00 r10 r01 r11], t1 = [r02 r12 r03 r13], t2 = [r20 r30 r21 r31], t3 = [r22 r32 r23 r33]
  f.get(r[0]).get(r[1]).shuffle(lanes([0, 4, 1, 5])).set(t[0]);
  f.get(r[0]).get(r[1]).shuffle(lanes([2, 6, 3, 7])).set(t[1]);
  f.get(r[2]).get(r[3]).shuffle(lanes([0, 4, 1, 5])).set(t[2]);
  f.get(r[2]).get(r[3]).shuffle(lanes([2, 6, 3, 7])).set(t[3]);
  f.get(t[0]).get(t[2]).shuffle(lanes([0, 1, 4, 5])).set(out[0]);
  f.get(t[0]).get(t[2]).shuffle(lanes([2, 3, 6, 7])).set(out[1]);
  f.get(t[1]).get(t[3]).shuffle(lanes([0, 1, 4, 5])).set(out[2]);
  f.get(t[1]).get(t[3]).shuffle(lanes([2, 3, 6, 7])).set(out[3]);
  return out;
}

/**
 * Emits `gemm_micro`, `gemm_macro`, `gemm_pack_a`, `gemm_pack_b` and the driver `gemm`. Returns
 * nothing; exports are named.
 */
export function emitGemm(m: ModuleBuilder, cfg: GemmConfig): void {
  const { MR, NR, relaxed } = cfg;
  const UNROLL = cfg.unroll ?? 1;
  const NV = NR / 4;

  // micro(a, b, c, ldc, kc, acc): C[MR x NR] (+)= Apanel · Bpanel.
  const microIndex = m.func("gemm_micro", [T.i32, T.i32, T.i32, T.i32, T.i32, T.i32], [], (f) => {
    const [a, b, c, ldc, kc, acc] = [0, 1, 2, 3, 4, 5];
    const accs: number[] = [];
    for (let i = 0; i < MR * NV; i++) accs.push(f.local(T.v128));
    const bv: number[] = [];
    for (let j = 0; j < NV; j++) bv.push(f.local(T.v128));
    const av = f.local(T.v128);
    const p = f.local(T.i32);
    const kc4 = f.local(T.i32);
    const cr = f.local(T.i32);
    // Initial accumulators: C itself when accumulating, else zeros. (Loading C here rather than
    // adding it after the k loop is about 25% faster: the loads of C, often cache misses, then
    // overlap the loop instead of stalling the stores.)
    f.get(acc).if(
      () => {
        f.get(c).set(cr);
        for (let r = 0; r < MR; r++) {
          for (let j = 0; j < NV; j++)
            f.get(cr).vLoad(16 * j).set(accs[r * NV + j]);
          if (r < MR - 1) f.get(cr).get(ldc).op(Op.i32_add).set(cr);
        }
      },
      () => {
        for (const x of accs) f.f32x4(0).set(x);
      },
    );
    const step = (u: number) => {
      for (let j = 0; j < NV; j++)
        f.get(b).vLoad((u * NR + 4 * j) * 4).set(bv[j]);
      for (let r = 0; r < MR; r++) {
        f.get(a).vLoadSplat32((u * MR + r) * 4).set(av);
        for (let j = 0; j < NV; j++) madd(f, relaxed, av, bv[j], accs[r * NV + j]);
      }
    };
    // One induction variable: the loop runs while a < aEnd (a advances MR floats per k step).
    const aEnd = kc4;
    f.get(a).get(kc).i32(MR * 4).op(Op.i32_mul).op(Op.i32_add).set(aEnd);
    if (UNROLL > 1) {
      const aEndU = p;
      f.get(a).get(kc).i32(~(UNROLL - 1)).op(Op.i32_and).i32(MR * 4).op(Op.i32_mul).op(Op.i32_add).set(aEndU);
      f.block((exit) => {
        f.loop((top) => {
          f.get(a).get(aEndU).op(Op.i32_ge_u).brIf(exit);
          for (let u = 0; u < UNROLL; u++) step(u);
          f.get(a).i32(UNROLL * MR * 4).op(Op.i32_add).set(a);
          f.get(b).i32(UNROLL * NR * 4).op(Op.i32_add).set(b);
          f.br(top);
        });
      });
    }
    // The test at the bottom (kc >= 1 always): one branch per step instead of two.
    f.get(a).get(aEnd).op(Op.i32_lt_u).if(() =>
      f.loop((top) => {
        step(0);
        f.get(a).i32(MR * 4).op(Op.i32_add).set(a);
        f.get(b).i32(NR * 4).op(Op.i32_add).set(b);
        f.get(a).get(aEnd).op(Op.i32_lt_u).brIf(top);
      }),
    );
    f.get(c).set(cr);
    for (let r = 0; r < MR; r++) {
      for (let j = 0; j < NV; j++) f.get(cr).get(accs[r * NV + j]).vStore(16 * j);
      if (r < MR - 1) f.get(cr).get(ldc).op(Op.i32_add).set(cr);
    }
  });

  // macro(mc, nc, kc, ap, bp, c, ldc, acc, scratch): C[mc x nc] (+)= Ablock · Bblock.
  const macroIndex = m.func("gemm_macro", [T.i32, T.i32, T.i32, T.i32, T.i32, T.i32, T.i32, T.i32, T.i32], [], (f) => {
    const [mc, nc, kc, ap, bp, c, ldc, acc, scratch] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
    const i = f.local(T.i32);
    const j = f.local(T.i32);
    const aPanel = f.local(T.i32);
    const bPanel = f.local(T.i32);
    const mh = f.local(T.i32);
    const nw = f.local(T.i32);
    const cp = f.local(T.i32);
    const r = f.local(T.i32);
    const t = f.local(T.i32);
    const src = f.local(T.i32);
    const dst = f.local(T.i32);
    f.get(bp).set(bPanel);
    f.for(
      j,
      () => f.i32(0),
      () => f.get(nc),
      NR,
      () => {
        // nw = min(NR, nc - j)
        f.get(nc).get(j).op(Op.i32_sub).set(nw);
        f.get(nw).i32(NR).op(Op.i32_gt_s).if(() => f.i32(NR).set(nw));
        f.get(ap).set(aPanel);
        f.for(
          i,
          () => f.i32(0),
          () => f.get(mc),
          MR,
          () => {
            f.get(mc).get(i).op(Op.i32_sub).set(mh);
            f.get(mh).i32(MR).op(Op.i32_gt_s).if(() => f.i32(MR).set(mh));
            // cp = c + i * ldc + j * 4
            f.get(c).get(i).get(ldc).op(Op.i32_mul).op(Op.i32_add);
            f.get(j).i32(4).op(Op.i32_mul).op(Op.i32_add).set(cp);
            f.get(mh).i32(MR).op(Op.i32_eq).get(nw).i32(NR).op(Op.i32_eq).op(Op.i32_and);
            f.if(
              () => {
                f.get(aPanel).get(bPanel).get(cp).get(ldc).get(kc).get(acc).call(microIndex);
              },
              () => {
                // Edge tile: the valid mh x nw corner of C goes through the scratch tile. When
                // accumulating, C is copied in first and the micro-kernel accumulates onto it, so
                // every element is summed exactly as in a full tile (c + a0 b0 + a1 b1 + ...):
                // results do not depend on where tile edges fall (row chunks, thread splits).
                const corner = (toScratch: boolean) =>
                  f.for(
                    r,
                    () => f.i32(0),
                    () => f.get(mh),
                    1,
                    () => {
                      f.get(scratch).get(r).i32(NR * 4).op(Op.i32_mul).op(Op.i32_add).set(src);
                      f.get(cp).get(r).get(ldc).op(Op.i32_mul).op(Op.i32_add).set(dst);
                      f.for(
                        t,
                        () => f.i32(0),
                        () => f.get(nw),
                        1,
                        () => {
                          if (toScratch) f.get(src).get(dst).f32Load().f32Store();
                          else f.get(dst).get(src).f32Load().f32Store();
                          f.get(src).i32(4).op(Op.i32_add).set(src);
                          f.get(dst).i32(4).op(Op.i32_add).set(dst);
                        },
                      );
                    },
                  );
                f.get(acc).if(() => corner(true));
                f.get(aPanel).get(bPanel).get(scratch).i32(NR * 4).get(kc).get(acc).call(microIndex);
                corner(false);
              },
            );
            f.get(aPanel).get(kc).i32(MR * 4).op(Op.i32_mul).op(Op.i32_add).set(aPanel);
          },
        );
        f.get(bPanel).get(kc).i32(NR * 4).op(Op.i32_mul).op(Op.i32_add).set(bPanel);
      },
    );
  });

  // pack_a(mc, kc, src, rs, cs, dst): A block (mc x kc, element (i, p) at src + i*rs + p*cs).
  const packAIndex = m.func("gemm_pack_a", [T.i32, T.i32, T.i32, T.i32, T.i32, T.i32], [], (f) => {
    const [mc, kc, src, rs, cs, dst] = [0, 1, 2, 3, 4, 5];
    const i0 = f.local(T.i32);
    const p = f.local(T.i32);
    const t = f.local(T.i32);
    const h = f.local(T.i32);
    const rows: number[] = [];
    for (let k = 0; k < MR; k++) rows.push(f.local(T.i32));
    f.for(
      i0,
      () => f.i32(0),
      () => f.get(mc),
      MR,
      () => {
        f.get(mc).get(i0).op(Op.i32_sub).set(h);
        f.get(h).i32(MR).op(Op.i32_ge_s);
        f.if(
          () => {
            // Full panel: MR row pointers advance by cs.
            for (let k = 0; k < MR; k++)
              f.get(src).get(i0).i32(k).op(Op.i32_add).get(rs).op(Op.i32_mul).op(Op.i32_add).set(rows[k]);
            const kc4 = f.local(T.i32);
            f.i32(0).set(kc4);
            if (MR >= 4) {
              // Transposed A (rows adjacent in memory, e.g. patches^T or x^T): the MR values of one
              // k are contiguous, so each step is a vector copy.
              f.get(rs).i32(4).op(Op.i32_eq).if(
                  () => {
                    f.get(kc).set(kc4);
                    f.for(
                      p,
                      () => f.i32(0),
                      () => f.get(kc),
                      1,
                      () => {
                        f.get(dst).get(rows[0]).vLoad().vStore();
                        for (let k = 4; k < MR; k++)
                          f.get(dst).get(rows[k]).f32Load().f32Store(4 * k);
                        f.get(rows[0]).get(cs).op(Op.i32_add).set(rows[0]);
                        for (let k = 4; k < MR; k++)
                          f.get(rows[k]).get(cs).op(Op.i32_add).set(rows[k]);
                        f.get(dst).i32(MR * 4).op(Op.i32_add).set(dst);
                      },
                    );
                  },
                  () =>
                    // Row-major A (k contiguous): 4 k at a time, rows 0-3 as a 4x4 transpose, the
                    // other rows lane by lane.
                    f.get(cs).i32(4).op(Op.i32_eq).if(() => {
                        f.get(kc).i32(~3).op(Op.i32_and).set(kc4);
                        const r = [0, 1, 2, 3].map(() => f.local(T.v128));
                        const extra = f.local(T.v128);
                        f.for(
                          p,
                          () => f.i32(0),
                          () => f.get(kc4),
                          4,
                          () => {
                            for (let k = 0; k < 4; k++) f.get(rows[k]).vLoad().set(r[k]);
                            const cols = transpose4(f, r);
                            for (let q = 0; q < 4; q++)
                              f.get(dst).get(cols[q]).vStore(4 * MR * q);
                            for (let k = 4; k < MR; k++) {
                              f.get(rows[k]).vLoad().set(extra);
                              for (let q = 0; q < 4; q++)
                                f.get(dst).get(extra).lane(V.f32x4_extract_lane, q).f32Store(4 * (MR * q + k));
                            }
                            for (let k = 0; k < MR; k++)
                              f.get(rows[k]).i32(16).op(Op.i32_add).set(rows[k]);
                            f.get(dst).i32(MR * 16).op(Op.i32_add).set(dst);
                          },
                        );
                      }),
                );
            }
            // What is left (or every k for other strides): scalar.
            f.for(
              p,
              () => f.get(kc4),
              () => f.get(kc),
              1,
              () => {
                for (let k = 0; k < MR; k++) {
                  f.get(dst).get(rows[k]).f32Load().f32Store(4 * k);
                  f.get(rows[k]).get(cs).op(Op.i32_add).set(rows[k]);
                }
                f.get(dst).i32(MR * 4).op(Op.i32_add).set(dst);
              },
            );
          },
          () => {
            // Edge panel: h valid rows, the rest zero.
            f.for(
              p,
              () => f.i32(0),
              () => f.get(kc),
              1,
              () => {
                f.for(
                  t,
                  () => f.i32(0),
                  () => f.i32(MR),
                  1,
                  () => {
                    // (A block without parameters cannot see the caller's stack, so each
                    // branch pushes the address itself.)
                    const addr = () => f.get(dst).get(t).i32(4).op(Op.i32_mul).op(Op.i32_add);
                    f.get(t).get(h).op(Op.i32_lt_s);
                    f.if(
                      () => {
                        addr();
                        f.get(src).get(i0).get(t).op(Op.i32_add).get(rs).op(Op.i32_mul).op(Op.i32_add);
                        f.get(p).get(cs).op(Op.i32_mul).op(Op.i32_add).f32Load();
                        f.f32Store();
                      },
                      () => {
                        addr();
                        f.f32(0).f32Store();
                      },
                    );
                  },
                );
                f.get(dst).i32(MR * 4).op(Op.i32_add).set(dst);
              },
            );
          },
        );
      },
    );
  });

  // pack_b(kc, nc, src, rs, cs, dst): B block (kc x nc, element (p, j) at src + p*rs + j*cs).
  const packBIndex = m.func("gemm_pack_b", [T.i32, T.i32, T.i32, T.i32, T.i32, T.i32], [], (f) => {
    const [kc, nc, src, rs, cs, dst] = [0, 1, 2, 3, 4, 5];
    const j0 = f.local(T.i32);
    const p = f.local(T.i32);
    const t = f.local(T.i32);
    const w = f.local(T.i32);
    const row = f.local(T.i32);
    f.for(
      j0,
      () => f.i32(0),
      () => f.get(nc),
      NR,
      () => {
        f.get(nc).get(j0).op(Op.i32_sub).set(w);
        f.get(src).get(j0).get(cs).op(Op.i32_mul).op(Op.i32_add).set(row);
        f.get(w).i32(NR).op(Op.i32_ge_s).get(cs).i32(4).op(Op.i32_eq).op(Op.i32_and);
        f.if(
          () => {
            // Full panel of contiguous columns: NR / 4 vector copies per row.
            f.for(
              p,
              () => f.i32(0),
              () => f.get(kc),
              1,
              () => {
                for (let v = 0; v < NR / 4; v++)
                  f.get(dst).get(row).vLoad(16 * v).vStore(16 * v);
                f.get(row).get(rs).op(Op.i32_add).set(row);
                f.get(dst).i32(NR * 4).op(Op.i32_add).set(dst);
              },
            );
          },
          () => {
            const kc4 = f.local(T.i32);
            f.i32(0).set(kc4);
            // Transposed B (k contiguous within a column): 4 k at a time as 4x4 transposes.
            f.get(w).i32(NR).op(Op.i32_ge_s).get(rs).i32(4).op(Op.i32_eq).op(Op.i32_and).if(() => {
                f.get(kc).i32(~3).op(Op.i32_and).set(kc4);
                const r = [0, 1, 2, 3].map(() => f.local(T.v128));
                const col = f.local(T.i32);
                f.for(
                  p,
                  () => f.i32(0),
                  () => f.get(kc4),
                  4,
                  () => {
                    for (let h = 0; h < NR / 4; h++) {
                      // Columns 4h .. 4h + 3 of the panel, k = p .. p + 3.
                      for (let k = 0; k < 4; k++) {
                        f.get(row).get(cs).i32(4 * h + k).op(Op.i32_mul).op(Op.i32_add).set(col);
                        f.get(col).vLoad().set(r[k]);
                      }
                      const rowsOut = transpose4(f, r);
                      for (let q = 0; q < 4; q++)
                        f.get(dst).get(rowsOut[q]).vStore(4 * (NR * q + 4 * h));
                    }
                    f.get(row).i32(16).op(Op.i32_add).set(row);
                    f.get(dst).i32(NR * 16).op(Op.i32_add).set(dst);
                  },
                );
              });
            f.for(
              p,
              () => f.get(kc4),
              () => f.get(kc),
              1,
              () => {
                f.for(
                  t,
                  () => f.i32(0),
                  () => f.i32(NR),
                  1,
                  () => {
                    const addr = () => f.get(dst).get(t).i32(4).op(Op.i32_mul).op(Op.i32_add);
                    f.get(t).get(w).op(Op.i32_lt_s);
                    f.if(
                      () => {
                        addr();
                        f.get(row).get(t).get(cs).op(Op.i32_mul).op(Op.i32_add).f32Load().f32Store();
                      },
                      () => {
                        addr();
                        f.f32(0).f32Store();
                      },
                    );
                  },
                );
                f.get(row).get(rs).op(Op.i32_add).set(row);
                f.get(dst).i32(NR * 4).op(Op.i32_add).set(dst);
              },
            );
          },
        );
      },
    );
  });
  // gemm(M, N, K, a, ars, acs, b, brs, bcs, c, ldc, acc, ap, bp, tile): the BLIS loop nest over
  // the routines above, C[M x N] (+)= A · B with byte strides; `ap`, `bp`, `tile` are scratch for
  // the packed A block, the packed B block and the edge tile. The whole product is one call, so a
  // worker thread runs its share of a split GEMM with one call too (see `threads.ts`).
  const P15 = Array.from({ length: 15 }, () => T.i32);
  m.func("gemm", P15, [], (f) => {
    const [M, N, K, a, ars, acs, b, brs, bcs, c, ldc, acc, ap, bp, tile] = P15.map((_, i) => i);
    const [jc, pc, ic, nc, kc, mc, accK] = Array.from({ length: 7 }, () => f.local(T.i32));
    const min = (x: () => void, cap: number, out: number) => {
      x();
      f.set(out);
      f.get(out).i32(cap).op(Op.i32_gt_s).if(() => f.i32(cap).set(out));
    };
    f.for(jc, () => f.i32(0), () => f.get(N), cfg.NC, () => {
      min(() => f.get(N).get(jc).op(Op.i32_sub), cfg.NC, nc);
      f.for(pc, () => f.i32(0), () => f.get(K), cfg.KC, () => {
        min(() => f.get(K).get(pc).op(Op.i32_sub), cfg.KC, kc);
        // pack_b(kc, nc, b + pc * brs + jc * bcs, brs, bcs, bp)
        f.get(kc).get(nc);
        f.get(b).get(pc).get(brs).op(Op.i32_mul).op(Op.i32_add).get(jc).get(bcs).op(Op.i32_mul).op(Op.i32_add);
        f.get(brs).get(bcs).get(bp).call(packBIndex);
        // The first k slice writes C (unless accumulating), later ones add to it.
        f.get(acc).get(pc).i32(0).op(Op.i32_gt_s).op(Op.i32_or).set(accK);
        f.for(ic, () => f.i32(0), () => f.get(M), cfg.MC, () => {
          min(() => f.get(M).get(ic).op(Op.i32_sub), cfg.MC, mc);
          // pack_a(mc, kc, a + ic * ars + pc * acs, ars, acs, ap)
          f.get(mc).get(kc);
          f.get(a).get(ic).get(ars).op(Op.i32_mul).op(Op.i32_add).get(pc).get(acs).op(Op.i32_mul).op(Op.i32_add);
          f.get(ars).get(acs).get(ap).call(packAIndex);
          // macro(mc, nc, kc, ap, bp, c + ic * ldc + jc * 4, ldc, accK, tile)
          f.get(mc).get(nc).get(kc).get(ap).get(bp);
          f.get(c).get(ic).get(ldc).op(Op.i32_mul).op(Op.i32_add).get(jc).i32(2).op(Op.i32_shl).op(Op.i32_add);
          f.get(ldc).get(accK).get(tile).call(macroIndex);
        });
      });
    });
  });
}
