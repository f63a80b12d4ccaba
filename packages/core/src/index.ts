/**
 * @webkeras/core: Keras 3 for the web. Tensors, the primitive table, the CPU reference backend
 * (registered on import, the default in Node), symbolic execution, autodiff and `keras.ops`.
 *
 * @example
 * import * as keras from "@webkeras/core";
 * const x = keras.ops.convertToTensor([[1, 2], [3, 4]]);
 * console.log(await keras.ops.matmul(x, x).data());
 */
import "./backend/cpu/index";

import * as rawOps from "./ops/index";
import { scopeOps } from "./ops/scoped";

/** `keras.ops`: each op frees its own intermediates (see ops/scoped.ts). */
export const ops: typeof rawOps = scopeOps(rawOps);
export * as random from "./random/index";
export * as lax from "./primitives/lax";
export * as initializers from "./initializers/index";
export * as regularizers from "./regularizers/index";
export * as constraints from "./constraints/index";
export * as activations from "./activations/index";
export * as losses from "./losses/index";
export * as metrics from "./metrics/index";
export * as optimizers from "./optimizers/index";
export * as layers from "./layers/index";
export * as callbacks from "./callbacks/index";
export * as saving from "./saving/index";
export * as models from "./models/api";
export { Dataset } from "./trainers/data/dataset";

export { Variable, type VariableOptions } from "./variables/variable";
export { Layer, type LayerOptions, type CallArgs, type AddWeightOptions, type LayerIO } from "./layers/layer";
export { InputLayer, Input, type InputOptions } from "./layers/core/input_layer";
export { Model, type ModelOptions } from "./models/model";
export { Functional } from "./models/functional";
export { Sequential } from "./models/sequential";
export type { SummaryOptions } from "./models/summary";
export { Loss } from "./losses/loss";
export { Metric } from "./metrics/metric";
export { Optimizer } from "./optimizers/optimizer";
export { Initializer, Regularizer, Constraint } from "./initializers/initializer";
export {
  registerKerasSerializable,
  getRegisteredObject,
  getRegisteredName,
  withCustomObjects,
} from "./saving/object_registration";
export { serializeKerasObject, deserializeKerasObject } from "./saving/serialization";

export { Tensor, type NestedArray } from "./tensor/tensor";
export { type DType, type TypedArray, DTYPES, standardizeDType, promoteTypes } from "./tensor/dtype";
export { KerasTensor, isKerasTensor } from "./symbolic/keras_tensor";
export { Node, type Operation } from "./symbolic/node";
export { bind, PrimitiveOperation, type AnyTensor } from "./engine/bind";
export {
  setBackend,
  getBackend,
  getBackendInfo,
  ready,
  tidy,
  keep,
  dispose,
  memory,
  startScope,
  endScope,
  type MemoryInfo,
} from "./engine/engine";
export { registerBackend, registeredBackends } from "./backend/registry";
export type { Backend, BackendFactory, BackendInfo, BackendMemory, DataId, TensorInfo } from "./backend/backend";
export * as codegen from "./backend/codegen/index";
export * as cpuKernelUtils from "./backend/cpu/kernels/shared";
export {
  Primitive,
  ALL_PRIMITIVES,
  UNARY_PRIMITIVES,
  BINARY_PRIMITIVES,
  COMPARE_PRIMITIVES,
  REDUCE_PRIMITIVES,
  type Params,
  type PrimitiveParams,
  type AbstractValue,
  type ConcreteValue,
  type ConvParams,
  type PoolParams,
} from "./primitives/primitive";
export { shapeRules, broadcastShapes } from "./primitives/shape_rules";
export { gradRules, NON_DIFFERENTIABLE } from "./autodiff/grad_rules";
export { threefry2x32, uniformFromBits } from "./random/threefry";
export { grad, valueAndGrad, stopGradient, customGradient, remat, noGrad } from "./autodiff/grad";
export {
  KerasError,
  ValueError,
  ShapeError,
  DisposedTensorError,
  BackendUnavailableError,
  UnsupportedOpError,
} from "./errors";
