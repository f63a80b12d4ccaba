/**
 * Seeds for `keras.random` (Keras 3 `keras/src/random/seed_generator.py`).
 *
 * A SeedGenerator is a seed plus a counter. `next()` turns (seed, counter) into a Threefry key and
 * advances the counter, so a generator yields a deterministic stream of independent keys, and the
 * RandomUniform primitive turns a key into the same numbers on every backend. An integer `seed`
 * passed to a random function always gives the key of draw 0 (same numbers each call); no seed
 * draws from a global generator.
 */
import { ValueError } from "../errors";
import { threefry2x32 } from "./threefry";

export type Key = [number, number];

const TWO_32 = 4294967296;

function checkSeed(where: string, seed: number): void {
  if (!Number.isSafeInteger(seed))
    throw new ValueError(`${where}: seed must be an integer. Received: seed=${seed}`);
}

/** The key of draw `counter` of seed `seed`: Threefry of (counter, 0) under the key (seed lo, seed hi). */
export function keyFor(seed: number, counter: number): Key {
  const lo = seed >>> 0;
  const hi = Math.floor(seed / TWO_32) >>> 0;
  return threefry2x32(lo, hi, counter >>> 0, Math.floor(counter / TWO_32) >>> 0);
}

/**
 * Independent sub-key `j` of `key`, for functions that need several draws. Counter word 1 is 1,
 * so sub-keys never equal the bits RandomUniform computes from `key` (which use word 1 = 0).
 */
export function foldIn(key: Key, j: number): Key {
  return threefry2x32(key[0], key[1], j >>> 0, 1);
}

interface SeedState {
  /** Seed of the stream that unseeded SeedGenerators draw from (null: Math.random). */
  defaultSeed: number | null;
  defaultCounter: number;
  global: SeedGenerator | null;
}

const STATE_KEY = Symbol.for("webkeras.random.v1");

function state(): SeedState {
  const g = globalThis as unknown as Record<symbol, SeedState | undefined>;
  let s = g[STATE_KEY];
  if (!s) {
    s = { defaultSeed: null, defaultCounter: 0, global: null };
    g[STATE_KEY] = s;
  }
  return s;
}

/** A fresh seed for an unseeded generator: deterministic after `setRandomSeed`, else random. */
function makeDefaultSeed(): number {
  const s = state();
  if (s.defaultSeed === null) return Math.floor(Math.random() * 2 ** 31);
  const [a] = keyFor(s.defaultSeed, s.defaultCounter++);
  return a >>> 1; // 31 bits, a non-negative safe integer
}

/**
 * A stateful source of random keys (Keras `keras.random.SeedGenerator`). Pass it as `seed` to
 * random functions, and each call draws new numbers; two generators built with the same seed give
 * the same sequence.
 * @example
 * const gen = new keras.random.SeedGenerator(1337);
 * const a = keras.random.normal([2], { seed: gen });
 * const b = keras.random.normal([2], { seed: gen }); // different from a
 */
export class SeedGenerator {
  readonly seed: number;
  /** How many keys `next()` has handed out (Keras keeps this as the generator's state variable). */
  state: number;

  constructor(seed?: number | null) {
    if (seed === undefined || seed === null) seed = makeDefaultSeed();
    checkSeed("SeedGenerator", seed);
    this.seed = seed;
    this.state = 0;
  }

  /** The next key of the stream; advances the state. */
  next(): Key {
    const k = keyFor(this.seed, this.state);
    this.state++;
    return k;
  }

  getConfig(): { seed: number } {
    return { seed: this.seed };
  }
}

/** What random functions accept as `seed`. */
export type Seed = number | SeedGenerator | null | undefined;

/** The generator used when no seed is given. */
export function globalSeedGenerator(): SeedGenerator {
  const s = state();
  if (!s.global) s.global = new SeedGenerator();
  return s.global;
}

/**
 * Makes unseeded randomness reproducible (Keras `keras.utils.set_random_seed`): resets the global
 * generator and the stream of seeds that unseeded SeedGenerators (layers' dropout, initializers)
 * take.
 * @example keras.random.setRandomSeed(42);
 */
export function setRandomSeed(seed: number): void {
  checkSeed("setRandomSeed", seed);
  const s = state();
  s.defaultSeed = seed;
  s.defaultCounter = 0;
  s.global = new SeedGenerator(seed);
}

/** Resolves a `seed` argument to a key (Keras `draw_seed`). */
export function drawSeed(seed: Seed, where = "random"): Key {
  if (seed instanceof SeedGenerator) return seed.next();
  if (seed === undefined || seed === null) return globalSeedGenerator().next();
  if (typeof seed !== "number")
    throw new ValueError(
      `${where}: seed must be an integer, a SeedGenerator or null. Received: seed=${String(seed)}`,
    );
  checkSeed(where, seed);
  return keyFor(seed, 0);
}
