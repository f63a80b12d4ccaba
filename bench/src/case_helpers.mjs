// Helpers the case files (cases.mjs, wasm.mjs) share: wrap one library's computation as a case's
// `{ run, dispose }`, where `run()` computes once, reads every output back and disposes it.

/** Reads tensors back (forcing completion), then disposes them. */
async function readAll(tensors, dispose) {
  const out = [];
  for (const t of tensors) out.push(await t.data());
  dispose(tensors);
  return out;
}

/** A webkeras tensor of `shape` from a flat typed array (convertToTensor makes it 1-D). */
export function wk(k, data, shape, dtype = "float32") {
  return k.tidy(() => k.ops.reshape(k.ops.convertToTensor(data, dtype), shape));
}

// Composite webkeras ops (softmax, ...) leave their intermediates to the enclosing scope, so each
// run computes inside `tidy`, as webkeras code is meant to; tfjs ops tidy internally.
export function wkCase(k, inputs, fn) {
  const read = (ts) => readAll(ts, (x) => k.dispose(x));
  return { run: () => read(k.tidy(fn)), dispose: () => k.dispose(inputs) };
}

/** A TensorFlow.js case: `fn` returns the tensors to read. */
export function tfCase(tf, inputs, fn) {
  const read = (ts) => readAll(ts, (x) => tf.dispose(x));
  return { run: () => read(fn()), dispose: () => tf.dispose(inputs) };
}
