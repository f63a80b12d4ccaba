/**
 * Engine state: the active backend, memory scopes (`tidy`), live-tensor accounting and the stack
 * of gradient tapes. Kept on `globalThis` so two copies of core share it.
 */
import { BackendUnavailableError, ValueError, fmt } from "../errors";
import type { Backend, BackendInfo } from "../backend/backend";
import { registeredBackends, registry } from "../backend/registry";
import { Tensor, tensorHooks } from "../tensor/tensor";
import type { Tape } from "../autodiff/tape";

interface Scope {
  tensors: Tensor[];
}

interface EngineState {
  backends: Map<string, Backend>;
  active: Backend | null;
  scopes: Scope[];
  numTensors: number;
  tapes: Tape[];
  /** > 0 inside stopGradient / noGrad: nothing is recorded on tapes. */
  gradPaused: number;
  /**
   * > 0 while a layer traces its `call` only for output specs: the nodes made then are never
   * replayed, so they need not keep the constants they capture alive.
   */
  specOnly: number;
}

const KEY = Symbol.for("webkeras.engine.v1");

export function engine(): EngineState {
  const g = globalThis as unknown as Record<symbol, EngineState | undefined>;
  let e = g[KEY];
  if (!e) {
    e = { backends: new Map(), active: null, scopes: [], numTensors: 0, tapes: [], gradPaused: 0, specOnly: 0 };
    g[KEY] = e;
  }
  return e;
}

tensorHooks.onDispose = () => {
  engine().numTensors--;
};

