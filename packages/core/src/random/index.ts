/**
 * `keras.random`: seeded, backend-independent random numbers (Keras 3 `keras.random`).
 */
export {
  SeedGenerator,
  setRandomSeed,
  globalSeedGenerator,
  drawSeed,
  type Seed,
  type Key,
} from "./seed_generator";
export {
  uniform,
  normal,
  truncatedNormal,
  randint,
  dropout,
  shuffle,
  categorical,
  type UniformOptions,
  type NormalOptions,
  type RandintOptions,
} from "./random";
