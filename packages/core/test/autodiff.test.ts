/**
 * Reverse-mode autodiff: grad / valueAndGrad against central finite differences, pytrees,
 * argnums, hasAux, higher order, stopGradient, customGradient, remat, noGrad, and error messages.
 * Functions are written with `lax` (the primitive wrappers) so these tests depend on core only.
 */
import { describe, expect, it } from "vitest";
import {
  KerasTensor,
  Tensor,
  ValueError,
  customGradient,
  grad,
  lax,
  memory,
  noGrad,
  remat,
  stopGradient,
  tidy,
  valueAndGrad,
} from "../src/index";
import * as keras from "../src/index";
import { expectAllclose, numericGrad, randomValues } from "./utils";

const f32 = (values: ArrayLike<number>, shape: number[]): Tensor =>
  lax.constant(values, shape, "float32");

describe("grad: composed functions vs finite differences", () => {
  it("elementwise chain: sum(sin(x) * exp(x) / (1 + x^2))", () => {
    const xs = randomValues(6, 3);
    const f = (x: Tensor) =>
      lax.sum(lax.div(lax.mul(lax.sin(x), lax.exp(x)), lax.add(lax.mul(x, x), 1)), [0, 1]);
    const ref = (x: Float64Array) =>
      x.reduce((s, v) => s + (Math.sin(v) * Math.exp(v)) / (1 + v * v), 0);
    const g = grad(f)(f32(xs, [2, 3]));
    expect(g.shape).toEqual([2, 3]);
    expectAllclose(g, numericGrad(ref, xs), { rtol: 1e-3, atol: 1e-4 });
  });

  it("reductions, pow, maximum, sqrt and log1p", () => {
    const xs = Array.from(randomValues(8, 5, 0.5, 2));
    const f = (x: Tensor) => {
      const m = lax.max(x, [1]); // (2,)
      const p = lax.pow(x, lax.full([], 1.5, "float32"));
      const s = lax.sum(lax.maximum(p, lax.sqrt(x)), [1]);
      return lax.sum(lax.add(lax.mul(m, s), lax.log1p(lax.prod(x, [1]))), [0]);
    };
    const ref = (x: Float64Array) => {
      let out = 0;
      for (let r = 0; r < 2; r++) {
        const row = Array.from(x.slice(r * 4, r * 4 + 4));
        const m = Math.max(...row);
        const s = row.reduce((a, v) => a + Math.max(v ** 1.5, Math.sqrt(v)), 0);
        out += m * s + Math.log1p(row.reduce((a, v) => a * v, 1));
      }
      return out;
    };
    expectAllclose(grad(f)(f32(xs, [2, 4])), numericGrad(ref, xs), { rtol: 2e-3, atol: 1e-3 });
  });

  it("a 2-layer MLP loss with broadcasting biases; pytree of parameters", () => {
    const B = 4,
      I = 3,
      H = 5,
      O = 2;
    const xv = randomValues(B * I, 11);
    const yv = randomValues(B * O, 12);
    const init = {
      w1: randomValues(I * H, 13),
      b1: randomValues(H, 14),
      w2: randomValues(H * O, 15),
      b2: randomValues(O, 16),
    };
    const x = f32(xv, [B, I]);
    const y = f32(yv, [B, O]);
    const params = {
      w1: f32(init.w1, [I, H]),
      b1: f32(init.b1, [H]),
      w2: f32(init.w2, [H, O]),
      b2: f32(init.b2, [O]),
    };
    const loss = (p: typeof params) => {
      const h = lax.tanh(lax.add(lax.matmul(x, p.w1), p.b1)); // (B, H) + (H,)
      const out = lax.add(lax.matmul(h, p.w2), p.b2); // (B, O) + (O,)
      const d = lax.sub(out, y);
      return lax.div(lax.sum(lax.mul(d, d), [0, 1]), B * O);
    };
    // float64 reference over one flat parameter vector [w1, b1, w2, b2]
    const sizes = [I * H, H, H * O, O];
    const refLoss = (flat: Float64Array) => {
      const [w1, b1, w2, b2] = sizes.reduce<Float64Array[]>((acc, n, i) => {
        const off = sizes.slice(0, i).reduce((a, b) => a + b, 0);
        acc.push(flat.subarray(off, off + n));
        return acc;
      }, []) as [Float64Array, Float64Array, Float64Array, Float64Array];
      let total = 0;
      for (let b = 0; b < B; b++) {
        const h = new Float64Array(H);
        for (let j = 0; j < H; j++) {
          let s = b1[j]!;
          for (let i = 0; i < I; i++) s += xv[b * I + i]! * w1[i * H + j]!;
          h[j] = Math.tanh(s);
        }
        for (let o = 0; o < O; o++) {
          let s = b2[o]!;
          for (let j = 0; j < H; j++) s += h[j]! * w2[j * O + o]!;
          total += (s - yv[b * O + o]!) ** 2;
        }
      }
      return total / (B * O);
    };
    const flat = [...init.w1, ...init.b1, ...init.w2, ...init.b2];
    const num = numericGrad(refLoss, flat);
    const [value, g] = valueAndGrad(loss)(params);
    expectAllclose(value, refLoss(Float64Array.from(flat)), { rtol: 1e-5 });
    expect(Object.keys(g)).toEqual(["w1", "b1", "w2", "b2"]);
    expect(g.w1.shape).toEqual([I, H]);
    expect(g.b1.shape).toEqual([H]);
    const got = [...g.w1.dataSync(), ...g.b1.dataSync(), ...g.w2.dataSync(), ...g.b2.dataSync()];
    expectAllclose(got, num, { rtol: 1e-3, atol: 1e-4 });
  });
});

