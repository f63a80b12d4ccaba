/**
 * Results of a demo run, written as `data-*` attributes on the demo's root element (the e2e
 * specs read them: `data-status`, `data-backend`, `data-final-loss`, `data-accuracy`, timings).
 */

type Value = string | number | boolean | null | undefined;

/** The life of a demo page, in `data-status`. */
export type Status = "loading" | "ready" | "running" | "done" | "error";

export class Results {
  /** @example const results = new Results(document.getElementById("app")!); */
  constructor(readonly root: HTMLElement) {}

  /**
   * Sets attributes from camelCase keys (`finalLoss` -> `data-final-loss`); null removes one.
   * @example results.set({ backend: "cpu", accuracy: 0.91 });
   */
  set(values: Record<string, Value>): void {
    for (const [k, v] of Object.entries(values)) {
      if (v === null || v === undefined) delete this.root.dataset[k];
      else
        this.root.dataset[k] =
          typeof v === "number" && !Number.isInteger(v)
            ? String(Number(v.toPrecision(6)))
            : String(v);
    }
  }

  status(s: Status): void {
    this.set({ status: s });
  }

  /** Marks the run failed, with the message in `data-error` and on the page. */
  fail(err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    console.error(err);
    this.set({ status: "error", error: message });
    let box = this.root.querySelector<HTMLElement>(".error");
    if (!box) {
      box = document.createElement("pre");
      box.className = "error";
      this.root.prepend(box);
    }
    box.textContent = message;
  }

  /** Runs `fn`, stores its duration in `data-<key>-ms` and returns its result. */
  async time<T>(key: string, fn: () => Promise<T> | T): Promise<T> {
    const t0 = performance.now();
    const out = await fn();
    this.set({ [`${key}Ms`]: Math.round(performance.now() - t0) });
    return out;
  }
}
