/**
 * Self-tests of the parity harness: the matcher, and the three outcomes a backend can have —
 * unavailable (skipped), available with known gaps (those cases must fail, the rest pass), and
 * not registered at all (skipped). The "broken" backend delegates to cpu but returns x for neg(x).
 */
import { describe, expect, it } from "vitest";
import {
  BackendUnavailableError,
  Primitive,
  lax,
  registerBackend,
  setBackend,
  type Backend,
} from "@webkeras/core";
import { allclose, runParitySuite } from "../src/index";

describe("toBeAllclose", () => {
  it("passes within tolerance and treats NaN as equal to NaN", () => {
    expect(new Float32Array([1, NaN, -Infinity, -0])).toBeAllclose([1.000001, NaN, -Infinity, 0], {
      rtol: 1e-5,
    });
    expect([
      [1, 2],
      [3, 4],
    ]).toBeAllclose([1, 2, 3, 4]);
    expect(true).toBeAllclose(1);
  });

  it("fails beyond tolerance, on infinities of the other sign and on length", () => {
    expect([1.001]).not.toBeAllclose([1], { rtol: 1e-5, atol: 1e-6 });
    expect([Infinity]).not.toBeAllclose([-Infinity], { rtol: 1, atol: 1 });
    expect([NaN]).not.toBeAllclose([0], { rtol: 1, atol: 1 });
    expect([1, 2]).not.toBeAllclose([1]);
  });

  it("reports counts and the first mismatches", () => {
    const r = allclose([1, 5, 3, 9], [1, 2, 3, 4], { rtol: 0, atol: 0.5 });
    expect(r).toMatchObject({ pass: false, mismatches: 2, maxAbsError: 5 });
    expect(r.first.map((m) => m.index)).toEqual([1, 3]);
  });
});

/** A backend that delegates to cpu except that neg(x) returns x. */
function brokenNeg(cpu: Backend): Backend {
  return {
    name: "selftest-broken-neg",
    write: (v, s, d) => cpu.write(v, s, d),
    read: (id) => cpu.read(id),
    readSync: (id) => cpu.readSync!(id),
    incRef: (id) => cpu.incRef(id),
    decRef: (id) => cpu.decRef(id),
    execute: (prim, inputs, params, outputs) => {
      if (prim !== Primitive.Neg) return cpu.execute(prim, inputs, params, outputs);
      cpu.incRef(inputs[0]!.dataId);
      return [inputs[0]!.dataId];
    },
    supports: (p) => cpu.supports(p),
    memory: () => cpu.memory(),
    dispose: () => {},
  };
}

const negAndAdd = (id: string) => id.startsWith("neg:") || id.startsWith("add:");

// Every neg case with values fails on the broken backend (size-0 has none, so it passes); add
// cases and their gradients (which use no neg) pass.
runParitySuite({
  backend: "selftest-broken-neg",
  filter: negAndAdd,
  setup: async () => {
    await setBackend("cpu");
    const probe = lax.scalar(0, "float32");
    const cpu = probe.backend;
    probe.dispose();
    registerBackend({
      name: "selftest-broken-neg",
      priority: -1,
      create: async () => brokenNeg(cpu),
    });
  },
  knownGaps: {
    "neg: float32 7x13": "selftest: neg returns its input",
    "neg: float32 odd 65x33": "selftest: neg returns its input",
    "neg: scalar": "selftest: neg returns its input",
    "neg: special values": "selftest: neg returns its input",
    "neg: int32": "selftest: neg returns its input",
    "neg: float32 7x13 (grad)": "selftest: neg returns its input",
    "neg: scalar (grad)": "selftest: neg returns its input",
  },
});

// Registered but cannot start here: every case is skipped with the reason.
runParitySuite({
  backend: "selftest-unavailable",
  filter: (id) => id.startsWith("add:"),
  setup: () =>
    registerBackend({
      name: "selftest-unavailable",
      priority: -1,
      create: async () => {
        throw new BackendUnavailableError(
          "selftest-unavailable: no device here. Received: adapter=null",
        );
      },
    }),
});

// Not registered at all (e.g. a GPU backend in Node): skipped the same way.
runParitySuite({ backend: "selftest-not-registered", filter: (id) => id.startsWith("mul:") });

describe("knownGaps validation", () => {
  it("rejects entries that name no case, so typos cannot hide gaps", () => {
    expect(() =>
      runParitySuite({ backend: "cpu", knownGaps: { "neg: no such case": "x" } }),
    ).toThrow(/names no case/);
  });
});
