/**
 * Elementwise kernels: unary, binary (NumPy broadcasting), compare/logical, where and cast.
 *
 * float32 ops with a SIMD instruction (add, sub, mul, div, maximum, minimum; neg, abs, sqrt,
 * floor, round, reciprocal; equal, not_equal, less, less_equal) and `where` of 4-byte values run
 * in wasm (`asm/elementwise.ts`, `asm/select.ts`) over the broadcast collapsed to rows (`run2d`);
 * the rest (transcendentals, integer arithmetic and comparisons, bool where, cast) run in TypeScript
 * directly on typed-array views of linear memory, by the CPU oracle's own loops
 * (`cpuKernelUtils.unaryInto` etc. from `packages/core/src/backend/cpu/kernels/elementwise.ts`),
 * so the scalar semantics are the oracle's by construction: round half to even, Python modulo and
 * floor division for int32, int32 wrap-around, NaN-propagating min/max, saturating casts.
 */
import { Primitive, cpuKernelUtils } from "@webkeras/core";
import type { SimdBinary, SimdCompare, SimdUnary } from "../asm/module";
import type { WasmTensor } from "../runtime";
import type { Call } from "../threads";
import {
  broadcastStrides,
  cpuInput,
  run2d,
  type BinaryPrimitive,
  type ComparePrimitive,
  type UnaryPrimitive,
  type WasmKernel,
} from "./util";

const { binaryInto, castInto, unaryInto, whereInto } = cpuKernelUtils;

/**
 * Work per element of a memory-bound elementwise op, in the units of `Runtime.tasksFor` (one
 * multiply-add): splitting pays from about a quarter of a million elements.
 */
const EW_WEIGHT = 4;

// ---------------------------------------------------------------------------------------------
// Unary

const SIMD_UNARY_OF: Partial<Record<UnaryPrimitive, SimdUnary>> = {
  [Primitive.Neg]: "neg",
  [Primitive.Abs]: "abs",
  [Primitive.Sqrt]: "sqrt",
  [Primitive.Floor]: "floor",
  [Primitive.Round]: "round",
  [Primitive.Reciprocal]: "reciprocal",
};

export function unaryKernel(prim: UnaryPrimitive): WasmKernel<UnaryPrimitive> {
  const simd = SIMD_UNARY_OF[prim];
  return (rt, inputs, _params, outputs) => {
    const x = inputs[0];
    const out = outputs[0];
    if (simd && x.dtype === "float32" && out.dtype === "float32") {
      const n = x.size;
      const T = rt.tasksFor(n * EW_WEIGHT, Math.ceil(n / 16), 4);
      rt.parallel(
        Array.from({ length: T }, (_, t) => {
          const lo = Math.floor((n * t) / T / 16) * 16;
          const hi = t === T - 1 ? n : Math.floor((n * (t + 1)) / T / 16) * 16;
          return [[`un_${simd}`, x.ptr + 4 * lo, out.ptr + 4 * lo, hi - lo]];
        }),
      );
      return;
    }
    unaryInto(prim, x.dtype, rt.v(x), rt.v(out), out.dtype);
  };
}

// ---------------------------------------------------------------------------------------------
// Binary and compare

const SIMD_BINARY_OF: Partial<Record<BinaryPrimitive | ComparePrimitive, SimdBinary>> = {
  [Primitive.Add]: "add",
  [Primitive.Sub]: "sub",
  [Primitive.Mul]: "mul",
  [Primitive.Div]: "div",
  [Primitive.Maximum]: "max",
  [Primitive.Minimum]: "min",
};

const SIMD_COMPARE_OF: Partial<Record<BinaryPrimitive | ComparePrimitive, SimdCompare>> = {
  [Primitive.Equal]: "eq",
  [Primitive.NotEqual]: "ne",
  [Primitive.Less]: "lt",
  [Primitive.LessEqual]: "le",
};

