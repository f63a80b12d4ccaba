/**
 * Reshaping layers: Flatten, Reshape, Permute, RepeatVector, UpSampling2D, ZeroPadding1D/2D,
 * Cropping1D/2D. Shapes (symbolic with unknown batch and eager), values against naive
 * references, configs and errors.
 */
import { describe, expect, it } from "vitest";
import { ops } from "../../src/index";
import { Flatten } from "../../src/layers/reshaping/flatten";
import { Reshape } from "../../src/layers/reshaping/reshape";
import { Permute } from "../../src/layers/reshaping/permute";
import { RepeatVector } from "../../src/layers/reshaping/repeat_vector";
import { UpSampling2D } from "../../src/layers/reshaping/up_sampling2d";
import { ZeroPadding1D, ZeroPadding2D } from "../../src/layers/reshaping/zero_padding";
import { Cropping1D, Cropping2D } from "../../src/layers/reshaping/cropping";
import { Input } from "../../src/layers/core/input_layer";
import { expectAllclose, randomValues } from "../utils";
import { checkGradients, runLayerTest, tensor } from "./harness";

const iota = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Element of a C-order array of `shape` at `idx`. */
function at(data: ArrayLike<number>, shape: number[], idx: number[]): number {
  let o = 0;
  for (let i = 0; i < shape.length; i++) o = o * shape[i]! + idx[i]!;
  return data[o]!;
}

/** All index tuples of `shape`, in C order. */
function indices(shape: number[]): number[][] {
  const out: number[][] = [[]];
  for (const n of shape) {
    const next: number[][] = [];
    for (const p of out) for (let i = 0; i < n; i++) next.push([...p, i]);
    out.splice(0, out.length, ...next);
  }
  return out;
}

describe("Flatten", () => {
  it("runLayerTest", () => {
    runLayerTest(Flatten, {
      inputShape: [2, 3, 4],
      expectedOutputShape: [2, 12],
      expectedNumTrainableWeights: 0,
    });
    runLayerTest(Flatten, { inputShape: [2], expectedOutputShape: [2, 1] });
  });

  it("channels_first moves channels last before flattening", () => {
    const x = randomValues(2 * 3 * 2 * 2);
    const y = new Flatten({ dataFormat: "channels_first" })
      .apply(tensor(x, [2, 3, 2, 2]))
      .dataSync();
    const expected = indices([2, 2, 2, 3]).map(([b, h, w, c]) =>
      at(x, [2, 3, 2, 2], [b!, c!, h!, w!]),
    );
    expectAllclose(y, expected, { rtol: 0, atol: 0 });
    expect(new Flatten().getConfig().data_format).toBe("channels_last");
  });

  it("unknown non-batch dims give an unknown flat dim", () => {
    expect(new Flatten().apply(Input([null, 3])).shape).toEqual([null, null]);
  });
});

describe("Reshape", () => {
  it("runLayerTest", () => {
    runLayerTest(Reshape, {
      init: [[-1, 2]],
      inputShape: [3, 4, 3],
      expectedOutputShape: [3, 6, 2],
    });
    runLayerTest(Reshape, { init: [[2, 6]], inputShape: [3, 12], expectedOutputShape: [3, 2, 6] });
  });

  it("unknown non-batch dims leave the -1 unknown", () => {
    expect(new Reshape([-1, 2]).apply(Input([null, 4])).shape).toEqual([null, null, 2]);
  });

  it("values are a row-major reshape; config", () => {
    const x = randomValues(24);
    expectAllclose(new Reshape([4, 3]).apply(tensor(x, [2, 12])), x, { rtol: 0, atol: 0 });
    expect(new Reshape([4, -1]).getConfig().target_shape).toEqual([4, -1]);
  });

  it("errors", () => {
    expect(() => new Reshape([-1, -1])).toThrow(
      /more than one `-1`[\s\S]*Received: target_shape=\(-1, -1\)/,
    );
    expect(() => new Reshape([5], { name: "rs" }).apply(Input([3, 4]))).toThrow(
      /rs[\s\S]*total size of the tensor must be unchanged/,
    );
    expect(() => new Reshape([5, -1]).apply(Input([3, 4]))).toThrow(/total size/);
  });
});

