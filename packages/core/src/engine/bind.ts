/**
 * `bind`: the one entry point from ops to primitives. Symbolic inputs (KerasTensor) get their
 * output spec from the primitive's shape rule and a recorded node; concrete inputs run the active
 * backend's kernel and are recorded on any gradient tape that watches them.
 */
import { UnsupportedOpError, fmt } from "../errors";
import type { Backend, TensorInfo } from "../backend/backend";
import { gradRules, NON_DIFFERENTIABLE } from "../autodiff/grad_rules";
import type { Cotangent } from "../autodiff/tape";
import { Primitive, type AbstractValue, type ConcreteValue, type Params } from "../primitives/primitive";
import { shapeRules } from "../primitives/shape_rules";
import { KerasTensor } from "../symbolic/keras_tensor";
import { recordNode, type Operation } from "../symbolic/node";
import { Tensor } from "../tensor/tensor";
import { activeBackend, engine, makeTensor } from "./engine";

export type AnyTensor = Tensor | KerasTensor;

/** A primitive call recorded in a symbolic graph; concrete tensors it was given are captured. */
export class PrimitiveOperation<P extends Primitive = Primitive> implements Operation {
  readonly name: string;
  constructor(
    readonly prim: P,
    readonly params: Params<P>,
    /** For each input slot: the index among the node's symbolic inputs, or a captured constant. */
    readonly slots: (number | Tensor)[],
  ) {
    this.name = prim;
  }

  callNode(inputs: unknown[]): unknown[] {
    const args = this.slots.map((s) => (typeof s === "number" ? inputs[s] : s)) as AnyTensor[];
    return bind(this.prim, args, this.params);
  }
}

/** Copies a tensor onto `backend` if it lives elsewhere (synchronous read needed). */
function onBackend(t: Tensor, backend: Backend): Tensor {
  if (t.backend === backend) return t;
  if (!t.backend.readSync)
    throw new UnsupportedOpError(
      `A tensor on backend "${t.backend.name}" was used while "${backend.name}" is active; move it with await keras.ops.convertToTensor(await t.data()) first. Received: Tensor(shape=${fmt(t.shape)}) on ${t.backend.name}`,
    );
  const values = t.backend.readSync(t.dataId);
  return makeTensor(backend.write(values, [...t.shape], t.dtype), t.shape, t.dtype, backend);
}

export function bind<P extends Primitive>(prim: P, inputs: readonly AnyTensor[], params: Params<P>): AnyTensor[] {
  if (inputs.some((x) => x instanceof KerasTensor)) return bindSymbolic(prim, inputs, params);
  return bindEager(prim, inputs as Tensor[], params);
}

/** Eager call on concrete tensors. */
export function bindEager<P extends Primitive>(prim: P, inputs: readonly Tensor[], params: Params<P>): Tensor[] {
  const backend = activeBackend();
  const ins = inputs.map((t) => onBackend(t, backend));
  const specs = shapeRules[prim](ins.map((t) => ({ shape: [...t.shape], dtype: t.dtype })), params) as ConcreteValue[];
  if (!backend.supports(prim))
    throw new UnsupportedOpError(`Backend "${backend.name}" has no kernel for primitive "${prim}". Received: primitive=${prim}`);
  const infos: TensorInfo[] = ins.map((t) => ({ dataId: t.dataId, shape: [...t.shape], dtype: t.dtype }));
  const ids = backend.execute(prim, infos, params, specs);
  const outs = ids.map((id, i) => makeTensor(id, specs[i]!.shape, specs[i]!.dtype, backend));
  record(prim, ins, outs, params);
  return outs;
}

function record<P extends Primitive>(prim: P, inputs: Tensor[], outputs: Tensor[], params: Params<P>): void {
  const e = engine();
  if (e.tapes.length === 0 || e.gradPaused > 0) return;
  const rule = gradRules[prim];
  if (rule === NON_DIFFERENTIABLE) return;
  for (const tape of e.tapes) {
    if (!tape.isWatching(inputs)) continue;
    tape.add({
      name: prim,
      inputs,
      outputs,
      vjp: (cts: Cotangent[], needs: boolean[]) => rule(cts, { inputs, outputs, params, needs } as never),
    });
  }
}

/** Symbolic call: shape rule only, plus a graph node. */
export function bindSymbolic<P extends Primitive>(prim: P, inputs: readonly AnyTensor[], params: Params<P>): KerasTensor[] {
  const avals: AbstractValue[] = inputs.map((t) => ({ shape: [...t.shape], dtype: t.dtype }));
  const specs = shapeRules[prim](avals, params);
  return recordNode(inputs, specs, (slots) => new PrimitiveOperation(prim, params, slots));
}

/** A new tensor holding its own reference to `t`'s buffer (no copy; tensors are immutable). */
export function shareBuffer(t: Tensor): Tensor {
  const e = engine();
  e.gradPaused++;
  try {
    return bindEager(Primitive.Reshape, [t], { shape: [...t.shape] })[0]!;
  } finally {
    e.gradPaused--;
  }
}
