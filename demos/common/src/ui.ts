/** Small page helpers shared by the demos: element lookup, the backend picker, a progress callback. */
import * as keras from "@webkeras/core";
import { withParam } from "./params";

/** `document.getElementById` that fails loudly. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`The page has no element #${id}. Received: null`);
  return el as T;
}

/**
 * Fills a `<select>` with the backends and reloads the page with `?backend=` on change, so each
 * run starts clean on the chosen backend.
 */
export function backendPicker(
  select: HTMLSelectElement,
  available: string[],
  current: string,
): void {
  select.replaceChildren(
    ...["auto", ...available].map((name) => {
      const o = document.createElement("option");
      o.value = name;
      o.textContent = name;
      o.selected = name === current;
      return o;
    }),
  );
  select.addEventListener("change", () => location.assign(withParam("backend", select.value)));
}

/**
 * Shows `fit`'s progress in a `<progress>` and a text line ("epoch 2/3 - batch 14/32").
 * @example await model.fit(x, y, { callbacks: [new ProgressCallback(bar, label)] });
 */
export class ProgressCallback extends keras.callbacks.Callback {
  private epoch = 0;

  constructor(
    private readonly bar: HTMLProgressElement,
    private readonly label: HTMLElement,
  ) {
    super();
  }

  // Progress needs no logs: saying so spares a device read per batch.
  override needsBatchLogs(): boolean {
    return false;
  }

  override onEpochBegin(epoch: number): void {
    this.epoch = epoch;
  }

  override onTrainBatchEnd(batch: number): void {
    const epochs = (this.params.epochs as number) ?? 1;
    const steps = (this.params.steps as number | null) ?? 0;
    if (steps) this.bar.value = (this.epoch + (batch + 1) / steps) / epochs;
    this.label.textContent = `epoch ${this.epoch + 1}/${epochs} - batch ${batch + 1}${steps ? `/${steps}` : ""}`;
  }

  override onEpochEnd(epoch: number, logs: Record<string, number> = {}): void {
    const parts = Object.entries(logs).map(([k, v]) => `${k}: ${v.toFixed(4)}`);
    this.label.textContent = `epoch ${epoch + 1}/${(this.params.epochs as number) ?? 1} - ${parts.join(" - ")}`;
  }
}
