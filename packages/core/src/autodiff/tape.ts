/**
 * Gradient tapes. While a tape is active, every primitive whose inputs the tape watches is
 * recorded with its vector-Jacobian product; `backprop` walks the records backwards. Gradient
 * rules call primitives too, so an outer tape records the inner backward pass (higher order).
 */
import type { Tensor } from "../tensor/tensor";

export type Cotangent = Tensor | null;

export interface TapeEntry {
  /** For debugging: the primitive or custom op recorded. */
  name: string;
  inputs: Tensor[];
  outputs: Tensor[];
  /**
   * Cotangents of the inputs from those of the outputs. `needs[j]` is false for inputs no
   * gradient is wanted for (data, integer tensors): rules may skip computing those (return null).
   */
  vjp: (cts: Cotangent[], needs: boolean[]) => Cotangent[];
}

export class Tape {
  readonly entries: TapeEntry[] = [];
  readonly watched = new Set<number>();
  private held: Tensor[] = [];

  /** A tape that records every primitive, watched or not (remat uses one to find captures). */
  constructor(readonly recordAll = false) {}

  watch(t: Tensor): void {
    this.watched.add(t.id);
  }

  isWatching(ts: readonly Tensor[]): boolean {
    return this.recordAll || ts.some((t) => this.watched.has(t.id));
  }

  add(entry: TapeEntry): void {
    this.entries.push(entry);
    for (const o of entry.outputs) this.watched.add(o.id);
    for (const t of [...entry.inputs, ...entry.outputs]) {
      t.tapeRefs++;
      this.held.push(t);
    }
  }

  /** Lets scopes dispose the tensors this tape held. */
  release(): void {
    for (const t of this.held) t.tapeRefs--;
    this.held = [];
    this.entries.length = 0;
  }
}
