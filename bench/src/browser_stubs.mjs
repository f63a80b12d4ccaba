// Stand-ins for the two Node modules that wasm.mjs reads at import time (to locate TensorFlow.js'
// .wasm files), so cases.mjs can be bundled into the benchmark page, where that code never runs.
export const createRequire = () => ({ resolve: (p) => `/${p}` });
export const dirname = (p) => p.slice(0, p.lastIndexOf("/"));
export default { createRequire, dirname };
