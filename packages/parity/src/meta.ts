/**
 * Coverage of the case table, for the meta-test: which primitives lack forward cases, which
 * differentiable ones lack a gradient case, and static checks of the case data itself (unique
 * names, shapes accepted by core's shape rules, gradient cases that have something to
 * differentiate). Runs no kernels.
 */
import {
  ALL_PRIMITIVES,
  NON_DIFFERENTIABLE,
  gradRules,
  shapeRules,
  type Primitive,
} from "@webkeras/core";
import { PRIMITIVE_CASES, forwardCases, gradientCases, primitiveCaseId } from "./cases";

export interface MissingCases {
  /** Primitives with fewer than `minForward` forward cases. */
  forward: Primitive[];
  /** Differentiable primitives (a gradient rule, not NON_DIFFERENTIABLE) with no gradient case. */
  gradient: Primitive[];
}

/**
 * @example expect(primitivesWithoutCases(2)).toEqual({ forward: [], gradient: [] });
 */
export function primitivesWithoutCases(minForward = 1): MissingCases {
  const counts = caseCounts();
  return {
    forward: ALL_PRIMITIVES.filter((p) => counts[p].forward < minForward),
    gradient: ALL_PRIMITIVES.filter(
      (p) => gradRules[p] !== NON_DIFFERENTIABLE && counts[p].gradient === 0,
    ),
  };
}

/** Forward and gradient case counts per primitive. */
export function caseCounts(): Record<Primitive, { forward: number; gradient: number }> {
  const out = Object.fromEntries(
    ALL_PRIMITIVES.map((p) => [p, { forward: 0, gradient: 0 }]),
  ) as Record<Primitive, { forward: number; gradient: number }>;
  for (const c of PRIMITIVE_CASES) {
    out[c.prim].forward++;
    if (c.grad) out[c.prim].gradient++;
  }
  return out;
}

/**
 * Problems in the case data: duplicate test names, inputs a shape rule rejects, gradient cases
 * with no float32 input or output, gradient cases on non-differentiable primitives.
 * @example expect(validateCases()).toEqual([]);
 */
export function validateCases(): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const c of [...forwardCases(), ...gradientCases()]) {
    if (seen.has(c.id)) problems.push(`duplicate case name: "${c.id}"`);
    seen.add(c.id);
  }
  for (const c of PRIMITIVE_CASES) {
    const id = primitiveCaseId(c);
    let outputs: { dtype: string }[] = [];
    try {
      outputs = shapeRules[c.prim](
        c.inputs.map((s) => ({ shape: s.shape, dtype: s.dtype })),
        c.params as never,
      );
    } catch (err) {
      problems.push(`"${id}": rejected by the shape rule: ${(err as Error).message}`);
      continue;
    }
    if (!c.grad) continue;
    if (gradRules[c.prim] === NON_DIFFERENTIABLE)
      problems.push(`"${id}": marked grad, but ${c.prim} is non-differentiable`);
    if (!c.inputs.some((s) => s.dtype === "float32"))
      problems.push(`"${id}": marked grad, but has no float32 input`);
    if (!outputs.some((o) => o.dtype === "float32"))
      problems.push(`"${id}": marked grad, but has no float32 output`);
  }
  return problems;
}