describe("grad: arguments, pytrees and aux", () => {
  const a = () => f32([1, 2, 3], [3]);
  const b = () => f32([4, 5, 6], [3]);
  const f = (x: Tensor, y: Tensor) => lax.sum(lax.add(lax.mul(x, y), x), [0]);

  it("argnums default 0, a number, and a list", () => {
    expectAllclose(grad(f)(a(), b()), [5, 6, 7]);
    expectAllclose(grad(f, { argnums: 1 })(a(), b()), [1, 2, 3]);
    const [ga, gb] = grad(f, { argnums: [0, 1] })(a(), b());
    expectAllclose(ga, [5, 6, 7]);
    expectAllclose(gb, [1, 2, 3]);
  });

  it("an array argument gives an array of gradients; unused leaves get zeros", () => {
    const g = grad((ps: Tensor[]) => lax.sum(lax.mul(ps[0]!, ps[1]!), [0]))([
      a(),
      b(),
      f32([9], [1]),
    ]);
    expect(g).toHaveLength(3);
    expectAllclose(g[0], [4, 5, 6]);
    expectAllclose(g[1], [1, 2, 3]);
    expectAllclose(g[2], [0]);
  });

  it("nested objects keep their structure", () => {
    const p = { layer: { w: a(), b: f32([0.5], [1]) }, scale: f32([2], []) };
    const g = grad((q: typeof p) => lax.sum(lax.mul(lax.add(q.layer.w, q.layer.b), q.scale), [0]))(
      p,
    );
    expectAllclose(g.layer.w, [2, 2, 2]);
    expectAllclose(g.layer.b, [6]);
    expectAllclose(g.scale, 7.5); // 1.5 + 2.5 + 3.5
  });

  it("hasAux passes aux through and differentiates only the value", () => {
    const [value, g, aux] = valueAndGrad(
      (x: Tensor) => {
        const y = lax.mul(x, x);
        return [lax.sum(y, [0]), { squares: y, note: "hi" }];
      },
      { hasAux: true },
    )(a());
    expectAllclose(value, 14);
    expectAllclose(g, [2, 4, 6]);
    const aux_ = aux as { squares: Tensor; note: string };
    expectAllclose(aux_.squares, [1, 4, 9]);
    expect(aux_.note).toBe("hi");
    const [g2, aux2] = grad((x: Tensor) => [lax.sum(x, [0]), 3], { hasAux: true })(a());
    expectAllclose(g2, [1, 1, 1]);
    expect(aux2).toBe(3);
  });

  it("a tensor that does not affect the value gets zeros", () => {
    const g = grad((_x: Tensor, y: Tensor) => lax.sum(y, [0]))(a(), b());
    expectAllclose(g, [0, 0, 0]);
  });
});

