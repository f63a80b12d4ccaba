import { it } from "vitest";
import { KerasTensor, lax, ops } from "../../src/index";
import { sliceAxis } from "../../src/ops/numpy/internal";
it("x", () => {
  const x = new KerasTensor([null, 5, 3]);
  console.log(sliceAxis(x, 1, 1, 4).shape);
  console.log(ops.reshape(x, [-1, 15]).shape);
  console.log(ops.matmul(x, new KerasTensor([3, 4])).shape);
  console.log(ops.take(x, ops.convertToTensor([0, 0, 1, 1, 2, 2, 3, 3, 4, 4], "int32"), 1).shape);
  console.log(ops.pad(x, [[0, 0], [1, 1], [0, 0]]).shape);
  console.log(ops.repeat(x, 2, 1).shape);
});
