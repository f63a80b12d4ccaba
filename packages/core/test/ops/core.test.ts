/**
 * keras.ops core module: cast / shape / dtype / convertToArray, slice, sliceUpdate, scatter,
 * scatterUpdate, cond, whileLoop, foriLoop, scan, map, vectorizedMap, unstack. Facets: values,
 * symbolic shape (unknown batch), gradient (finite differences), memory, errors.
 */
import { describe, expect, it } from "vitest";
import { KerasTensor, Tensor, ValueError, grad, lax, memory, tidy } from "../../src/index";
import * as core from "../../src/ops/core";
import { expectAllclose, numericGrad, randomValues } from "../utils";

const f32 = (values: ArrayLike<number>, shape: number[]): Tensor =>
  lax.constant(values, shape, "float32");
const m23 = () => f32([1, 2, 3, 4, 5, 6], [2, 3]);

describe("cast, shape, dtype, isTensor, convertToArray", () => {
  it("values and dtypes", async () => {
    const c = core.cast(f32([1.7, -2.2], [2]), "int32");
    expect(c.dtype).toBe("int32");
    expect(Array.from(c.dataSync())).toEqual([1, -2]);
    expect(core.cast([1, 0, 2], "bool").dtype).toBe("bool");
    expect(core.cast([1, 2], "float64").dtype).toBe("float32");
    expect(() => core.cast([1], "complex64")).toThrow(/cast: .*Received: dtype=complex64$/);
    expect(core.shape(m23())).toEqual([2, 3]);
    expect(core.shape([[1, 2, 3]])).toEqual([1, 3]);
    expect(core.shape(new KerasTensor([null, 3]))).toEqual([null, 3]);
    expect(core.dtype([1, 2])).toBe("int32");
    expect(core.dtype([1.5])).toBe("float32");
    expect(core.dtype(new KerasTensor([2], "bool"))).toBe("bool");
    expect(core.isTensor(m23())).toBe(true);
    expect(core.isTensor(new KerasTensor([2]))).toBe(false);
    expect(core.isTensor([1, 2])).toBe(false);
    expect(await core.convertToArray(m23())).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(await core.convertToArray([[true, false]])).toEqual([[true, false]]);
    await expect(core.convertToArray(new KerasTensor([2]))).rejects.toThrow(
      /Received: KerasTensor/,
    );
  });

  it("symbolic cast keeps the shape", () => {
    const y = core.cast(new KerasTensor([null, 3]), "int32");
    expect([y.shape, y.dtype]).toEqual([[null, 3], "int32"]);
  });
});

describe("slice", () => {
  it("values, -1 sizes and tensor start indices", () => {
    expectAllclose(core.slice(m23(), [0, 1], [2, 2]), [2, 3, 5, 6]);
    expectAllclose(core.slice(m23(), [1, 1], [-1, -1]), [5, 6]);
    expectAllclose(core.slice(m23(), lax.constant([1, 0], [2], "int32"), [1, 3]), [4, 5, 6]);
  });
  it("symbolic shape with an unknown batch", () => {
    expect(core.slice(new KerasTensor([null, 5]), [0, 1], [2, 3]).shape).toEqual([2, 3]);
  });
  it("errors", () => {
    expect(() => core.slice(m23(), [1, 2], [2, 2])).toThrow(ValueError);
    expect(() => core.slice(m23(), [1, 2], [2, 2])).toThrow(
      /^slice: .*Received: start_indices=\(1, 2\), shape=\(2, 2\)$/,
    );
    expect(() => core.slice(m23(), [0], [1])).toThrow(/slice: needs one start index/);
  });
  it("gradient", () => {
    const g = grad((x: Tensor) => lax.sum(lax.mul(core.slice(x, [0, 1], [2, 2]), 3), [0, 1]))(
      m23(),
    );
    expectAllclose(g, [0, 3, 3, 0, 3, 3]);
  });
});