describe("Permute", () => {
  it("runLayerTest and values", () => {
    runLayerTest(Permute, {
      init: [[2, 1]],
      inputShape: [2, 3, 4],
      expectedOutputShape: [2, 4, 3],
    });
    const x = randomValues(2 * 3 * 4 * 5);
    const y = new Permute([3, 1, 2]).apply(tensor(x, [2, 3, 4, 5]));
    expect(y.shape).toEqual([2, 5, 3, 4]);
    const expected = indices([2, 5, 3, 4]).map(([b, k, i, j]) =>
      at(x, [2, 3, 4, 5], [b!, i!, j!, k!]),
    );
    expectAllclose(y, expected, { rtol: 0, atol: 0 });
  });

  it("rejects a non-permutation", () => {
    expect(() => new Permute([0, 1])).toThrow(/start from 1[\s\S]*Received: dims=\(0, 1\)/);
    expect(() => new Permute([1, 3])).toThrow(/Received: dims=/);
    expect(() => new Permute([2, 1]).apply(Input([3]))).toThrow(/expected ndim=3/);
  });
});

describe("RepeatVector", () => {
  it("runLayerTest and values", () => {
    runLayerTest(RepeatVector, { init: [3], inputShape: [2, 4], expectedOutputShape: [2, 3, 4] });
    const y = new RepeatVector(2).apply(tensor([1, 2, 3, 4], [2, 2]));
    expectAllclose(y, [1, 2, 1, 2, 3, 4, 3, 4]);
    expect(new RepeatVector(2).getConfig().n).toBe(2);
    expect(() => new RepeatVector(1.5)).toThrow(/Received: n=1.5/);
    expect(() => new RepeatVector(2).apply(Input([2, 3]))).toThrow(/expected ndim=2/);
  });
});

/** TF-style half-pixel bilinear resize of an NHWC array (float64). */
function bilinearRef(
  x: ArrayLike<number>,
  [n, h, w, c]: number[],
  fh: number,
  fw: number,
): Float64Array {
  const H = h * fh;
  const W = w * fw;
  const out = new Float64Array(n * H * W * c);
  const src = (o: number, f: number, len: number) => {
    const s = (o + 0.5) / f - 0.5;
    const lo = Math.max(Math.floor(s), 0);
    const hi = Math.min(Math.ceil(s), len - 1);
    return [lo, hi, s - Math.floor(s)] as const;
  };
  for (let b = 0; b < n; b++)
    for (let i = 0; i < H; i++) {
      const [y0, y1, dy] = src(i, fh, h);
      for (let j = 0; j < W; j++) {
        const [x0, x1, dx] = src(j, fw, w);
        for (let k = 0; k < c; k++) {
          const v = (yy: number, xx: number) => at(x, [n, h, w, c], [b, yy, xx, k]);
          const top = v(y0, x0) + (v(y0, x1) - v(y0, x0)) * dx;
          const bot = v(y1, x0) + (v(y1, x1) - v(y1, x0)) * dx;
          out[((b * H + i) * W + j) * c + k] = top + (bot - top) * dy;
        }
      }
    }
  return out;
}

describe("UpSampling2D", () => {
  it("runLayerTest", () => {
    runLayerTest(UpSampling2D, { inputShape: [2, 3, 4, 2], expectedOutputShape: [2, 6, 8, 2] });
    runLayerTest(UpSampling2D, {
      init: { size: [2, 3], interpolation: "bilinear" },
      inputShape: [1, 2, 2, 1],
      expectedOutputShape: [1, 4, 6, 1],
    });
    runLayerTest(UpSampling2D, {
      init: { size: 2, dataFormat: "channels_first" },
      inputShape: [1, 3, 2, 2],
      expectedOutputShape: [1, 3, 4, 4],
    });
  });

  it("nearest repeats rows and columns", () => {
    const y = new UpSampling2D({ size: [2, 3] }).apply(tensor([1, 2, 3, 4], [1, 2, 2, 1]));
    expectAllclose(y, [1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4]);
  });

  it("bilinear matches a half-pixel reference (TF / JAX resize)", () => {
    const y = new UpSampling2D({ interpolation: "bilinear" }).apply(
      tensor([1, 2, 3, 4], [1, 2, 2, 1]),
    );
    expectAllclose(y.dataSync().slice(0, 4), [1, 1.25, 1.75, 2]);
    const x = randomValues(2 * 3 * 4 * 2, 9);
    const z = new UpSampling2D({ size: [3, 2], interpolation: "bilinear" }).apply(
      tensor(x, [2, 3, 4, 2]),
    );
    expectAllclose(z, bilinearRef(x, [2, 3, 4, 2], 3, 2), { rtol: 1e-5, atol: 1e-6 });
    const cf = new UpSampling2D({
      size: [3, 2],
      interpolation: "bilinear",
      dataFormat: "channels_first",
    }).apply(ops.transpose(tensor(x, [2, 3, 4, 2]), [0, 3, 1, 2]));
    expectAllclose(ops.transpose(cf, [0, 2, 3, 1]), bilinearRef(x, [2, 3, 4, 2], 3, 2), {
      rtol: 1e-5,
      atol: 1e-6,
    });
  });

  it("bilinear gradient matches finite differences", () => {
    const layer = new UpSampling2D({ interpolation: "bilinear" });
    const c = randomValues(1 * 4 * 6 * 1, 4);
    checkGradients(
      (x) => ops.sum(ops.multiply(layer.apply(x), tensor(c, [1, 4, 6, 1]))),
      (x) => bilinearRef(x, [1, 2, 3, 1], 2, 2).reduce((s, v, i) => s + v * c[i]!, 0),
      [{ shape: [1, 2, 3, 1], data: randomValues(6, 2) }],
    );
  });

  it("config and errors", () => {
    expect(new UpSampling2D({ name: "up" }).getConfig()).toMatchObject({
      size: [2, 2],
      data_format: "channels_last",
      interpolation: "nearest",
    });
    expect(() => new UpSampling2D({ interpolation: "bicubic" as "nearest" })).toThrow(
      /Received: interpolation=bicubic/,
    );
    expect(() => new UpSampling2D({ size: [2, 0] })).toThrow(/Received: size=/);
    expect(() => new UpSampling2D().apply(Input([3, 3]))).toThrow(/expected ndim=4/);
  });
});

