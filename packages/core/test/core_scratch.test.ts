import { it } from "vitest";
import * as keras from "../src/index";
import { lax } from "../src/index";
import * as core from "../src/ops/core";
it("scratch", () => {
  const x = lax.constant([1, 2, 3, 4, 5, 6], [2, 3], "float32");
  console.log(core.slice(x, [0, 1], [2, 2]).arraySync());
  console.log(core.sliceUpdate(x, [1, 1], [[9, 9]]).arraySync());
  console.log(core.scatter([[0], [2]], [5, 7], [4]).arraySync());
  console.log(core.scatterUpdate(lax.full([2, 2], 0, "float32"), [[0, 1], [1, 0]], [5, 6]).arraySync());
  console.log(core.unstack(x, null, 1).map((t) => t.arraySync()));
  const [c, ys] = core.scan((c: keras.Tensor, x: keras.Tensor) => { const s = lax.add(c, x); return [s, s]; }, lax.scalar(0, "float32"), lax.constant([1, 2, 3], [3], "float32"));
  console.log(c.arraySync(), ys.arraySync());
  console.log(core.whileLoop((i: number, v: keras.Tensor) => i < 3, (i: number, v: keras.Tensor) => [i + 1, lax.mul(v, 2)] as [number, keras.Tensor], [0, x] as [number, keras.Tensor]));
  console.log(keras.random.normal([5], { seed: 1 }).arraySync(), keras.random.truncatedNormal([5], { seed: 1 }).arraySync(), keras.random.randint([5], 0, 10, { seed: 1 }).arraySync());
  console.log(keras.random.shuffle(lax.constant([1, 2, 3, 4, 5], [5], "float32"), 0, 3).arraySync(), keras.random.categorical(lax.constant([0, 0, 10, 0], [1, 4], "float32"), 5, 1).arraySync());
  console.log(keras.memory());
});
