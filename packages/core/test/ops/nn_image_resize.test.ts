import { describe, expect, it } from "vitest";
import "../../src/backend/cpu/index";
import * as image from "../../src/ops/image";
import { KerasTensor } from "../../src/symbolic/keras_tensor";
import { expectAllclose } from "../utils";
import { checkGrad, checkSymbolicReplay, rand, tensor, type Arr } from "./nn_reference";

const T = (a: Arr) => tensor(a.data, a.shape);

/** Half-pixel bilinear by clamped lerp (independent of the weight-matrix formulation). */
function bilinearRef(x: Arr, oh: number, ow: number): number[] {
  const [N, H, W, C] = x.shape as [number, number, number, number];
  const coord = (o: number, n: number, m: number): [number, number, number] => {
    const s = Math.min(Math.max((o + 0.5) * (n / m) - 0.5, 0), n - 1);
    const i0 = Math.floor(s);
    return [i0, Math.min(i0 + 1, n - 1), s - i0];
  };
  const out: number[] = [];
  for (let b = 0; b < N; b++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++)
        for (let c = 0; c < C; c++) {
          const [y0, y1, fy] = coord(i, H, oh);
          const [x0, x1, fx] = coord(j, W, ow);
          const at = (y: number, xx: number): number => x.data[((b * H + y) * W + xx) * C + c]!;
          const top = at(y0, x0) * (1 - fx) + at(y0, x1) * fx;
          const bot = at(y1, x0) * (1 - fx) + at(y1, x1) * fx;
          out.push(top * (1 - fy) + bot * fy);
        }
  return out;
}

describe("image.resize", () => {
  it("symbolic shape with unknown batch, replays", () => {
    const y = image.resize<KerasTensor>(new KerasTensor([null, 8, 6, 3]), [16, 12]);
    expect([...y.shape]).toEqual([null, 16, 12, 3]);
    checkSymbolicReplay((x) => image.resize(x, [5, 7]), [null, 4, 3, 2], T(rand([2, 4, 3, 2], 1)), [
      null,
      5,
      7,
      2,
    ]);
    const cf = image.resize<KerasTensor>(
      new KerasTensor([null, 3, 8, 6]),
      [4, 4],
      "nearest",
      false,
      false,
      false,
      "constant",
      0,
      "channels_first",
    );
    expect([...cf.shape]).toEqual([null, 3, 4, 4]);
  });

  it("bilinear: known values and the half-pixel reference (up and down)", () => {
    expectAllclose(
      image.resize(tensor([1, 2, 3, 4], [2, 2, 1]), [4, 4]),
      [1, 1.25, 1.75, 2, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3, 3.25, 3.75, 4],
    );
    for (const [oh, ow] of [
      [7, 5],
      [3, 2],
      [5, 9],
    ] as const) {
      const x = rand([2, 4, 6, 3], 2);
      expectAllclose(image.resize(T(x), [oh, ow]), bilinearRef(x, oh, ow), {
        rtol: 1e-5,
        atol: 1e-6,
      });
    }
  });

  it("nearest: integer upsampling repeats pixels; downsampling picks floor((o + 0.5) * in / out)", () => {
    expectAllclose(
      image.resize(tensor([1, 2, 3, 4], [1, 2, 2, 1]), [4, 4], "nearest"),
      [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4],
    );
    expectAllclose(
      image.resize(tensor([0, 1, 2, 3, 4, 5], [6, 1, 1]), [4, 1], "nearest"),
      [0, 2, 3, 5],
    );
  });

  it("antialiased bilinear downsampling and bicubic", () => {
    expectAllclose(
      image.resize(tensor([1, 2, 3, 4], [1, 4, 1]), [1, 2], "bilinear", true),
      [1.7142857, 3.2857143],
      { rtol: 1e-6 },
    );
    // Separable kernel resampling, normalized over the input taps (jax's scale_and_translate).
    const keys = (t: number): number => {
      const a = Math.abs(t);
      return a >= 2 ? 0 : a >= 1 ? ((-0.5 * a + 2.5) * a - 4) * a + 2 : (1.5 * a - 2.5) * a * a + 1;
    };
    const lanczos3 = (t: number): number => {
      const a = Math.abs(t);
      return a > 3
        ? 0
        : a < 1e-3
          ? 1
          : (3 * Math.sin(Math.PI * a) * Math.sin((Math.PI * a) / 3)) / (Math.PI * a) ** 2;
    };
    const src = [0, 1, 4, 9, 16];
    for (const [name, k] of [
      ["bicubic", keys],
      ["lanczos3", lanczos3],
    ] as const) {
      const want = Array.from({ length: 8 }, (_, o) => {
        const sample = ((o + 0.5) * 5) / 8 - 0.5;
        const w = src.map((_, i) => k(sample - i));
        const tot = w.reduce((a, b) => a + b, 0);
        return w.reduce((a, wi, i) => a + (wi / tot) * src[i]!, 0);
      });
      expectAllclose(image.resize(tensor(src, [5, 1, 1]), [8, 1], name), want, {
        rtol: 1e-5,
        atol: 1e-5,
      });
    }
  });

  it("crop and pad to aspect ratio", () => {
    // (2, 6) cropped to a centred (2, 2) box: columns 2 and 3
    const x = tensor(
      Array.from({ length: 12 }, (_, i) => i),
      [2, 6, 1],
    );
    expectAllclose(image.resize(x, [2, 2], "nearest", false, true), [2, 3, 8, 9]);
    // (1, 4) padded with one row of -1 above and below, then resized to (4, 4)
    const p = image.resize(
      tensor([1, 2, 3, 4], [1, 4, 1]),
      [4, 4],
      "nearest",
      false,
      false,
      true,
      "constant",
      -1,
    );
    expectAllclose(p, [-1, -1, -1, -1, 1, 2, 3, 4, 1, 2, 3, 4, -1, -1, -1, -1]);
  });

  it("gradient", () => {
    const x = rand([1, 3, 4, 1], 3);
    checkGrad(
      (a) => image.resize(a, [5, 3]),
      (a) => bilinearRef({ data: a, shape: x.shape }, 5, 3),
      [x],
    );
  });

  it("bad arguments name the op", () => {
    expect(() => image.resize(tensor([1, 2], [2]), [2, 2])).toThrow(
      /resize: expected rank 3.*Received: images.shape=\(2,\)/,
    );
    expect(() => image.resize(tensor([1, 2, 3, 4], [2, 2, 1]), [2, 2], "area")).toThrow(
      /resize: .*Received: interpolation=area/,
    );
  });
});