describe("sliceUpdate", () => {
  it("values (also int and bool inputs)", () => {
    expectAllclose(core.sliceUpdate(m23(), [1, 1], [[9, 8]]), [1, 2, 3, 4, 9, 8]);
    expectAllclose(
      core.sliceUpdate(lax.full([3, 3], 0, "float32"), [1, 1], lax.full([2, 2], 1, "float32")),
      [0, 0, 0, 0, 1, 1, 0, 1, 1],
    );
    const ints = core.sliceUpdate(lax.constant([1, 2, 3], [3], "int32"), [2], [7]);
    expect([ints.dtype, Array.from(ints.dataSync())]).toEqual(["int32", [1, 2, 7]]);
    const bools = core.sliceUpdate(lax.constant([false, false], [2], "bool"), [0], [true]);
    expect(bools.arraySync()).toEqual([true, false]);
  });
  it("errors", () => {
    expect(() => core.sliceUpdate(m23(), [1, 2], [[1, 2]])).toThrow(
      /^sliceUpdate: .*does not fit.*Received: /,
    );
    expect(() => core.sliceUpdate(m23(), [0, 0], [1, 2])).toThrow(
      /sliceUpdate: updates must have the rank.*Received: updates shape=\(2,\)/,
    );
  });
  it("gradient flows to inputs outside the box and to the updates", () => {
    const xv = randomValues(6, 1);
    const uv = randomValues(2, 2);
    const w = randomValues(6, 3);
    const f = (x: Tensor, u: Tensor) =>
      lax.sum(lax.mul(lax.sin(core.sliceUpdate(x, [1, 0], u)), f32(w, [2, 3])), [0, 1]);
    const [gx, gu] = grad(f, { argnums: [0, 1] })(f32(xv, [2, 3]), f32(uv, [1, 2]));
    const ref = (flat: Float64Array) => {
      const full = Array.from(flat.slice(0, 6));
      full[3] = flat[6]!;
      full[4] = flat[7]!;
      return full.reduce((s, v, i) => s + Math.sin(v) * w[i]!, 0);
    };
    const num = numericGrad(ref, [...xv, ...uv]);
    expectAllclose([...gx.dataSync(), ...gu.dataSync()], num, { rtol: 1e-3, atol: 1e-4 });
    expect(gx.dataSync()[3]).toBe(0);
  });
});

describe("scatter and scatterUpdate", () => {
  it("scatter places (and adds duplicate) values", () => {
    expectAllclose(core.scatter([[0], [2]], [5, 7], [4]), [5, 0, 7, 0]);
    expectAllclose(core.scatter([[1], [1]], [1, 2], [3]), [0, 3, 0]);
    expectAllclose(
      core.scatter(
        [
          [0, 1],
          [1, 0],
        ],
        f32([1, 2], [2]),
        [2, 2],
      ),
      [0, 1, 2, 0],
    );
    expectAllclose(core.scatter([[1]], [[1, 2]], [2, 2]), [0, 0, 1, 2]); // row slices
    expect(core.scatter([[1]], [true], [2]).arraySync()).toEqual([false, true]);
    expect(() => core.scatter([[0]], [1], [-1])).toThrow(/Received: shape=\(-1,\)$/);
  });

  it("scatterUpdate replaces entries and rows", () => {
    expectAllclose(
      core.scatterUpdate(
        lax.full([2, 2], 1, "float32"),
        [
          [0, 1],
          [1, 0],
        ],
        [5, 6],
      ),
      [1, 5, 6, 1],
    );
    expectAllclose(core.scatterUpdate(m23(), [[1]], [[0, 0, 0]]), [1, 2, 3, 0, 0, 0]);
    const b = core.scatterUpdate(lax.constant([true, true, false], [3], "bool"), [[0]], [false]);
    expect(b.arraySync()).toEqual([false, true, false]);
  });

  it("scatterUpdate gradient: zero at replaced entries for inputs, gathered for updates", () => {
    const [gx, gu] = grad(
      (x: Tensor, u: Tensor) =>
        lax.sum(lax.mul(core.scatterUpdate(x, [[0], [2]], u), f32([1, 2, 3, 4], [4])), [0]),
      { argnums: [0, 1] },
    )(f32([1, 1, 1, 1], [4]), f32([5, 6], [2]));
    expectAllclose(gx, [0, 2, 0, 4]);
    expectAllclose(gu, [1, 3]);
  });

  it("symbolic scatter has the requested shape", () => {
    const y = core.scatter(new KerasTensor([null, 1], "int32"), new KerasTensor([null]), [5]);
    expect(y.shape).toEqual([5]);
  });
});

