/**
 * Worker threads over one shared wasm memory: the same compiled kernel module instantiated in
 * N - 1 workers (Web Workers in browsers, `worker_threads` in Node), each running lists of kernel
 * calls that the main thread writes into memory. The backend's API stays synchronous: `run` hands
 * each worker its list, runs list 0 itself, and returns when every list has finished.
 *
 * Handshake (an int32 control block in memory, `ctlWords(n)` words at `ctl`):
 * - [GEN] generation: workers `Atomics.wait` on it; the main thread bumps it and notifies.
 * - [LIST + w] byte offset of worker w's call list this generation; [CLAIM + w] 0 while nobody
 *   has taken that list: whoever swaps it to 1 first (worker w, or the main thread once its own
 *   list is done) runs the list. So a worker that the OS has not scheduled yet (a busy machine)
 *   costs no waiting: the main thread runs its share instead, and the results are the same.
 * - [PENDING] claimed-or-not lists still to finish; the thread that ran a list decrements it, and
 *   the last one notifies. The main thread waits on it with `Atomics.wait` where the platform
 *   allows blocking (Node, workers) and spins with `Atomics.load` where it does not (a page's
 *   main thread).
 * - [ERROR] 1 + index of a worker whose list threw (a trap); [STOP] set once, on dispose.
 * A call list is int32 words: total words, then per call (export index, argument count,
 * arguments...). Every argument is an i32 (pointers, sizes, byte strides).
 *
 * Ownership is by construction, not by locks: a split kernel gives each thread disjoint outputs
 * and its own scratch, and every output element is computed by exactly one thread in the same
 * order as on one thread, so results are bit-identical for any thread count.
 *
 * The worker is a small plain-JavaScript program kept as a string (`WORKER_SOURCE`) and started
 * from a Blob URL (browsers) or with `eval: true` (Node), so bundles (the script-tag build, Vite
 * apps, esbuild test pages) need no separate worker file or loader configuration.
 */

/** One kernel call: export name and i32 arguments. */
export type Call = [fn: string, ...args: number[]];

const GEN = 0;
const PENDING = 1;
const ERROR = 2;
const STOP = 3;
const LIST = 4;
/** Words of the control block for `n` threads (CLAIM follows the n LIST words). */
export const ctlWords = (n: number): number => LIST + 2 * n;

// The worker: instantiate the module on the shared memory, report ready, then loop forever
// (blocked in Atomics.wait between generations). Plain ES2017 so that no bundler touches it.
const WORKER_SOURCE = `"use strict";
const start = async (m, post) => {
  const inst = await WebAssembly.instantiate(m.module, { env: { memory: m.memory } });
  const fns = m.names.map((n) => inst.exports[n]);
  let I = new Int32Array(m.memory.buffer);
  const c = m.ctl >> 2;
  let gen = Atomics.load(I, c + ${GEN});
  post("ready");
  for (;;) {
    Atomics.wait(I, c + ${GEN}, gen);
    gen = Atomics.load(I, c + ${GEN});
    if (Atomics.load(I, c + ${STOP}) !== 0) return;
    if (Atomics.compareExchange(I, c + ${LIST} + m.size + m.index, 0, 1) !== 0) continue;
    let p = Atomics.load(I, c + ${LIST} + m.index) >> 2;
    try {
      if ((p + 1) * 4 > I.byteLength) I = new Int32Array(m.memory.buffer);
      const end = p + I[p];
      if (end * 4 > I.byteLength) I = new Int32Array(m.memory.buffer);
      for (p++; p < end; ) {
        const fn = fns[I[p]];
        const n = I[p + 1];
        fn(...I.subarray(p + 2, p + 2 + n));
        p += 2 + n;
      }
    } catch (e) {
      Atomics.store(I, c + ${ERROR}, m.index + 1);
    }
    if (Atomics.sub(I, c + ${PENDING}, 1) === 1) Atomics.notify(I, c + ${PENDING});
  }
};
if (typeof self === "undefined") {
  const { parentPort } = require("node:worker_threads");
  parentPort.once("message", (m) => start(m, (x) => parentPort.postMessage(x)));
} else {
  self.onmessage = (e) => start(e.data, (x) => self.postMessage(x));
}
`;

