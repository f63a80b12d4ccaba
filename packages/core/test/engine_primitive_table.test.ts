/**
 * Meta-test over the closed primitive table: every primitive has a shape rule, a gradient rule or
 * the explicit NON_DIFFERENTIABLE mark, a CPU kernel, and a typed wrapper in `lax.ts`, so nothing
 * is half-added.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ALL_PRIMITIVES, NON_DIFFERENTIABLE, Primitive, gradRules, shapeRules } from "../src/index";
import { CpuBackend, cpuKernels } from "../src/backend/cpu/index";

const laxSource = readFileSync(new URL("../src/primitives/lax.ts", import.meta.url), "utf8");
const members = Object.entries(Primitive) as [string, Primitive][];

describe("primitive table", () => {
  it("lists every enum member once", () => {
    expect(ALL_PRIMITIVES).toHaveLength(members.length);
    expect(new Set(ALL_PRIMITIVES).size).toBe(ALL_PRIMITIVES.length);
  });

  const cpu = new CpuBackend();
  describe.each(members)("%s", (member, prim) => {
    it("has a shape rule", () => {
      expect(typeof shapeRules[prim]).toBe("function");
    });
    it("has a gradient rule or is marked non-differentiable", () => {
      const rule = gradRules[prim];
      expect(typeof rule === "function" || rule === NON_DIFFERENTIABLE).toBe(true);
    });
    it("has a CPU kernel", () => {
      expect(typeof cpuKernels[prim]).toBe("function");
      expect(cpu.supports(prim)).toBe(true);
    });
    it("is bound in lax.ts", () => {
      expect(laxSource).toMatch(new RegExp(`\\bP\\.${member}\\b`));
    });
  });
});
