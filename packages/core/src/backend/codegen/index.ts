/**
 * Language-neutral pieces shared by backends that generate kernels (WebGPU's WGSL, WebGL's GLSL):
 * the elementwise op table and its abstract renderer interface.
 */
export {
  ELEMENTWISE,
  renderElementwise,
  type Builtin,
  type ElementwiseOp,
  type ExprRenderer,
  type Helper,
  type Infix,
  type Kind,
  type OpRender,
} from "./elementwise";
