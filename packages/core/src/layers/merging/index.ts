/**
 * Merging layers (Keras 3 `keras/src/layers/merging/`): Add, Subtract, Multiply, Average,
 * Maximum, Minimum, Concatenate and Dot, and their functional forms.
 */
export { Merge } from "./base_merge";
export {
  Add,
  Subtract,
  Multiply,
  Average,
  Maximum,
  Minimum,
  add,
  subtract,
  multiply,
  average,
  maximum,
  minimum,
} from "./elementwise";
export { Concatenate, concatenate, type ConcatenateOptions } from "./concatenate";
export { Dot, dot, batchDot, type DotOptions } from "./dot";
