/**
 * The NumPy family of `keras.ops`, split by kind: arithmetic, elementwise maths, comparison,
 * reduction, shape manipulation, indexing, linear algebra, creation and sorting. Every op is
 * composed from primitives and runs on concrete tensors and on KerasTensors alike.
 */
export * from "./arithmetic";
export * from "./math";
export * from "./comparison";
export * from "./reduction";
export * from "./shape";
export * from "./indexing";
export * from "./linalg";
export * from "./creation";
export * from "./sorting";
