/**
 * Recurrent layers (Keras 3 `keras/src/layers/rnn/`): the RNN base layer and its cells
 * (SimpleRNNCell, LSTMCell, GRUCell, StackedRNNCells), SimpleRNN, LSTM and GRU, and the
 * Bidirectional and TimeDistributed wrappers.
 */
export { RNN, type RNNOptions, type RNNCallArgs } from "./rnn";
export { DropoutRNNCell, type DropoutRNNCellOptions, type StateSize } from "./dropout_rnn_cell";
export { StackedRNNCells, type RNNCellLike } from "./stacked_rnn_cells";
export {
  SimpleRNNCell,
  SimpleRNN,
  type SimpleRNNCellOptions,
  type SimpleRNNOptions,
} from "./simple_rnn";
export { LSTMCell, LSTM, type LSTMCellOptions, type LSTMOptions } from "./lstm";
export { GRUCell, GRU, type GRUCellOptions, type GRUOptions } from "./gru";
export { Bidirectional, type BidirectionalOptions, type MergeMode } from "./bidirectional";
export { TimeDistributed } from "./time_distributed";