/** Broadcast strides of each input against the output. */
const stridesFor = (out: WasmTensor, ins: WasmTensor[]) =>
  ins.map((t) => broadcastStrides(t.shape, out.shape));

export function binaryKernel(
  prim: BinaryPrimitive | ComparePrimitive,
): WasmKernel<BinaryPrimitive | ComparePrimitive> {
  const simd = SIMD_BINARY_OF[prim];
  const cmp = SIMD_COMPARE_OF[prim];
  return (rt, inputs, _params, outputs) => {
    const [a, b] = inputs;
    const out = outputs[0];
    if ((simd || cmp) && a.dtype === "float32") {
      // float32 in wasm: arithmetic writes float32 (4 bytes per output), comparisons bool (1).
      const eb = simd ? 4 : 1;
      run2d(out.shape, stridesFor(out, inputs), (offs, oo, rows, n, rs, rep) => {
        const mode = `${+rep[0]}${+rep[1]}`;
        const fn = simd ? `ew_${simd}_${+rep[1] | (+rep[0] << 1)}` : `cmp_${cmp!}_${mode}`;
        const [pa, pb, po] = [a.ptr + offs[0] * 4, b.ptr + offs[1] * 4, out.ptr + oo * eb];
        // Large ops are cut into tasks: by rows, or (one row) by 16-aligned column ranges.
        const byRows = rows > 1;
        const T = rt.tasksFor(rows * n * EW_WEIGHT, byRows ? rows : Math.ceil(n / 16), 4);
        rt.parallel(
          Array.from({ length: T }, (_, t): Call[] => {
            if (byRows) {
              const [lo, hi] = [Math.floor((rows * t) / T), Math.floor((rows * (t + 1)) / T)];
              const [ra, rb] = [rs[0] * 4, rs[1] * 4];
              return [[fn, pa + lo * ra, pb + lo * rb, po + lo * n * eb, hi - lo, n, ra, rb]];
            }
            const lo = Math.floor((n * t) / T / 16) * 16;
            const hi = t === T - 1 ? n : Math.floor((n * (t + 1)) / T / 16) * 16;
            const at = (p: number, repeated: boolean) => (repeated ? p : p + lo * 4);
            return [
              [fn, at(pa, rep[0]), at(pb, rep[1]), po + lo * eb, 1, hi - lo, rs[0] * 4, rs[1] * 4],
            ];
          }),
        );
      });
      return;
    }
    binaryInto(prim, cpuInput(rt, a), cpuInput(rt, b), out, rt.v(out));
  };
}

// ---------------------------------------------------------------------------------------------
// Where and cast

export const whereKernel: WasmKernel<Primitive.Where> = (rt, inputs, _params, outputs) => {
  const [c, x, y] = inputs;
  const out = outputs[0];
  if (out.dtype !== "bool") {
    // 4-byte values (float32 or int32, selected bit-exactly) in wasm.
    run2d(out.shape, stridesFor(out, inputs), (offs, oo, rows, n, rs, rep) => {
      const name = `where_${+rep[0]}${+rep[1]}${+rep[2]}` as `where_${0 | 1}${0 | 1}${0 | 1}`;
      rt.k[name](
        c.ptr + offs[0],
        x.ptr + offs[1] * 4,
        y.ptr + offs[2] * 4,
        out.ptr + oo * 4,
        rows,
        n,
        rs[0],
        rs[1] * 4,
        rs[2] * 4,
      );
    });
    return;
  }
  whereInto(cpuInput(rt, c), cpuInput(rt, x), cpuInput(rt, y), out.shape, rt.v(out));
};

/** float -> int32 truncates, saturates and maps NaN to 0; anything -> bool is `x != 0`. */
export const castKernel: WasmKernel<Primitive.Cast> = (rt, inputs, params, outputs) => {
  const x = inputs[0];
  castInto(rt.v(x), x.dtype, params.dtype, rt.v(outputs[0]));
};
