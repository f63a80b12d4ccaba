/**
 * @webkeras/parity: the one parity suite every backend runs. Op cases as data (`cases.ts`), the
 * cpu oracle and float64 references, and the shared `toBeAllclose` matcher (registered on import).
 * Private; consumed from source by vitest.
 *
 * @example
 * // packages/backend-wasm/test/parity.test.ts
 * import { runParitySuite } from "@webkeras/parity";
 * runParitySuite({ backend: "wasm", setup: () => import("../src/index"), knownGaps: {} });
 */
export { runParitySuite, type ParitySuiteOptions } from "./run";
export {
  PRIMITIVE_CASES,
  OP_CASES,
  DEFAULT_TOL,
  ARITH,
  TRANSCENDENTAL,
  POW,
  REDUCE,
  MATMUL,
  GRAD,
  forwardCases,
  gradientCases,
  primitiveCaseId,
  opCaseId,
  gradCaseId,
  type PrimitiveCase,
  type OpCase,
  type ParityCase,
} from "./cases";
export { generate, hashSeed, rng, type Gen, type InputSpec, type HostArray } from "./inputs";
export {
  EXACT,
  allclose,
  isClose,
  expectAllclose,
  formatReport,
  type Tolerance,
  type Numeric,
  type AllcloseReport,
} from "./matchers";
export { reference, erfRef } from "./reference";
export { primitivesWithoutCases, caseCounts, validateCases, type MissingCases } from "./meta";
