/**
 * Kernel calls that a multi-threaded wasm backend splits, shared by the Node test
 * (`threads.test.ts`) and the Chromium page (`browser/threads.ts`): each case runs one
 * primitive through `Backend.execute` and returns its output, so a threaded and a single-threaded
 * backend can be compared bit for bit. Shapes are chosen to split at the awkward places: row
 * counts that are not multiples of the register block, k beyond one KC slice, products wider than
 * tall (split by columns), transposed and batched operands, convolutions with k > KC, and
 * elementwise ops split by rows and within one row under every broadcast mode.
 */
import { Primitive, shapeRules, type ConcreteValue, type DType, type Params } from "@webkeras/core";
import type { WasmBackend } from "../src/index";

export interface ThreadCase {
  name: string;
  prim: Primitive;
  inputs: { shape: number[]; dtype?: DType }[];
  params: object;
}

const conv = (pad: number) => ({
  strides: [1, 1],
  padding: [
    [pad, pad],
    [pad, pad],
  ],
  dilation: [1, 1],
  groups: 1,
});
const mm = (transposeA = false, transposeB = false) => ({ transposeA, transposeB });

export const THREAD_CASES: ThreadCase[] = [
  {
    name: "matmul by rows",
    prim: Primitive.Matmul,
    inputs: [{ shape: [301, 203] }, { shape: [203, 97] }],
    params: mm(),
  },
  {
    name: "matmul k > KC",
    prim: Primitive.Matmul,
    inputs: [{ shape: [131, 600] }, { shape: [600, 70] }],
    params: mm(),
  },
  {
    name: "matmul by columns",
    prim: Primitive.Matmul,
    inputs: [{ shape: [37, 300] }, { shape: [300, 1001] }],
    params: mm(),
  },
  {
    name: "matmul transposed",
    prim: Primitive.Matmul,
    inputs: [{ shape: [150, 260] }, { shape: [90, 150] }],
    params: mm(true, true),
  },
  {
    name: "matmul batch folded",
    prim: Primitive.Matmul,
    inputs: [{ shape: [3, 50, 70] }, { shape: [70, 40] }],
    params: mm(),
  },
  {
    name: "matmul batched",
    prim: Primitive.Matmul,
    inputs: [{ shape: [3, 50, 70] }, { shape: [3, 70, 40] }],
    params: mm(),
  },
  {
    name: "conv k > KC",
    prim: Primitive.Conv,
    inputs: [{ shape: [2, 20, 19, 40] }, { shape: [3, 3, 40, 24] }],
    params: conv(1),
  },
  {
    name: "conv one channel",
    prim: Primitive.Conv,
    inputs: [{ shape: [8, 28, 28, 1] }, { shape: [3, 3, 1, 8] }],
    params: conv(1),
  },
  {
    name: "conv_backprop_input",
    prim: Primitive.ConvBackpropInput,
    inputs: [{ shape: [2, 20, 19, 24] }, { shape: [3, 3, 40, 24] }],
    params: { ...conv(1), inputShape: [2, 20, 19, 40] },
  },
  {
    name: "conv_backprop_filter",
    prim: Primitive.ConvBackpropFilter,
    inputs: [{ shape: [2, 20, 19, 40] }, { shape: [2, 20, 19, 24] }],
    params: { ...conv(1), kernelShape: [3, 3, 40, 24] },
  },
  {
    name: "add by rows",
    prim: Primitive.Add,
    inputs: [{ shape: [300, 1001] }, { shape: [1001] }],
    params: {},
  },
  {
    name: "mul in one row",
    prim: Primitive.Mul,
    inputs: [{ shape: [100003] }, { shape: [100003] }],
    params: {},
  },
  {
    name: "sub scalar in one row",
    prim: Primitive.Sub,
    inputs: [{ shape: [] }, { shape: [100003] }],
    params: {},
  },
  {
    name: "less by rows",
    prim: Primitive.Less,
    inputs: [{ shape: [300, 1001] }, { shape: [300, 1] }],
    params: {},
  },
  { name: "sqrt", prim: Primitive.Sqrt, inputs: [{ shape: [100003] }], params: {} },
];

/** Deterministic values in [-2, 2) (mulberry32), different per input. */
function values(n: number, seed: number): Float32Array {
  let a = seed | 0;
  return Float32Array.from({ length: n }, () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return 4 * (((t ^ (t >>> 14)) >>> 0) / 4294967296) - 2;
  });
}

/** Runs `c` on `backend` and returns its output values. */
export function runThreadCase(backend: WasmBackend, c: ThreadCase): ArrayLike<number> {
  const infos = c.inputs.map((x, i) => {
    const dtype = x.dtype ?? "float32";
    const n = x.shape.reduce((p, q) => p * q, 1);
    return { dataId: backend.write(values(n, 17 + 31 * i), x.shape, dtype), shape: x.shape, dtype };
  });
  const rule = shapeRules[c.prim] as (i: typeof infos, p: object) => ConcreteValue[];
  const specs = rule(infos, c.params);
  const [out] = backend.execute(c.prim, infos, c.params as Params<typeof c.prim>, specs);
  const result = backend.readSync(out!);
  backend.decRef(out!);
  for (const x of infos) backend.decRef(x.dataId);
  return result;
}
