/**
 * Pooling layers: MaxPooling1D/2D/3D, AveragePooling1D/2D/3D, GlobalMaxPooling1D/2D/3D,
 * GlobalAveragePooling1D/2D/3D. Facets: the standard layer checks, values against float64 loop
 * references ("same" pads as TF; averages over the real elements of each window), configs, the
 * GlobalAveragePooling1D mask, and errors.
 */
import { describe, expect, it } from "vitest";
import { KerasTensor, Tensor, tidy } from "../../src/index";
import { Input } from "../../src/layers/core/input_layer";
import {
  AveragePooling1D,
  AveragePooling2D,
  AveragePooling3D,
  GlobalAveragePooling1D,
  GlobalAveragePooling2D,
  GlobalAveragePooling3D,
  GlobalMaxPooling1D,
  GlobalMaxPooling2D,
  GlobalMaxPooling3D,
  MaxPooling1D,
  MaxPooling2D,
  MaxPooling3D,
} from "../../src/layers/pooling/index";
import { runLayerTest, tensor } from "./harness";
import { expectAllclose, randomValues } from "../utils";

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

function stridesOf(s: readonly number[]): number[] {
  const out = new Array<number>(s.length).fill(1);
  for (let i = s.length - 2; i >= 0; i--) out[i] = out[i + 1]! * s[i + 1]!;
  return out;
}

function forEachIndex(shape: readonly number[], f: (idx: number[]) => void): void {
  const idx = new Array<number>(shape.length).fill(0);
  for (let c = 0; c < size(shape); c++) {
    f(idx);
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d]! < shape[d]!) break;
      idx[d] = 0;
    }
  }
}

/** Channels-last N-D pooling, float64; "same" pads like TF and skips padded positions. */
function poolRef(
  kind: "max" | "avg",
  x: Float64Array,
  shape: number[],
  pool: number[],
  strides: number[],
  padding: "valid" | "same",
) {
  const n = shape.length - 2;
  const sp = shape.slice(1, n + 1);
  const outS = sp.map((s, i) =>
    padding === "same" ? Math.ceil(s / strides[i]!) : Math.floor((s - pool[i]!) / strides[i]!) + 1,
  );
  const before = sp.map((s, i) =>
    padding === "same"
      ? Math.floor(Math.max((outS[i]! - 1) * strides[i]! + pool[i]! - s, 0) / 2)
      : 0,
  );
  const outShape = [shape[0]!, ...outS, shape[n + 1]!];
  const xs = stridesOf(shape);
  const out: number[] = [];
  forEachIndex(outShape, (idx) => {
    let acc = kind === "max" ? -Infinity : 0;
    let count = 0;
    forEachIndex(pool, (w) => {
      let off = idx[0]! * xs[0]! + idx[n + 1]!;
      for (let i = 0; i < n; i++) {
        const p = idx[i + 1]! * strides[i]! + w[i]! - before[i]!;
        if (p < 0 || p >= sp[i]!) return;
        off += p * xs[i + 1]!;
      }
      const v = x[off]!;
      acc = kind === "max" ? Math.max(acc, v) : acc + v;
      count++;
    });
    out.push(kind === "max" ? acc : acc / count);
  });
  return { data: out, shape: outShape };
}

const rand = (shape: number[], seed: number) => Float64Array.from(randomValues(size(shape), seed));

describe("MaxPooling / AveragePooling: layer checks", () => {
  const cases = [
    { cls: MaxPooling1D, init: [2], inputShape: [2, 7, 3], out: [2, 3, 3] },
    { cls: MaxPooling2D, init: [], inputShape: [2, 6, 5, 3], out: [2, 3, 2, 3] },
    {
      cls: MaxPooling3D,
      init: [[2, 2, 1], { padding: "same" }],
      inputShape: [1, 5, 4, 3, 2],
      out: [1, 3, 2, 3, 2],
    },
    { cls: AveragePooling1D, init: [3, { strides: 1 }], inputShape: [2, 6, 2], out: [2, 4, 2] },
    {
      cls: AveragePooling2D,
      init: [2, { dataFormat: "channels_first" }],
      inputShape: [2, 3, 6, 4],
      out: [2, 3, 3, 2],
    },
    { cls: AveragePooling3D, init: [], inputShape: [1, 4, 4, 4, 2], out: [1, 2, 2, 2, 2] },
  ];
  for (const c of cases)
    it(c.cls.className, () => {
      const { layer } = runLayerTest(c.cls, {
        init: c.init,
        inputShape: c.inputShape,
        expectedOutputShape: c.out,
        expectedNumTrainableWeights: 0,
        expectedNumNonTrainableWeights: 0,
        supportsMasking: false,
      });
      expect(layer.getBuildConfig()).toBe(null);
    });

  it("Keras config (the b_cnn MaxPooling2D config)", () => {
    const layer = new MaxPooling2D(undefined, { name: "max_pooling2d_cfg" });
    expect(layer.getConfig()).toEqual({
      name: "max_pooling2d_cfg",
      trainable: true,
      dtype: {
        module: "keras",
        class_name: "DTypePolicy",
        config: { name: "float32" },
        registered_name: null,
      },
      pool_size: [2, 2],
      padding: "valid",
      strides: [2, 2],
      data_format: "channels_last",
    });
    expect(new MaxPooling1D().getConfig().pool_size).toEqual([2]);
    expect(new AveragePooling3D(3, { strides: [1, 2, 1] }).getConfig().strides).toEqual([1, 2, 1]);
  });
});

