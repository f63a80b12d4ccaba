/**
 * Worker threads over one shared wasm memory: the same compiled kernel module instantiated in
 * N - 1 workers (Web Workers in browsers, `worker_threads` in Node). A split kernel is a set of
 * tasks (each a list of kernel calls, with its own outputs and scratch) that the main thread
 * writes into memory; every thread, the main one included, takes tasks from a shared counter
 * until none is left. The backend's API stays synchronous: `run` returns when every task is done.
 *
 * Taking tasks dynamically rather than handing each thread a fixed share matters on a busy
 * machine: a worker that the OS has not scheduled (or has preempted) holds at most one task, and
 * the others, the main thread included, take the rest; results do not change, since a task
 * computes the same values whoever runs it.
 *
 * Handshake (an int32 control block in memory, `CTL_WORDS` words at `ctl`):
 * - [GEN] generation: workers `Atomics.wait` on it; the main thread bumps it and notifies.
 * - [NEXT] the next task index to take (`Atomics.add`); CLOSED between runs, so a worker that
 *   wakes late takes nothing from a run that is over or still being written.
 * - [TASKS] number of tasks; [TABLE] byte offset of their table (one byte offset per task).
 * - [PENDING] tasks not finished; whoever runs a task decrements it, and the last one notifies.
 *   The main thread waits on it with `Atomics.wait` where the platform allows blocking (Node,
 *   workers) and spins with `Atomics.load` where it does not (a page's main thread).
 * - [ERROR] 1 + index of a task that threw in a worker (a trap); [STOP] set once, on dispose.
 * A task is int32 words: total words, then per call (export index, argument count,
 * arguments...). Every argument is an i32 (pointers, sizes, byte strides).
 *
 * Ownership is by construction, not by locks: a split kernel gives each task disjoint outputs
 * and its own scratch, and every output element is computed by exactly one task in the same
 * order as on one thread, so results are bit-identical for any thread count.
 *
 * The worker is a small plain-JavaScript program kept as a string (`WORKER_SOURCE`) and started
 * from a Blob URL (browsers) or with `eval: true` (Node), so bundles (the script-tag build, Vite
 * apps, esbuild test pages) need no separate worker file or loader configuration.
 */

/** A task that failed on a worker (the backend names the primitive and rethrows it). */
export class ThreadTaskError extends Error {
  override name = "ThreadTaskError";
}

/** One kernel call: export name and i32 arguments. */
export type Call = [fn: string, ...args: number[]];

const GEN = 0;
const PENDING = 1;
const ERROR = 2;
const STOP = 3;
const NEXT = 4;
const TASKS = 5;
const TABLE = 6;
/** Words of the control block. */
export const CTL_WORDS = 8;
/** Polls of [PENDING] before the main thread blocks (tens of microseconds). */
const SPINS = 20000;
/** [NEXT] between runs: far above any task count, and adding to it stays there. */
const CLOSED = 1 << 30;

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
    for (;;) {
      const t = Atomics.add(I, c + ${NEXT}, 1);
      if (t >= Atomics.load(I, c + ${TASKS})) break;
      try {
        const table = Atomics.load(I, c + ${TABLE}) >> 2;
        if ((table + t + 1) * 4 > I.byteLength) I = new Int32Array(m.memory.buffer);
        let p = I[table + t] >> 2;
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
        Atomics.store(I, c + ${ERROR}, t + 1);
      }
      if (Atomics.sub(I, c + ${PENDING}, 1) === 1) Atomics.notify(I, c + ${PENDING});
    }
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
    this.I.fill(0, this.c, this.c + CTL_WORDS);
    Atomics.store(this.I, this.c + NEXT, CLOSED);
  }

  /**
   * Starts `n - 1` workers on `module` and the shared `memory` (control block at `ctl`,
   * `CTL_WORDS` words). Rejects if a worker cannot start (no Worker, a CSP that forbids blob:
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
      Array.from({ length: n - 1 }, () => startWorker({ module, memory, ctl, names }, 10_000)),
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
   * Runs every task (on any thread, this one included) and returns once all have finished.
   * `area(bytes)` gives memory for the encoded tasks (released by the caller after `run`).
   */
  run(tasks: Call[][], area: (bytes: number) => number): void {
    if (tasks.length === 1 || this.disposed) {
      for (const task of tasks) this.runHere(task);
      return;
    }
    const n = tasks.length;
    const words = tasks.map((l) => 1 + l.reduce((s, call) => s + 1 + call.length, 0));
    const base = area((n + words.reduce((s, w) => s + w, 0)) * 4);
    // A view made after `area` (which may grow memory): the older one would miss new pages.
    const V = new Int32Array(this.memory.buffer);
    const table = base >> 2;
    let p = table + n;
    tasks.forEach((task, t) => {
      V[table + t] = p * 4;
      V[p++] = words[t]!;
      for (const [fn, ...args] of task) {
        const id = this.ids.get(fn);
        if (id === undefined)
          throw new ThreadTaskError(`no kernel export "${fn}". Received: ${fn}`);
        V[p++] = id;
        V[p++] = args.length;
        for (const a of args) V[p++] = a;
      }
    });
    const { I, c } = this;
    Atomics.store(I, c + TABLE, base);
    Atomics.store(I, c + TASKS, n);
    Atomics.store(I, c + ERROR, 0);
    Atomics.store(I, c + PENDING, n);
    Atomics.store(I, c + NEXT, 0);
    Atomics.add(I, c + GEN, 1);
    Atomics.notify(I, c + GEN);
    let error: unknown = null;
    for (let t = Atomics.add(I, c + NEXT, 1); t < n; t = Atomics.add(I, c + NEXT, 1)) {
      // After an error, the remaining tasks are taken but not run, so the wait below ends.
      if (!error)
        try {
          this.runHere(tasks[t]!);
        } catch (err) {
          error = err;
        }
      Atomics.sub(I, c + PENDING, 1);
    }
    // Tasks still running on workers: usually none or one, so this is short.
    // Spin first (a task usually ends within microseconds of ours), then block: a blocked thread
    // on a busy machine can wait milliseconds for the OS to run it again.
    let spins = 0;
    for (let v = Atomics.load(I, c + PENDING); v !== 0; v = Atomics.load(I, c + PENDING))
      if (this.block && ++spins > SPINS) Atomics.wait(I, c + PENDING, v, 100);
    Atomics.store(I, c + NEXT, CLOSED);
    if (error) throw error;
    const failed = Atomics.load(I, c + ERROR);
    if (failed !== 0)
      throw new ThreadTaskError(
        `a kernel call failed on a worker thread (out-of-bounds access or an invalid argument). Received: task=${JSON.stringify(tasks[failed - 1]?.map((call) => call[0]))}`,
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
