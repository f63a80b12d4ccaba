import { describe, expect, it } from "vitest";
import "../../src/index";
import { Dense } from "../../src/layers/core/dense";
import { runLayerTest } from "./harness";

describe("Dense", () => {
  it("runLayerTest", () => {
    runLayerTest(Dense, {
      init: [4, { activation: "relu" }],
      inputShape: [2, 3],
      expectedOutputShape: [2, 4],
      expectedNumTrainableWeights: 2,
      expectedNumNonTrainableWeights: 0,
      expectedWeightNames: ["kernel", "bias"],
      runTrainingCheck: true,
      supportsMasking: true,
    });
  });
  it("units=-3", () => {
    expect(() => new Dense(-3)).toThrow("Received: units=-3");
  });
});
