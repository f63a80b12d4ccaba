/**
 * Language-neutral pieces shared by backends that generate kernels (WebGPU's WGSL, WebGL's GLSL):
 * the elementwise op table and its abstract renderer interface, and elementwise fusion planning
 * (lazy buffers, when they materialize, the walk of a fused DAG into ordered steps).
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
export {
  isFusible,
  isFusibleView,
  isInlinable,
  leafBroadcast,
  linearize,
  planFusion,
  type FusedExpr,
  type FusedStep,
  type FusiblePrimitive,
  type FusionLimits,
  type FusionPlan,
  type LazyBuffer,
  type LazyInput,
  type LazyNode,
  type LazyPrimitive,
} from "./fusion";