describe("ZeroPadding", () => {
  it("runLayerTest", () => {
    runLayerTest(ZeroPadding1D, {
      init: { padding: [1, 2] },
      inputShape: [2, 3, 4],
      expectedOutputShape: [2, 6, 4],
    });
    runLayerTest(ZeroPadding2D, {
      init: {
        padding: [
          [1, 0],
          [2, 3],
        ],
      },
      inputShape: [2, 3, 4, 2],
      expectedOutputShape: [2, 4, 9, 2],
    });
    runLayerTest(ZeroPadding2D, {
      init: { padding: 1, dataFormat: "channels_first" },
      inputShape: [1, 2, 3, 3],
      expectedOutputShape: [1, 2, 5, 5],
    });
  });

  it("values", () => {
    expectAllclose(new ZeroPadding1D().apply(tensor([1, 2], [1, 2, 1])), [0, 1, 2, 0]);
    const y = new ZeroPadding2D({ padding: [1, 0] }).apply(tensor([1, 2, 3, 4], [1, 2, 2, 1]));
    expectAllclose(y, [0, 0, 1, 2, 3, 4, 0, 0]);
  });

  it("configs and errors", () => {
    expect(new ZeroPadding2D({ padding: 2 }).getConfig().padding).toEqual([
      [2, 2],
      [2, 2],
    ]);
    expect(new ZeroPadding2D({ padding: [1, 3] }).getConfig().padding).toEqual([
      [1, 1],
      [3, 3],
    ]);
    expect(new ZeroPadding1D({ padding: 3 }).getConfig().padding).toEqual([3, 3]);
    expect(() => new ZeroPadding2D({ padding: [1, 2, 3] })).toThrow(/should have two elements/);
    expect(() => new ZeroPadding1D({ padding: -1 })).toThrow(/Received: padding=-1/);
  });
});

describe("Cropping", () => {
  it("runLayerTest", () => {
    runLayerTest(Cropping1D, {
      init: { cropping: [1, 2] },
      inputShape: [2, 6, 3],
      expectedOutputShape: [2, 3, 3],
    });
    runLayerTest(Cropping2D, {
      init: {
        cropping: [
          [1, 0],
          [2, 1],
        ],
      },
      inputShape: [2, 4, 5, 2],
      expectedOutputShape: [2, 3, 2, 2],
    });
    runLayerTest(Cropping2D, {
      init: { cropping: 1, dataFormat: "channels_first" },
      inputShape: [1, 2, 4, 4],
      expectedOutputShape: [1, 2, 2, 2],
    });
  });

  it("values", () => {
    const x = iota(2 * 4 * 5);
    const y = new Cropping2D({
      cropping: [
        [1, 2],
        [0, 3],
      ],
    }).apply(tensor(x, [2, 4, 5, 1]));
    const expected = indices([2, 1, 2]).map(([b, i, j]) => at(x, [2, 4, 5], [b!, i! + 1, j!]));
    expectAllclose(y, expected);
    expectAllclose(new Cropping1D().apply(tensor(iota(4), [1, 4, 1])), [1, 2]);
  });

  it("cropping a whole dimension fails at symbolic call time", () => {
    expect(() =>
      new Cropping2D({
        cropping: [
          [2, 2],
          [0, 0],
        ],
        name: "crop",
      }).apply(Input([4, 4, 1])),
    ).toThrow(/crop[\s\S]*smaller than the corresponding spatial dimension/);
    expect(() => new Cropping1D({ cropping: [2, 2] }).apply(Input([4, 1]))).toThrow(
      /must be smaller than the input length/,
    );
  });
});
