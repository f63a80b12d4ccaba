/** Constants shared by the pages and the Vite config (no DOM, no Node imports). */

/**
 * File name of the packed MNIST digits (gzip data), served at the site root (see `vite.ts`). Not
 * ".gz": some servers (Vite's preview among them) send .gz files with `Content-Encoding: gzip`.
 */
export const DIGITS_FILE = "mnist-digits.bin";

/** Pixels of one MNIST digit (28 x 28). */
export const PIXELS = 784;

/** Where the train demo saves its model and the infer demo loads it from. */
export const MODEL_URL = "indexeddb://mnist-mlp";