describe("pooling values vs float64 references", () => {
  const cases: {
    kind: "max" | "avg";
    x: number[];
    pool: number[];
    strides: number[];
    padding: "valid" | "same";
  }[] = [
    { kind: "max", x: [2, 7, 6, 3], pool: [2, 2], strides: [2, 2], padding: "valid" },
    { kind: "max", x: [2, 7, 5, 2], pool: [3, 2], strides: [2, 2], padding: "same" },
    { kind: "avg", x: [2, 7, 5, 2], pool: [3, 3], strides: [2, 2], padding: "same" },
    { kind: "avg", x: [1, 6, 6, 2], pool: [2, 3], strides: [1, 2], padding: "valid" },
    { kind: "avg", x: [2, 9, 3], pool: [4], strides: [3], padding: "same" },
    { kind: "max", x: [2, 9, 3], pool: [2], strides: [1], padding: "same" },
    { kind: "avg", x: [1, 5, 4, 3, 2], pool: [2, 3, 2], strides: [2, 1, 2], padding: "same" },
    { kind: "max", x: [1, 5, 4, 3, 2], pool: [2, 2, 2], strides: [2, 2, 2], padding: "valid" },
  ];
  for (const c of cases)
    it(`${c.kind} ${c.x.length - 2}D ${c.padding} pool ${c.pool} strides ${c.strides}`, () => {
      const n = c.x.length - 2;
      const Cls = (
        c.kind === "max"
          ? [MaxPooling1D, MaxPooling2D, MaxPooling3D]
          : [AveragePooling1D, AveragePooling2D, AveragePooling3D]
      )[n - 1]!;
      const layer = new Cls(c.pool, { strides: c.strides, padding: c.padding });
      const x = rand(c.x, 5);
      const want = poolRef(
        c.kind,
        Float64Array.from(Float32Array.from(x)),
        c.x,
        c.pool,
        c.strides,
        c.padding,
      );
      expect((layer.apply(new KerasTensor([null, ...c.x.slice(1)])) as KerasTensor).shape).toEqual([
        null,
        ...want.shape.slice(1),
      ]);
      tidy(() => {
        const y = layer.apply(tensor(x, c.x)) as Tensor;
        expect(y.shape).toEqual(want.shape);
        expectAllclose(y, want.data, { atol: 1e-6 });
      });
    });

  it("padding is case-insensitive and kept as given in the config", () => {
    const layer = new MaxPooling1D(2, { padding: "SAME" });
    expect(layer.getConfig().padding).toBe("SAME");
    tidy(() =>
      expect((layer.apply(tensor([1, 5, 2, 4, 3], [1, 5, 1])) as Tensor).dataSync()).toEqual(
        Float32Array.from([5, 4, 3]),
      ),
    );
  });
});

