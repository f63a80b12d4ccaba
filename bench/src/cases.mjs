// The benchmark cases: the same work written once per library, side by side, so that it is easy
// to see that every contender does equal work. A case gives its inputs (seeded typed arrays), a
// nominal FLOP count (null where GFLOP/s means little), the tolerance used to check that
// contenders agree, and per library a `setup(lib, inputs)` returning `{ run, dispose }`:
// `run()` computes once, reads every output back (`await data()`, which forces completion on
// asynchronous backends), disposes what it made and resolves to the outputs it read.
// A library missing from `impl` is shown as "n/a" for that case.
import { tfCase, wk, wkCase } from "./case_helpers.mjs";
import { randint, uniform } from "./rng.mjs";
import { WASM_CASES } from "./wasm.mjs";

// --- cases ----------------------------------------------------------------------------------

function matmulCase(n) {
  return {
    id: `matmul-${n}`,
    title: `matmul ${n}x${n} @ ${n}x${n}`,
    flops: 2 * n * n * n,
    tol: { rtol: 1e-3, atol: 1e-3 },
    inputs: (rng) => ({ a: uniform(rng, n * n), b: uniform(rng, n * n) }),
    impl: {
      webkeras(k, { a, b }) {
        const [ta, tb] = [wk(k, a, [n, n]), wk(k, b, [n, n])];
        return wkCase(k, [ta, tb], () => [k.ops.matmul(ta, tb)]);
      },
      tfjs(tf, { a, b }) {
        const [ta, tb] = [tf.tensor2d(a, [n, n]), tf.tensor2d(b, [n, n])];
        return tfCase(tf, [ta, tb], () => [tf.matMul(ta, tb)]);
      },
    },
  };
}

// conv2d, channels-last: x (8, 28, 28, 8) * kernel (3, 3, 8, 16), stride 1, "same" -> (8, 28, 28, 16)
const [N, H, W, C, O, K] = [8, 28, 28, 8, 16, 3];
const conv2d = {
  id: "conv2d",
  title: `conv2d ${N}x${H}x${W}x${C} -> ${O}, ${K}x${K}, same`,
  flops: 2 * N * H * W * O * K * K * C,
  tol: { rtol: 1e-3, atol: 1e-3 },
  inputs: (rng) => ({ x: uniform(rng, N * H * W * C), w: uniform(rng, K * K * C * O, 0.3) }),
  impl: {
    webkeras(k, { x, w }) {
      const [tx, tw] = [wk(k, x, [N, H, W, C]), wk(k, w, [K, K, C, O])];
      return wkCase(k, [tx, tw], () => [k.ops.conv(tx, tw, 1, "same")]);
    },
    tfjs(tf, { x, w }) {
      const [tx, tw] = [tf.tensor4d(x, [N, H, W, C]), tf.tensor4d(w, [K, K, C, O])];
      return tfCase(tf, [tx, tw], () => [tf.conv2d(tx, tw, 1, "same")]);
    },
  },
};

// softmax over the last axis of (1024, 1000)
const softmax = {
  id: "softmax",
  title: "softmax 1024x1000, last axis",
  flops: null,
  tol: { rtol: 1e-3, atol: 1e-6 },
  inputs: (rng) => ({ x: uniform(rng, 1024 * 1000, 4) }),
  impl: {
    webkeras(k, { x }) {
      const tx = wk(k, x, [1024, 1000]);
      return wkCase(k, [tx], () => [k.ops.softmax(tx, -1)]);
    },
    tfjs(tf, { x }) {
      const tx = tf.tensor2d(x, [1024, 1000]);
      return tfCase(tf, [tx], () => [tf.softmax(tx, -1)]);
    },
  },
};

// Value and gradient of a 784-128-10 MLP's mean sparse categorical crossentropy (from logits)
// w.r.t. W1, b1, W2, b2, on a batch of 64. Outputs: [loss, dW1, db1, dW2, db2].
const [B, D, Hd, Cl] = [64, 784, 128, 10];
const mlpGrad = {
  id: "mlp-grad",
  title: `grad of ${D}-${Hd}-${Cl} MLP loss, batch ${B}`,
  flops: null, // mostly matmuls, but GFLOP/s would depend on how much of the backward runs
  tol: { rtol: 1e-3, atol: 1e-5 },
  inputs: (rng) => ({
    x: uniform(rng, B * D),
    labels: randint(rng, B, Cl),
    w1: uniform(rng, D * Hd, Math.sqrt(6 / (D + Hd))),
    b1: uniform(rng, Hd, 0.1),
    w2: uniform(rng, Hd * Cl, Math.sqrt(6 / (Hd + Cl))),
    b2: uniform(rng, Cl, 0.1),
  }),
  impl: {
    webkeras(k, { x, labels, w1, b1, w2, b2 }) {
      const o = k.ops;
      const tx = wk(k, x, [B, D]);
      const ty = wk(k, labels, [B], "int32");
      const params = [wk(k, w1, [D, Hd]), wk(k, b1, [Hd]), wk(k, w2, [Hd, Cl]), wk(k, b2, [Cl])];
      const loss = (W1, b1, W2, b2) => {
        const h = o.relu(o.add(o.matmul(tx, W1), b1)); // (B, D) @ (D, Hd) -> (B, Hd)
        const logits = o.add(o.matmul(h, W2), b2); // (B, Hd) @ (Hd, Cl) -> (B, Cl)
        return o.mean(o.sparseCategoricalCrossentropy(ty, logits, true));
      };
      const vg = o.valueAndGrad(loss, { argnums: [0, 1, 2, 3] });
      return wkCase(k, [tx, ty, ...params], () => {
        const [value, grads] = vg(...params);
        return [value, ...grads];
      });
    },
    tfjs(tf, { x, labels, w1, b1, w2, b2 }) {
      const tx = tf.tensor2d(x, [B, D]);
      const oneHot = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(labels, "int32"), Cl), "float32"));
      const params = [
        tf.tensor2d(w1, [D, Hd]),
        tf.tensor1d(b1),
        tf.tensor2d(w2, [Hd, Cl]),
        tf.tensor1d(b2),
      ];
      // softmaxCrossEntropy's default reduction is the mean over the batch, as above.
      const vg = tf.valueAndGrads((W1, b1, W2, b2) => {
        const h = tf.relu(tf.add(tf.matMul(tx, W1), b1));
        const logits = tf.add(tf.matMul(h, W2), b2);
        return tf.losses.softmaxCrossEntropy(oneHot, logits);
      });
      return tfCase(tf, [tx, oneHot, ...params], () => {
        const { value, grads } = vg(params);
        return [value, ...grads];
      });
    },
  },
};

/** Every case, in the order they run and are reported. */
export const CASES = [matmulCase(256), matmulCase(512), conv2d, softmax, mlpGrad, ...WASM_CASES];
