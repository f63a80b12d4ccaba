/**
 * `keras.ops`: the Keras 3 ops API in camelCase, composed from primitives. Works on concrete
 * tensors (computes on the active backend) and on KerasTensors (records graph nodes).
 */
export * from "./numpy/index";
export * from "./nn/index";
export * from "./math";
export * from "./core";
export { convertToTensor, type TensorLike } from "./convert";
export {
  grad,
  valueAndGrad,
  stopGradient,
  customGradient,
  remat,
  noGrad,
  type GradOptions,
  type TensorTree,
} from "../autodiff/grad";
export * as image from "./image";
