/**
 * Activation layers (Keras 3 `keras/src/layers/activations/`): Activation, ReLU, LeakyReLU,
 * PReLU, ELU and Softmax.
 */
export { Activation } from "./activation";
export {
  ReLU,
  LeakyReLU,
  ELU,
  type ReLUOptions,
  type LeakyReLUOptions,
  type ELUOptions,
} from "./relu";
export { PReLU, type PReLUOptions } from "./prelu";
export { Softmax, type SoftmaxOptions } from "./softmax";