describe("cond", () => {
  it("eager: booleans, numbers and scalar tensors pick one branch", () => {
    let calls = 0;
    const t = () => (calls++, "t");
    const f = () => (calls++, "f");
    expect(core.cond(true, t, f)).toBe("t");
    expect(core.cond(0, t, f)).toBe("f");
    expect(core.cond(lax.less(f32([1], []), f32([2], [])), t, f)).toBe("t");
    expect(core.cond(lax.constant([0], [1], "int32"), t, f)).toBe("f");
    expect(calls).toBe(4); // only the taken branch runs
  });

  it("eager: differentiates through the taken branch", () => {
    const f = (x: Tensor) =>
      core.cond(
        lax.greater(lax.sum(x, [0]), 0),
        () => lax.sum(lax.mul(x, x), [0]),
        () => lax.sum(x, [0]),
      );
    expectAllclose(grad(f)(f32([1, 2], [2])), [2, 4]);
    expectAllclose(grad(f)(f32([-1, -2], [2])), [1, 1]);
  });

  it("symbolic: both branches traced and selected with where; mismatches rejected", () => {
    const x = new KerasTensor([null, 3]);
    const p = new KerasTensor([], "bool");
    const y = core.cond(
      p,
      () => lax.exp(x),
      () => lax.neg(x),
    );
    expect(y).toBeInstanceOf(KerasTensor);
    expect(y.shape).toEqual([null, 3]);
    expect(y.kerasHistory!.node.operation.name).toBe("where");
    const pair = core.cond(
      new KerasTensor([1]),
      () => [x, 1],
      () => [x, 2],
    );
    expect((pair[0] as KerasTensor).shape).toEqual([null, 3]);
    expect(() =>
      core.cond(
        p,
        () => x,
        () => lax.sum(x, [1]),
      ),
    ).toThrow(
      /cond: trueFn and falseFn must return the same .*Received: trueFn -> KerasTensor\(shape=\(None, 3\)/,
    );
    expect(() =>
      core.cond(
        p,
        () => [x],
        () => x as never,
      ),
    ).toThrow(ValueError);
    expect(() =>
      core.cond(
        new KerasTensor([2], "bool"),
        () => x,
        () => x,
      ),
    ).toThrow(/must be a scalar. Received: KerasTensor\(shape=\(2,\)/);
  });

  it("errors", () => {
    expect(() =>
      core.cond(
        f32([1, 2], [2]),
        () => 1,
        () => 2,
      ),
    ).toThrow(/cond: the predicate must be a scalar. Received: Tensor\(shape=\(2,\)/);
    expect(() =>
      core.cond(
        "yes" as never,
        () => 1,
        () => 2,
      ),
    ).toThrow(/Received: yes$/);
  });
});

describe("whileLoop and foriLoop", () => {
  it("whileLoop with a list of loop variables (spread, like Keras)", () => {
    const [i, x] = core.whileLoop(
      (i: number | Tensor, _x: number | Tensor) => (i as number) < 5,
      (i, x) => [(i as number) + 1, lax.mul(x as Tensor, 2)],
      [0, f32([1, 3], [2])] as (number | Tensor)[],
    );
    expect(i).toBe(5);
    expectAllclose(x as Tensor, [32, 96]);
  });

  it("whileLoop with a single tensor, a tensor predicate and maximumIterations", () => {
    const x = core.whileLoop(
      (v: Tensor) => lax.less(lax.sum(v, [0]), 100),
      (v: Tensor) => lax.mul(v, 3),
      f32([1], [1]),
    );
    expectAllclose(x, [243]);
    const capped = core.whileLoop(
      () => true,
      (v: Tensor) => lax.add(v, 1),
      f32([0], []),
      7,
    );
    expectAllclose(capped, 7);
    const none = f32([4], []);
    expect(
      core.whileLoop(
        () => false,
        (v: Tensor) => lax.add(v, 1),
        none,
      ),
    ).toBe(none);
  });

  it("whileLoop frees earlier loop variables but never the caller's", () => {
    const x0 = f32([1, 2, 3], [3]);
    const outer = f32([9, 9, 9], [3]);
    const before = memory().numTensors;
    const y = core.whileLoop(
      (v: Tensor) => lax.less(lax.max(v, [0]), 1000),
      (v: Tensor) => lax.add(v, 1),
      x0,
    );
    expectAllclose(y, [998, 999, 1000]);
    expect(memory().numTensors).toBe(before + 1);
    // a body returning a captured tensor does not get it disposed
    const z = core.whileLoop(
      (_v: Tensor, k: number) => k < 3,
      (_v: Tensor, k: number) => [outer, k + 1] as [Tensor, number],
      [x0, 0] as [Tensor, number],
    );
    expect(z[0]).toBe(outer);
    expect(outer.isDisposed).toBe(false);
    expect(x0.isDisposed).toBe(false);
  });

  it("whileLoop is differentiable (unrolled on the tape)", () => {
    const f = (x: Tensor) =>
      lax.sum(
        core.whileLoop(
          (k: number, _v: Tensor) => k < 3,
          (k: number, v: Tensor) => [k + 1, lax.mul(v, x)] as [number, Tensor],
          [0, x] as [number, Tensor],
        )[1],
        [0],
      );
    expectAllclose(grad(f)(f32([1, 2], [2])), [4, 32]); // d/dx x^4
  });

  it("foriLoop", () => {
    const y = core.foriLoop(0, 4, (i, acc: Tensor) => lax.add(acc, i), f32([0, 10], [2]));
    expectAllclose(y, [6, 16]);
    expect(core.foriLoop(lax.constant([2], [], "int32"), 5, (i, acc: number) => acc + i, 0)).toBe(
      9,
    );
    const g = grad((x: Tensor) =>
      lax.sum(
        core.foriLoop(0, 3, (_i, v: Tensor) => lax.sin(v), x),
        [0],
      ),
    )(f32([0.5], [1]));
    const s1 = Math.sin(0.5);
    const s2 = Math.sin(s1);
    expectAllclose(g, Math.cos(s2) * Math.cos(s1) * Math.cos(0.5), { rtol: 1e-5 });
    expect(() => core.foriLoop(0.5, 2, (_i, v: number) => v, 0)).toThrow(
      /Received: lower=0.5, upper=2$/,
    );
  });

  it("loops reject symbolic loop variables", () => {
    expect(() =>
      core.whileLoop(
        () => false,
        (v: KerasTensor) => v,
        new KerasTensor([2]),
      ),
    ).toThrow(/whileLoop: runs eagerly.*Received: KerasTensor/);
    expect(() => core.foriLoop(0, 1, (_i, v: KerasTensor) => v, new KerasTensor([2]))).toThrow(
      /foriLoop/,
    );
  });
});

describe("scan", () => {
  const xs = () => f32([1, 2, 3, 4], [4]);
  const cumsum = (c: Tensor, x: Tensor): [Tensor, Tensor] => {
    const s = lax.add(c, x);
    return [s, s];
  };

  it("carry and stacked ys", () => {
    const [c, ys] = core.scan(cumsum, f32([0], []), xs());
    expectAllclose(c, 10);
    expect(ys.shape).toEqual([4]);
    expectAllclose(ys, [1, 3, 6, 10]);
  });

  it("reverse keeps ys aligned with xs", () => {
    const [c, ys] = core.scan(cumsum, f32([0], []), xs(), null, true);
    expectAllclose(c, 10);
    expectAllclose(ys, [10, 9, 7, 4]);
  });

  it("no xs with length; pytree carries and ys; null ys", () => {
    const [c, ys] = core.scan(
      (k: Tensor, _x: null): [Tensor, { sq: Tensor }] => [lax.add(k, 1), { sq: lax.mul(k, k) }],
      f32([0], []),
      null,
      4,
    );
    expectAllclose(c, 4);
    expectAllclose(ys.sq, [0, 1, 4, 9]);
    const [pair, none] = core.scan(
      (s: { a: Tensor; b: Tensor }, x: Tensor): [{ a: Tensor; b: Tensor }, null] => [
        { a: lax.add(s.a, x), b: lax.mul(s.b, x) },
        null,
      ],
      { a: f32([0], []), b: f32([1], []) },
      xs(),
    );
    expectAllclose(pair.a, 10);
    expectAllclose(pair.b, 24);
    expect(none).toBeNull();
  });

  it("rows of a matrix; an empty scan gives empty stacked ys", () => {
    const [c, ys] = core.scan(
      (acc: Tensor, row: Tensor): [Tensor, Tensor] => [lax.add(acc, row), lax.sum(row, [0])],
      f32([0, 0, 0], [3]),
      m23(),
    );
    expectAllclose(c, [5, 7, 9]);
    expectAllclose(ys, [6, 15]);
    const [c0, y0] = core.scan(
      (acc: Tensor, row: Tensor): [Tensor, Tensor] => [lax.add(acc, row), lax.mul(row, 2)],
      f32([0, 0, 0], [3]),
      f32([], [0, 3]),
    );
    expectAllclose(c0, [0, 0, 0]);
    expect(y0.shape).toEqual([0, 3]);
  });

  it("is differentiable: gradient of a linear recurrence vs finite differences", () => {
    const xv = randomValues(5, 4);
    const f = (x: Tensor, h0: Tensor) => {
      const [h, ys] = core.scan(
        (h: Tensor, xi: Tensor): [Tensor, Tensor] => {
          const n = lax.tanh(lax.add(lax.mul(h, 0.9), xi));
          return [n, n];
        },
        h0,
        x,
      );
      return lax.add(lax.sum(lax.mul(ys, ys), [0]), h);
    };
    const ref = (flat: Float64Array) => {
      let h = flat[5]!;
      let s = 0;
      for (let i = 0; i < 5; i++) {
        h = Math.tanh(0.9 * h + flat[i]!);
        s += h * h;
      }
      return s + h;
    };
    const [gx, gh] = grad(f, { argnums: [0, 1] })(f32(xv, [5]), f32([0.3], []));
    expectAllclose([...gx.dataSync(), ...gh.dataSync()], numericGrad(ref, [...xv, 0.3]), {
      rtol: 1e-3,
      atol: 1e-4,
    });
  });

  it("leaves only its results", () => {
    const x = xs();
    const init = f32([0], []);
    const before = memory().numTensors;
    const [c, ys] = core.scan(cumsum, init, x);
    expect(memory().numTensors).toBe(before + 2);
    c.dispose();
    ys.dispose();
    tidy(() => {
      core.scan(cumsum, init, x);
    });
    expect(memory().numTensors).toBe(before);
  });

  it("errors", () => {
    expect(() => core.scan(cumsum, f32([0], []))).toThrow(
      /scan: without xs, length must be .*Received: length=null$/,
    );
    expect(() => core.scan(cumsum, f32([0], []), xs(), 3)).toThrow(/Received: length=3$/);
    expect(() => core.scan(() => 1 as never, f32([0], []), xs())).toThrow(
      /scan: f must return \[carry, y\]/,
    );
  });
});

describe("map and vectorizedMap", () => {
  it("maps over the leading axis and stacks", () => {
    expectAllclose(
      core.map((row: Tensor) => lax.sum(row, [0]), m23()),
      [6, 15],
    );
    const out = core.vectorizedMap(
      (p: { a: Tensor; b: Tensor }) => ({ s: lax.add(p.a, p.b), d: lax.sub(p.a, p.b) }),
      {
        a: m23(),
        b: f32([1, 1, 1, 2, 2, 2], [2, 3]),
      },
    );
    expectAllclose(out.s, [2, 3, 4, 6, 7, 8]);
    expect(out.d.shape).toEqual([2, 3]);
    expect(core.map((r: Tensor) => lax.mul(r, 2), f32([], [0, 4])).shape).toEqual([0, 4]);
  });

  it("is differentiable and leaves only its result", () => {
    const g = grad((x: Tensor) =>
      lax.sum(
        core.map((r: Tensor) => lax.mul(r, r), x),
        [0, 1],
      ),
    )(m23());
    expectAllclose(g, [2, 4, 6, 8, 10, 12]);
    const x = m23();
    const before = memory().numTensors;
    tidy(() => {
      core.map((r: Tensor) => lax.exp(r), x);
    });
    expect(memory().numTensors).toBe(before);
  });

  it("errors", () => {
    expect(() =>
      core.map((r: { a: Tensor; b: Tensor }) => r.a, { a: m23(), b: f32([1], [1]) }),
    ).toThrow(/map: every leaf .*Received: lengths=\(2, 1\)$/);
    expect(() => core.map((r: Tensor) => r, f32([1], []))).toThrow(
      /rank >= 1. Received: Tensor\(shape=\(\)/,
    );
  });
});

describe("unstack", () => {
  it("values along axes", () => {
    const [a, b] = core.unstack(m23());
    expectAllclose(a!, [1, 2, 3]);
    expectAllclose(b!, [4, 5, 6]);
    const cols = core.unstack(m23(), 3, -1);
    expect(cols).toHaveLength(3);
    expectAllclose(cols[2]!, [3, 6]);
  });
  it("symbolic: unknown dims elsewhere, num for an unknown axis", () => {
    const parts = core.unstack(new KerasTensor([null, 2, 4]), null, 1);
    expect(parts.map((p) => p.shape)).toEqual([
      [null, 4],
      [null, 4],
    ]);
    expect(core.unstack(new KerasTensor([null, 2]), 3, 0)).toHaveLength(3);
    expect(() => core.unstack(new KerasTensor([null, 2]))).toThrow(
      /pass num. Received: shape=\(None, 2\)$/,
    );
    expect(() => core.unstack(m23(), 3)).toThrow(/Received: num=3$/);
  });
  it("gradient", () => {
    const g = grad((x: Tensor) => {
      const [a, b] = core.unstack(x);
      return lax.sum(lax.mul(a!, b!), [0]);
    })(m23());
    expectAllclose(g, [4, 5, 6, 1, 2, 3]);
  });
});
