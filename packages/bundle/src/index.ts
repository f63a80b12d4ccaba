/**
 * The script-tag build's entry: everything `@webkeras/core` exports, as the `webkeras` global.
 * The backends present in the tree are added by scripts/build.mjs (each registers itself on
 * import), so `webkeras.setBackend("wasm")` works in a page that loads nothing else.
 *
 * @example
 * <script src="https://unpkg.com/@webkeras/bundle/dist/webkeras.min.js"></script>
 * <script>
 *   const x = webkeras.ops.convertToTensor([[1, 2], [3, 4]]);
 *   webkeras.ops.matmul(x, x).data().then(console.log);
 * </script>
 */
export * from "@webkeras/core";
