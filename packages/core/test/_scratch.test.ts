import { it, expect } from "vitest";
import * as keras from "../src/index";
import { Layer } from "../src/layers/layer";
import { Input } from "../src/layers/core/input_layer";
import { Sequential } from "../src/models/sequential";
import { Functional } from "../src/models/functional";
import * as lax from "../src/primitives/lax";

class Lin extends Layer {
  static override className = "Dense";
  k: any;
  constructor(public units: number, o = {}) { super(o); }
  override build(s: any) { this.k = this.addWeight({ shape: [s[s.length - 1], this.units], initializer: { call: (sh: number[]) => lax.full(sh, 0.5, "float32") } as any, name: "kernel" }); }
  call(x: any) { return lax.matmul(x, this.k.value); }
}

it("scratch", async () => {
  const x = keras.ops.convertToTensor([[1, 2], [3, 4]], "float32");
  const y = lax.matmul(x, x);
  expect(Array.from(await y.data())).toEqual([7, 10, 15, 22]);
  const [v, g] = keras.ops.valueAndGrad((a: keras.Tensor) => lax.sum(lax.mul(a, a), [0, 1]))(x);
  expect(Array.from(g.dataSync())).toEqual([2, 4, 6, 8]);
  const inp = Input([2], { name: "features" });
  const l1 = new Lin(3);
  const l2 = new Lin(1);
  const m = new Sequential([inp as any, l1, l2], { name: "mlp" });
  const out = m.apply(x);
  expect(Array.from(out.dataSync())).toEqual([2.25, 5.25]);
  m.summary();
  const a = Input([2], { name: "a" });
  const b = Input([2], { name: "b" });
  const sh = new Lin(2, { name: "shared" });
  const f = new Functional([a, b], [lax.add(sh.apply(a), sh.apply(b))], { name: "dag" });
  f.summary();
  const r = f.apply([x, x]);
  expect(Array.from(r[0].dataSync())).toEqual([3, 3, 7, 7]);
  console.log(keras.memory());
});