describe("global pooling", () => {
  const cases = [
    { cls: GlobalMaxPooling1D, x: [2, 5, 3], axes: [1], init: {} },
    { cls: GlobalMaxPooling2D, x: [2, 4, 3, 2], axes: [1, 2], init: { keepdims: true } },
    {
      cls: GlobalMaxPooling3D,
      x: [1, 3, 2, 2, 2],
      axes: [2, 3, 4],
      init: { dataFormat: "channels_first" },
    },
    {
      cls: GlobalAveragePooling1D,
      x: [2, 5, 3],
      axes: [2],
      init: { dataFormat: "channels_first", keepdims: true },
    },
    { cls: GlobalAveragePooling2D, x: [2, 4, 3, 2], axes: [1, 2], init: {} },
    { cls: GlobalAveragePooling3D, x: [1, 3, 2, 2, 2], axes: [1, 2, 3], init: { keepdims: true } },
  ];
  for (const c of cases)
    it(`${c.cls.className} ${JSON.stringify(c.init)}`, () => {
      const keep = (c.init as { keepdims?: boolean }).keepdims ?? false;
      const outShape = keep
        ? c.x.map((d, i) => (c.axes.includes(i) ? 1 : d))
        : c.x.filter((_, i) => !c.axes.includes(i));
      const { outputs, inputs } = runLayerTest(c.cls, {
        init: c.init,
        inputShape: c.x,
        expectedOutputShape: outShape,
        expectedNumTrainableWeights: 0,
        expectedNumNonTrainableWeights: 0,
        supportsMasking: c.cls === GlobalAveragePooling1D,
      });
      const xd = Array.from(inputs[0]!.dataSync());
      const xs = stridesOf(c.x);
      const reduced = c.x.map((d, i) => (c.axes.includes(i) ? 1 : d));
      const want: number[] = [];
      forEachIndex(reduced, (idx) => {
        const vals: number[] = [];
        forEachIndex(
          c.axes.map((a) => c.x[a]!),
          (w) => {
            let off = 0;
            idx.forEach(
              (v, j) => (off += (c.axes.includes(j) ? w[c.axes.indexOf(j)]! : v) * xs[j]!),
            );
            vals.push(xd[off]!);
          },
        );
        want.push(
          c.cls.className.includes("Max")
            ? Math.max(...vals)
            : vals.reduce((a, b) => a + b, 0) / vals.length,
        );
      });
      expectAllclose(outputs[0]!, want, { atol: 1e-6 });
    });

  it("Keras config", () => {
    expect(new GlobalAveragePooling2D({ name: "gap" }).getConfig()).toEqual({
      name: "gap",
      trainable: true,
      dtype: {
        module: "keras",
        class_name: "DTypePolicy",
        config: { name: "float32" },
        registered_name: null,
      },
      data_format: "channels_last",
      keepdims: false,
    });
  });

  it("GlobalAveragePooling1D averages the unmasked steps only", () => {
    const layer = new GlobalAveragePooling1D();
    const x = rand([2, 4, 3], 9);
    const mask = [1, 1, 0, 1, 1, 0, 0, 0];
    tidy(() => {
      const y = layer.apply(tensor(x, [2, 4, 3]), { mask: tensor(mask, [2, 4], "bool") }) as Tensor;
      const xf = Float32Array.from(x);
      const want: number[] = [];
      for (let b = 0; b < 2; b++)
        for (let c = 0; c < 3; c++) {
          let s = 0;
          let n = 0;
          for (let t = 0; t < 4; t++)
            if (mask[b * 4 + t]) {
              s += xf[(b * 4 + t) * 3 + c]!;
              n++;
            }
          want.push(s / n);
        }
      expectAllclose(y, want, { atol: 1e-6 });
      const cf = new GlobalAveragePooling1D({ dataFormat: "channels_first", keepdims: true });
      const xt = tensor(x, [2, 3, 4]);
      const yc = cf.apply(xt, { mask: tensor(mask, [2, 4], "bool") }) as Tensor;
      expect(yc.shape).toEqual([2, 3, 1]);
    });
    expect(layer.computeMask(null, null)).toBe(null);
  });
});

describe("errors", () => {
  it("bad arguments and ranks", () => {
    expect(() => new MaxPooling2D([2, 2, 2])).toThrow(/pool_size.*Received: pool_size=\(2, 2, 2\)/);
    expect(() => new MaxPooling2D(0)).toThrow(/pool_size.*Received: pool_size=0/);
    expect(() => new AveragePooling1D(2, { padding: "full" })).toThrow(
      /padding.*Received: padding=full/,
    );
    expect(() => new GlobalMaxPooling2D({ dataFormat: "nchw" })).toThrow(
      /data_format.*Received: data_format=nchw/,
    );
    expect(() => new MaxPooling2D(2, { name: "mp_rank" }).apply(Input([8, 8]))).toThrow(
      /mp_rank.*expected ndim=4, found ndim=3.*Received: input\.shape=\(None, 8, 8\)/,
    );
    expect(() =>
      new GlobalAveragePooling2D({ name: "gap_rank" }).apply(Input([8, 8, 2, 1])),
    ).toThrow(/gap_rank.*expected ndim=4, found ndim=5/);
  });
});
