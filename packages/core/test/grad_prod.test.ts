import { describe, expect, it } from "vitest";
import * as keras from "../src/index";
import { expectAllclose } from "./utils";

describe("prod gradient", () => {
  it("is the product of the other elements, also with zeros", () => {
    const g = (v: number[]) => keras.ops.grad((x: keras.Tensor) => keras.ops.prod(x))(keras.ops.convertToTensor(v, "float32"));
    expectAllclose(g([2, 3, 4]), [12, 8, 6]);
    expectAllclose(g([0, 2, 3]), [6, 0, 0]);
    expectAllclose(g([0, 2, 0]), [0, 0, 0]);
  });
  it("works per slice along an axis", () => {
    const x = keras.ops.convertToTensor([[1, 0, 3], [2, 2, 2]], "float32");
    const g = keras.ops.grad((t: keras.Tensor) => keras.ops.sum(keras.ops.prod(t, 1)))(x);
    expectAllclose(g, [0, 3, 0, 4, 4, 4]);
  });
  it("large integers infer float32 rather than wrapping", () => {
    const t = keras.ops.convertToTensor([1e20, 3]);
    expect(t.dtype).toBe("float32");
  });
});
