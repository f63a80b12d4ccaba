/**
 * Data handling for the trainer: HostArray batches, adapters, the epoch iterator and `Dataset`.
 */
export { HostArray, toHostArray, isDataLeaf, type ArrayWithShape, type Struct } from "./host_array";
export {
  ArrayDataAdapter,
  IterableDataAdapter,
  EpochIterator,
  checkDataCardinality,
  trainValidationSplit,
  isBatchStream,
  unpackElement,
  type Batch,
  type BatchLeaf,
  type DataAdapter,
  type StepGroup,
  type ArrayAdapterOptions,
} from "./data_adapter";
export { Dataset } from "./dataset";
export { hostRandom, shuffleInPlace } from "./shuffle";
