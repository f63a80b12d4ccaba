/**
 * Yielding to the host's event loop between training steps, so a page stays responsive (and
 * progress can be drawn) while `fit` runs. Uses the cheapest macrotask the host has:
 * `setImmediate` (Node), a `MessageChannel` (browsers, no 4 ms clamp), else `setTimeout(0)`.
 */

interface Port {
  onmessage: ((ev: unknown) => void) | null;
  postMessage(msg: unknown): void;
}

const g = globalThis as unknown as {
  setImmediate?: (fn: () => void) => unknown;
  MessageChannel?: new () => { port1: Port; port2: Port };
  setTimeout?: (fn: () => void, ms: number) => unknown;
};

let channel: { port1: Port; port2: Port } | null = null;
const waiting: (() => void)[] = [];

/**
 * Resolves after the host has had a chance to run other tasks (rendering, input, timers).
 * @example for (const batch of batches) { step(batch); await yieldToEventLoop(); }
 */
export function yieldToEventLoop(): Promise<void> {
  if (typeof g.setImmediate === "function") return new Promise((r) => void g.setImmediate!(r));
  if (typeof g.MessageChannel === "function") {
    if (!channel) {
      channel = new g.MessageChannel();
      channel.port1.onmessage = () => waiting.shift()?.();
    }
    const ch = channel;
    return new Promise((r) => {
      waiting.push(r);
      ch.port2.postMessage(0);
    });
  }
  if (typeof g.setTimeout === "function") return new Promise((r) => void g.setTimeout!(r, 0));
  return Promise.resolve();
}