/** The part of a worker handle used here (DOM `Worker` and Node's `Worker` both have it). */
interface WorkerLike {
  postMessage(message: unknown): void;
  terminate(): unknown;
}

interface WorkerGlobals {
  Worker?: new (url: string) => WorkerLike & {
    onmessage: ((e: { data: unknown }) => void) | null;
    onerror: ((e: { message?: string }) => void) | null;
  };
  Blob?: new (parts: string[], options: { type: string }) => unknown;
  URL?: { createObjectURL(blob: unknown): string; revokeObjectURL(url: string): void };
  process?: { versions?: { node?: string } };
  setTimeout(cb: () => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
}

type NodeWorkerModule = {
  Worker: new (
    src: string,
    opts: { eval: true },
  ) => WorkerLike & {
    once(event: string, cb: (x: unknown) => void): void;
    unref(): void;
  };
};

/** Starts one worker and resolves when it has instantiated the module. */
async function startWorker(init: Record<string, unknown>, timeoutMs: number): Promise<WorkerLike> {
  const g = globalThis as unknown as WorkerGlobals;
  let worker: WorkerLike | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    const fail = (why: string) => reject(new Error(why));
    if (typeof g.Worker === "function" && g.Blob && g.URL) {
      const url = g.URL.createObjectURL(new g.Blob([WORKER_SOURCE], { type: "text/javascript" }));
      const w = new g.Worker(url);
      w.onmessage = () => {
        g.URL!.revokeObjectURL(url);
        resolve();
      };
      w.onerror = (e) => fail(e.message ?? "worker error");
      worker = w;
    } else if (g.process?.versions?.node) {
      // A variable specifier keeps bundlers from resolving a Node module for browsers.
      const specifier = "node:worker_threads";
      import(/* @vite-ignore */ specifier).then((wt: NodeWorkerModule) => {
        const w = new wt.Worker(WORKER_SOURCE, { eval: true });
        // Idle workers must not keep the process alive.
        w.unref();
        w.once("message", () => resolve());
        w.once("error", (e) => fail((e as Error).message));
        worker = w;
        w.postMessage(init);
      }, reject);
      return;
    } else {
      fail("no Worker constructor here");
      return;
    }
    worker!.postMessage(init);
  });
  let timer: unknown;
  const timeout = new Promise<never>((_, reject) => {
    timer = g.setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([ready, timeout]);
  } catch (err) {
    worker?.terminate();
    throw err;
  } finally {
    g.clearTimeout(timer);
  }
  return worker!;
}