/** Backend name asked for by the environment: KERAS_BACKEND, ?backend=, or localStorage. */
export function preferredBackend(): string {
  const g = globalThis as unknown as {
    process?: { env?: Record<string, string | undefined> };
    location?: { search?: string };
    localStorage?: { getItem(k: string): string | null };
  };
  const fromEnv = g.process?.env?.KERAS_BACKEND;
  if (fromEnv) return fromEnv.toLowerCase();
  try {
    const m = /[?&]backend=([^&#]*)/.exec(g.location?.search ?? "");
    const q = m ? decodeURIComponent(m[1]!) : null;
    if (q) return q.toLowerCase();
    const ls = g.localStorage?.getItem("webkeras.backend");
    if (ls) return ls.toLowerCase();
  } catch {
    // storage may be blocked (sandboxed iframe); fall through
  }
  return "auto";
}

async function initBackend(name: string): Promise<Backend> {
  const e = engine();
  const existing = e.backends.get(name);
  if (existing) return existing;
  const factory = registry().factories.get(name);
  if (!factory)
    throw new BackendUnavailableError(
      `setBackend: backend "${name}" is not registered; import its package (e.g. "@webkeras/backend-${name}") first. Registered: ${registeredBackends().join(", ") || "none"}. Received: name=${name}`,
    );
  const b = await factory.create();
  e.backends.set(name, b);
  return b;
}

/**
 * Chooses the backend for new tensors. `"auto"` probes the registered backends in order
 * webgpu -> webgl -> wasm -> cpu and takes the first that starts. Returns the chosen name.
 * @example await keras.setBackend("cpu");
 */
export async function setBackend(name: string): Promise<string> {
  const e = engine();
  const want = name.toLowerCase();
  if (want === "auto") {
    const reasons: string[] = [];
    for (const n of registeredBackends()) {
      try {
        e.active = await initBackend(n);
        return n;
      } catch (err) {
        reasons.push(`${n}: ${(err as Error).message}`);
      }
    }
    throw new BackendUnavailableError(`setBackend("auto"): no backend could start. ${reasons.join("; ")}`);
  }
  e.active = await initBackend(want);
  return want;
}

/** Applies the environment's backend choice (KERAS_BACKEND, ?backend=, localStorage), else auto. */
export async function ready(): Promise<string> {
  const e = engine();
  if (e.active) return e.active.name;
  return setBackend(preferredBackend());
}

/** The active backend, starting the environment's choice synchronously where it can (cpu). */
export function activeBackend(): Backend {
  const e = engine();
  if (e.active) return e.active;
  const pref = preferredBackend();
  const order = pref === "auto" ? ["cpu"] : [pref];
  for (const n of order) {
    const f = registry().factories.get(n);
    if (f?.createSync) {
      const b = e.backends.get(n) ?? f.createSync();
      e.backends.set(n, b);
      e.active = b;
      return b;
    }
  }
  throw new BackendUnavailableError(
    `No backend is active: backend "${pref}" needs an asynchronous start. Call \`await keras.setBackend("${pref}")\` or \`await keras.ready()\` first. Received: backend=${pref}`,
  );
}

/**
 * Capabilities and start-up warnings of a started backend (default: the active one), or null
 * if that backend has not been started.
 * @example const { warnings } = keras.getBackendInfo("webgl") ?? { warnings: [] };
 */
export function getBackendInfo(name?: string): BackendInfo | null {
  const e = engine();
  const b = name === undefined ? activeBackend() : e.backends.get(name.toLowerCase());
  if (!b) return null;
  return b.info?.() ?? { name: b.name, warnings: [] };
}

/** Name of the active backend. */
export function getBackend(): string {
  return activeBackend().name;
}

/** Wraps a new buffer in a Tensor owned by the current scope. */
export function makeTensor(dataId: object, shape: readonly number[], dtype: Tensor["dtype"], backend: Backend): Tensor {
  const e = engine();
  const t = new Tensor(dataId, shape, dtype, backend);
  e.numTensors++;
  const scope = e.scopes[e.scopes.length - 1];
  if (scope) scope.tensors.push(t);
  return t;
}

function collectTensors(x: unknown, out: Set<Tensor>, seen = new Set<unknown>()): void {
  if (x instanceof Tensor) {
    out.add(x);
    if (x.kerasMask) out.add(x.kerasMask);
    return;
  }
  if (x === null || typeof x !== "object" || seen.has(x)) return;
  seen.add(x);
  if (Array.isArray(x)) for (const v of x) collectTensors(v, out, seen);
  else if (x instanceof Map) for (const v of x.values()) collectTensors(v, out, seen);
  else if (Object.getPrototypeOf(x) === Object.prototype) for (const v of Object.values(x)) collectTensors(v, out, seen);
}

export function startScope(): void {
  engine().scopes.push({ tensors: [] });
}

/** Ends the innermost scope, disposing its tensors except those in `result`, kept or on a tape. */
export function endScope(result?: unknown): void {
  const e = engine();
  const scope = e.scopes.pop();
  if (!scope) throw new ValueError("endScope: no scope is open. Received: scopes=0");
  const keepSet = new Set<Tensor>();
  collectTensors(result, keepSet);
  const parent = e.scopes[e.scopes.length - 1];
  for (const t of scope.tensors) {
    if (t.isDisposed || t.kept) continue;
    if (keepSet.has(t) || t.tapeRefs > 0) parent?.tensors.push(t);
    else t.dispose();
  }
}

/**
 * Runs `fn` and disposes every tensor it created except those it returns (in any nesting of
 * arrays and plain objects) and those passed to `keep`.
 * @example const y = keras.tidy(() => keras.ops.relu(keras.ops.add(x, 1)));
 */
export function tidy<T>(fn: () => T): T {
  startScope();
  let result: T;
  try {
    result = fn();
  } catch (err) {
    endScope();
    throw err;
  }
  if (result instanceof Promise) {
    endScope();
    throw new ValueError("tidy: the function must be synchronous (returned a Promise). Received: Promise");
  }
  endScope(result);
  return result;
}

/** Marks a tensor so that no enclosing `tidy` disposes it. */
export function keep<T extends Tensor>(t: T): T {
  t.kept = true;
  return t;
}

/** Disposes every tensor found in `x` (a tensor, or arrays / objects of them). */
export function dispose(x: unknown): void {
  const s = new Set<Tensor>();
  collectTensors(x, s);
  for (const t of s) t.dispose();
}

export interface MemoryInfo {
  /** Live Tensor objects, across backends. */
  numTensors: number;
  /** Bytes held by live buffers, across backends. */
  numBytes: number;
  /** Per started backend: buffers and bytes (plus backend-specific figures). */
  backends: Record<string, ReturnType<Backend["memory"]>>;
}

/**
 * Live tensors and bytes, per backend.
 * @example const { numTensors, numBytes } = keras.memory();
 */
export function memory(): MemoryInfo {
  const e = engine();
  const backends: MemoryInfo["backends"] = {};
  let numBytes = 0;
  for (const [name, b] of e.backends) {
    const m = b.memory();
    backends[name] = m;
    numBytes += m.numBytes;
  }
  return { numTensors: e.numTensors, numBytes, backends };
}

/** Describes a value for error messages. */
export function describe(x: unknown): string {
  if (x instanceof Tensor) return `Tensor(shape=${fmt(x.shape)}, dtype=${x.dtype})`;
  return fmt(x);
}
