/**
 * URL parameters of a demo. Every demo takes `?seed=` (weights, shuffling, the digits picked:
 * the same seed gives the same run) and `?backend=` (a registered backend, or "auto"), so the
 * e2e specs can drive them; `?autorun=1` starts the work without a click.
 */

export interface DemoParams {
  seed: number;
  backend: string;
  autorun: boolean;
  /** An integer parameter, or `fallback` when absent. */
  int(name: string, fallback: number): number;
  /** A string parameter, or `fallback` when absent. */
  str(name: string, fallback: string): string;
}

/**
 * @example const p = readParams(); // ?seed=7&backend=wasm -> { seed: 7, backend: "wasm", ... }
 */
export function readParams(search: string = globalThis.location?.search ?? ""): DemoParams {
  const q = new URLSearchParams(search);
  const int = (name: string, fallback: number): number => {
    const v = q.get(name);
    if (v === null || v === "") return fallback;
    const n = Number(v);
    if (!Number.isInteger(n))
      throw new Error(`?${name} must be an integer. Received: ${name}=${v}`);
    return n;
  };
  return {
    seed: int("seed", 1337),
    backend: (q.get("backend") ?? "auto").toLowerCase(),
    autorun: q.get("autorun") === "1" || q.get("autorun") === "true",
    int,
    str: (name, fallback) => q.get(name) ?? fallback,
  };
}

/** The current URL with `name` set to `value` (for links and the backend picker). */
export function withParam(
  name: string,
  value: string,
  href: string = globalThis.location.href,
): string {
  const url = new URL(href);
  url.searchParams.set(name, value);
  return url.toString();
}