/** True where `Atomics.wait` may block this thread (not a page's main thread). */
function canBlock(I: Int32Array): boolean {
  try {
    Atomics.wait(I, 0, I[0]! + 1, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * N threads (this one and N - 1 workers) sharing one wasm memory.
 * @example
 * const pool = await ThreadPool.start(2, module, memory, ctl, instance.exports);
 * pool.run([[["gemm", ...argsTop]], [["gemm", ...argsBottom]]], (bytes) => rt.scratch(bytes));
 */
export class ThreadPool {
  private readonly I: Int32Array<ArrayBufferLike>;
  private readonly c: number;
  private readonly ids: Map<string, number>;
  private readonly block: boolean;
  private disposed = false;

  private constructor(
    readonly size: number,
    private readonly memory: WebAssembly.Memory,
    ctl: number,
    names: string[],
    private readonly workers: WorkerLike[],
    private readonly exports: Record<string, unknown>,
  ) {
    // The control block sits in the first pages, which every later view of memory also covers.
    this.I = new Int32Array(memory.buffer);
    this.c = ctl >> 2;
    this.ids = new Map(names.map((n, i) => [n, i]));
    this.block = canBlock(this.I);
  }

  /**
   * Starts `n - 1` workers on `module` and the shared `memory` (control block at `ctl`, zeroed,
   * `ctlWords(n)` words). Rejects if a worker cannot start (no Worker, a CSP that forbids blob:
   * workers, no answer in 10 s); the caller then runs single-threaded.
   */
  static async start(
    n: number,
    module: WebAssembly.Module,
    memory: WebAssembly.Memory,
    ctl: number,
    exports: Record<string, unknown>,
  ): Promise<ThreadPool> {
    const names = Object.keys(exports).filter((k) => typeof exports[k] === "function");
    const started = await Promise.allSettled(
      Array.from({ length: n - 1 }, (_, i) =>
        startWorker({ module, memory, ctl, names, index: i + 1, size: n }, 10_000),
      ),
    );
    const workers = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
    const failed = started.find((s) => s.status === "rejected");
    if (failed) {
      for (const w of workers) w.terminate();
      throw new Error(String((failed as PromiseRejectedResult).reason?.message ?? failed));
    }
    return new ThreadPool(n, memory, ctl, names, workers, exports);
  }

  /**
   * Runs `lists[0]` here and `lists[w]` on worker w (at most `size` lists; missing ones idle),
   * then returns once all have finished. `listArea(words)` gives memory for the encoded lists
   * (released by the caller after `run` returns).
   */
  run(lists: Call[][], listArea: (bytes: number) => number): void {
    if (lists.length === 1 || this.disposed) {
      for (const list of lists) this.runHere(list);
      return;
    }
    const words = lists.slice(1).map((l) => 1 + l.reduce((s, call) => s + 1 + call.length, 0));
    const base = listArea(words.reduce((s, w) => s + w, 0) * 4);
    let I: Int32Array<ArrayBufferLike> = new Int32Array(this.memory.buffer);
    let p = base >> 2;
    const { c } = this;
    const CLAIM = LIST + this.size;
    let pending = 0;
    for (let w = 1; w < this.size; w++) {
      const list = lists[w];
      if (!list || list.length === 0) {
        Atomics.store(this.I, c + CLAIM + w, 1);
        continue;
      }
      pending++;
      Atomics.store(this.I, c + LIST + w, p * 4);
      I[p++] = words[w - 1]!;
      for (const [fn, ...args] of list) {
        const id = this.ids.get(fn);
        if (id === undefined)
          throw new Error(`wasm threads: no kernel export "${fn}". Received: ${fn}`);
        I[p++] = id;
        I[p++] = args.length;
        for (const a of args) I[p++] = a;
      }
      Atomics.store(this.I, c + CLAIM + w, 0);
    }
    I = this.I;
    Atomics.store(I, c + ERROR, 0);
    Atomics.store(I, c + PENDING, pending);
    Atomics.add(I, c + GEN, 1);
    Atomics.notify(I, c + GEN);
    let error: unknown = null;
    try {
      this.runHere(lists[0] ?? []);
      // Lists no worker has taken yet (not scheduled, or slow to wake): run them here.
      for (let w = 1; w < this.size; w++)
        if (Atomics.compareExchange(I, c + CLAIM + w, 0, 1) === 0) {
          try {
            this.runHere(lists[w]!);
          } finally {
            Atomics.sub(I, c + PENDING, 1);
          }
        }
    } catch (err) {
      error = err;
      // Take every list still unclaimed, so that the wait below ends.
      for (let w = 1; w < this.size; w++)
        if (Atomics.compareExchange(I, c + CLAIM + w, 0, 1) === 0) Atomics.sub(I, c + PENDING, 1);
    }
    // The workers' share: usually done by now (the split is even), so this is short.
    for (let v = Atomics.load(I, c + PENDING); v !== 0; v = Atomics.load(I, c + PENDING))
      if (this.block) Atomics.wait(I, c + PENDING, v, 100);
    if (error) throw error;
    const failed = Atomics.load(I, c + ERROR);
    if (failed !== 0)
      throw new Error(
        `wasm threads: a kernel call failed in worker ${failed} (out-of-bounds access or an invalid argument). Received: lists=${JSON.stringify(lists[failed]?.map((call) => call[0]))}`,
      );
  }

  private runHere(list: Call[]): void {
    for (const [fn, ...args] of list) (this.exports[fn] as (...a: number[]) => void)(...args);
  }

  /** Stops and terminates the workers (the memory stays usable by this thread). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    Atomics.store(this.I, this.c + STOP, 1);
    Atomics.add(this.I, this.c + GEN, 1);
    Atomics.notify(this.I, this.c + GEN);
    for (const w of this.workers) w.terminate();
  }
}