describe("grad: higher order", () => {
  it("grad of grad of x^3 at x = 2 is 12", () => {
    const cube = (x: Tensor) => lax.mul(lax.mul(x, x), x);
    const d2 = grad(grad(cube));
    expectAllclose(d2(f32([2], [])), 12);
    expectAllclose(grad(grad(grad(cube)))(f32([2], [])), 6);
  });

  it("second derivative of exp and sin (rules that read their outputs)", () => {
    const x = f32([0.3, -0.7], [2]);
    const d2exp = grad((t: Tensor) =>
      lax.sum(grad((u: Tensor) => lax.sum(lax.exp(u), [0]))(t), [0]),
    );
    expectAllclose(d2exp(x), [Math.exp(0.3), Math.exp(-0.7)], { rtol: 1e-5 });
    const d2sin = grad((t: Tensor) =>
      lax.sum(grad((u: Tensor) => lax.sum(lax.sin(u), [0]))(t), [0]),
    );
    expectAllclose(d2sin(x), [-Math.sin(0.3), Math.sin(0.7)], { rtol: 1e-5 });
  });

  it("grad of a scalar function whose value is its own output (exp of a scalar)", () => {
    // The inner value exp(x) is an input of the inner backward pass the outer tape records.
    expectAllclose(grad(grad((u: Tensor) => lax.exp(u)))(f32([0.5], [])), Math.exp(0.5), {
      rtol: 1e-5,
    });
  });
});

describe("stopGradient, customGradient, remat, noGrad", () => {
  it("stopGradient cuts the flow", () => {
    const x = f32([1, 2, 3], [3]);
    expectAllclose(grad((t: Tensor) => lax.sum(lax.mul(t, stopGradient(t)), [0]))(x), [1, 2, 3]);
    expectAllclose(grad((t: Tensor) => lax.sum(lax.mul(t, t), [0]))(x), [2, 4, 6]);
    expectAllclose(grad((t: Tensor) => lax.sum(stopGradient(lax.mul(t, t)), [0]))(x), [0, 0, 0]);
  });

  it("customGradient: Keras' log1pexp example is finite where the naive gradient is NaN", () => {
    const log1pexp = customGradient((x: Tensor) => {
      const e = lax.exp(x);
      return [
        lax.log(lax.add(e, 1)),
        (dy: Tensor) => lax.mul(dy, lax.sub(1, lax.div(f32([1], []), lax.add(e, 1)))),
      ];
    });
    const x = f32([100, 0], [2]);
    expectAllclose(grad((t: Tensor) => lax.sum(log1pexp(t), [0]))(x), [1, 0.5]);
    const naive = grad((t: Tensor) => lax.sum(lax.log(lax.add(lax.exp(t), 1)), [0]))(x).dataSync();
    expect(Number.isNaN(naive[0])).toBe(true);
  });

  it("customGradient: a gradient-clipping identity", () => {
    const clipGrad = customGradient((x: Tensor) => [
      lax.mul(x, 1),
      (dy: Tensor) => lax.minimum(lax.maximum(dy, -1), 1),
    ]);
    const x = f32([1, 2], [2]);
    expectAllclose(grad((t: Tensor) => lax.sum(lax.mul(clipGrad(t), 10), [0]))(x), [1, 1]);
    expectAllclose(grad((t: Tensor) => lax.sum(lax.mul(clipGrad(t), 0.25), [0]))(x), [0.25, 0.25]);
  });

  it("customGradient with two arguments returns one gradient per argument", () => {
    const mulC = customGradient((a: Tensor, b: Tensor) => [
      lax.mul(a, b),
      (dy: Tensor) => [lax.mul(dy, b), null],
    ]);
    const [ga, gb] = grad((a: Tensor, b: Tensor) => lax.sum(mulC(a, b), [0]), { argnums: [0, 1] })(
      f32([1, 2], [2]),
      f32([3, 4], [2]),
    );
    expectAllclose(ga, [3, 4]);
    expectAllclose(gb, [0, 0]);
  });

  it("remat gives the same gradients as without", () => {
    const w = f32(randomValues(12, 21), [4, 3]);
    const block = (x: Tensor) => lax.tanh(lax.matmul(x, w));
    const x = f32(randomValues(8, 22), [2, 4]);
    const loss = (fn: (x: Tensor) => Tensor) => (t: Tensor) =>
      lax.sum(lax.mul(fn(t), fn(t)), [0, 1]);
    const [v1, g1] = valueAndGrad(loss(block))(x);
    const [v2, g2] = valueAndGrad(loss(remat(block)))(x);
    expectAllclose(v2, v1);
    expectAllclose(g2, g1, { rtol: 1e-5, atol: 1e-6 });
    // with respect to a captured weight too
    const gw1 = grad((wt: Tensor) => lax.sum(lax.tanh(lax.matmul(x, wt)), [0, 1]))(w);
    const gw2 = grad((wt: Tensor) =>
      lax.sum(remat((a: Tensor, b: Tensor) => lax.tanh(lax.matmul(a, b)))(x, wt), [0, 1]),
    )(w);
    expectAllclose(gw2, gw1, { rtol: 1e-5, atol: 1e-6 });
  });

  // Known bug (reported): remat records a tape entry only for its arguments, so tensors the
  // closure captures get a zero gradient. Remove `.fails` once autodiff/grad.ts handles them.
  it("remat: gradients w.r.t. tensors the closure captures", () => {
    const x = f32([1, 2], [1, 2]);
    const w = f32([0.5, -0.5], [2, 1]);
    const plain = grad((wt: Tensor) => lax.sum(lax.tanh(lax.matmul(x, wt)), [0, 1]))(w);
    const viaRemat = grad((wt: Tensor) =>
      lax.sum(remat((a: Tensor) => lax.tanh(lax.matmul(a, wt)))(x), [0, 1]),
    )(w);
    expectAllclose(viaRemat, plain);
  });

  it("noGrad: what it computes is a constant", () => {
    const x = f32([1, 2], [2]);
    expectAllclose(
      grad((t: Tensor) =>
        lax.sum(
          lax.mul(
            t,
            noGrad(() => lax.mul(t, t)),
          ),
          [0],
        ),
      )(x),
      [1, 4],
    );
  });
});

