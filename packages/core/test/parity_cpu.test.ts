/**
 * The parity suite on the cpu backend, plus the meta-test over the case table.
 *
 * cpu is the oracle, so cpu vs cpu is trivially equal; what makes this run a real test is that
 * every primitive case is also checked against the float64 references in
 * `packages/parity/src/reference.ts`, and that every case must leave no live tensors behind.
 *
 * Imported by relative path: core cannot depend on @webkeras/parity (which depends on core).
 */
import { describe, expect, it } from "vitest";
import { primitivesWithoutCases, runParitySuite, validateCases } from "../../parity/src/index";

/** cpu vs the float64 references: one reason per entry; the list only shrinks. */
const CPU_KNOWN_GAPS: Record<string, string> = {};

runParitySuite({ backend: "cpu", knownGaps: CPU_KNOWN_GAPS });

describe("parity meta", () => {
  it("every primitive has at least two forward cases", () => {
    expect(primitivesWithoutCases(2).forward).toEqual([]);
  });

  it("every differentiable primitive has a gradient case", () => {
    expect(primitivesWithoutCases().gradient).toEqual([]);
  });

  it("case data is valid: unique names, shapes the shape rules accept, something to differentiate", () => {
    expect(validateCases()).toEqual([]);
  });
});