describe("valueAndGrad errors", () => {
  it("a non-scalar output", () => {
    const x = f32([1, 2], [2]);
    expect(() => valueAndGrad((t: Tensor) => lax.mul(t, 2))(x)).toThrow(ValueError);
    expect(() => valueAndGrad((t: Tensor) => lax.mul(t, 2))(x)).toThrow(
      /scalar.*Received: shape=\(2,\), dtype=float32$/,
    );
    expect(() => valueAndGrad((_t: Tensor) => 3)(x)).toThrow(/Received: 3$/);
    expect(() => valueAndGrad((t: Tensor) => lax.cast(lax.sum(t, [0]), "int32"))(x)).toThrow(
      /float32 scalar.*Received: .*dtype=int32/,
    );
  });

  it("a KerasTensor input", () => {
    const kt = new KerasTensor([null, 3]);
    expect(() => valueAndGrad((t: Tensor) => lax.sum(t, [0, 1]))(kt as unknown as Tensor)).toThrow(
      /valueAndGrad: cannot differentiate a symbolic function.*Received: KerasTensor/,
    );
  });

  it("argnums out of range", () => {
    expect(() => grad((t: Tensor) => lax.sum(t, [0]), { argnums: 2 })(f32([1], [1]))).toThrow(
      /Received: argnums=2/,
    );
  });

  it("errors leave no tensors behind", () => {
    const x = f32([1, 2], [2]);
    const before = memory().numTensors;
    for (let i = 0; i < 3; i++)
      expect(() => valueAndGrad((t: Tensor) => lax.mul(lax.exp(t), 2))(x)).toThrow();
    expect(memory().numTensors).toBe(before);
  });

  it("grad does not dispose a value it did not create", () => {
    const x = f32([2], []);
    const outer = f32([5], []);
    expectAllclose(grad((t: Tensor) => t)(x), 1);
    expect(x.isDisposed).toBe(false);
    grad((_t: Tensor) => outer)(x);
    expect(outer.isDisposed).toBe(false);
    tidy(() => grad((t: Tensor) => lax.mul(t, t))(x));
  });
});

// keras.ops is written concurrently; this runs once the ops it needs exist.
const ops = keras.ops as unknown as Record<string, ((...args: unknown[]) => Tensor) | undefined>;
const needed = ["matmul", "add", "tanh", "subtract", "square", "mean"];
describe.runIf(needed.every((n) => typeof ops[n] === "function"))("grad through keras.ops", () => {
  it("an MLP loss written with keras.ops matches finite differences", () => {
    const call = (n: string, ...a: unknown[]) => ops[n]!(...a);
    const xv = randomValues(6, 31);
    const wv = randomValues(6, 32);
    const x = f32(xv, [2, 3]);
    const loss = (w: Tensor) =>
      call(
        "mean",
        call("square", call("subtract", call("tanh", call("add", call("matmul", x, w), 0.1)), 0.5)),
      );
    const ref = (wf: Float64Array) => {
      let s = 0;
      for (let i = 0; i < 2; i++)
        for (let j = 0; j < 2; j++) {
          let h = 0.1;
          for (let k = 0; k < 3; k++) h += xv[i * 3 + k]! * wf[k * 2 + j]!;
          s += (Math.tanh(h) - 0.5) ** 2;
        }
      return s / 4;
    };
    expectAllclose(grad(loss)(f32(wv, [3, 2])), numericGrad(ref, wv), { rtol: 1e-3, atol: 1e-4 });
  });
});
