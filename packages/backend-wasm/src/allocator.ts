/**
 * The allocator over the backend's wasm linear memory: size classes with free lists, a bump
 * pointer, defragmentation before growth, and a hard cap on growth.
 *
 * Blocks are rounded up to a size class (multiples of 64 bytes, four classes per power of two above
 * 256, so at most 25% is wasted beyond the 64-byte rounding) and a freed block goes to its class' free list, so a training loop that frees and
 * re-allocates the same shapes every step reuses the same blocks and never grows memory after the
 * first step. When neither a free list nor the bump region fits a request, the free blocks are
 * sorted and merged into extents (a run ending at the bump pointer lowers it) and the request is
 * retried before memory grows (by at least half its size, up to `maxBytes`). Linear memory never
 * shrinks (WebAssembly has no way to), which is why growth is the last resort.
 *
 * Offsets are multiples of 64 (cache lines); offset 0 is never handed out.
 */
import { KerasError } from "@webkeras/core";

const PAGE = 65536;
const MIN_CLASS = 64;
/** The first bytes of memory are reserved (offset 0 is "null" and catches stray writes). */
const RESERVED = 1024;

/**
 * The size class a request of `bytes` is rounded up to.
 * @example sizeClass(1000); // 1024
 */
export function sizeClass(bytes: number): number {
  if (bytes <= MIN_CLASS) return MIN_CLASS;
  // Quarter steps of the power of two below `bytes`.
  // Quarter steps, at least a cache line, so that every block starts on a 64-byte line (a v128
  // load that straddles two lines costs extra).
  const p = 2 ** Math.floor(Math.log2(bytes - 1));
  const step = Math.max(64, p / 4);
  return Math.ceil(bytes / step) * step;
}

interface Extent {
  off: number;
  size: number;
}

/**
 * @example
 * const a = new Allocator(new WebAssembly.Memory({ initial: 16, maximum: 1024 }), 64 << 20);
 * const p = a.alloc(4096); // 64-byte aligned offset into a.memory.buffer
 * a.free(p, 4096);
 */
export class Allocator {
  private top = RESERVED;
  private readonly lists = new Map<number, number[]>();
  private extents: Extent[] = [];
  /** Bytes in free lists and extents (reusable without growing). */
  freeBytes = 0;
  /** Bytes handed out and not yet freed (size-class bytes). */
  usedBytes = 0;

  constructor(
    readonly memory: WebAssembly.Memory,
    readonly maxBytes: number,
  ) {}

  /** Current size of linear memory in bytes. */
  get heapBytes(): number {
    return this.memory.buffer.byteLength;
  }

  /** Returns a 64-byte aligned offset of a block of at least `bytes` bytes (contents undefined). */
  alloc(bytes: number): number {
    const size = sizeClass(bytes);
    const list = this.lists.get(size);
    if (list && list.length > 0) {
      this.freeBytes -= size;
      this.usedBytes += size;
      return list.pop()!;
    }
    let off = this.fromExtents(size);
    if (off < 0) off = this.bump(size);
    if (off < 0) {
      this.defragment();
      off = this.fromExtents(size);
      if (off < 0) off = this.bump(size);
    }
    if (off < 0) {
      this.grow(this.top + size);
      off = this.bump(size);
    }
    this.usedBytes += size;
    return off;
  }

  /** Returns a block from `alloc(bytes)` (same `bytes`) for reuse. */
  free(off: number, bytes: number): void {
    const size = sizeClass(bytes);
    let list = this.lists.get(size);
    if (!list) {
      list = [];
      this.lists.set(size, list);
    }
    list.push(off);
    this.freeBytes += size;
    this.usedBytes -= size;
  }

  private bump(size: number): number {
    if (this.top + size > this.heapBytes) return -1;
    const off = this.top;
    this.top += size;
    return off;
  }

  private fromExtents(size: number): number {
    for (let i = 0; i < this.extents.length; i++) {
      const e = this.extents[i];
      if (e.size < size) continue;
      const off = e.off;
      e.off += size;
      e.size -= size;
      // Slivers stay listed: defragmentation merges them with freed neighbours.
      if (e.size === 0) this.extents.splice(i, 1);
      this.freeBytes -= size;
      return off;
    }
    return -1;
  }

  /** Merges every free block into maximal extents; a run that ends at the top lowers the top. */
  defragment(): void {
    const blocks: Extent[] = [...this.extents];
    for (const [size, offs] of this.lists) for (const off of offs) blocks.push({ off, size });
    this.lists.clear();
    blocks.sort((a, b) => a.off - b.off);
    const merged: Extent[] = [];
    for (const b of blocks) {
      const last = merged[merged.length - 1];
      if (last && last.off + last.size === b.off) last.size += b.size;
      else merged.push({ ...b });
    }
    const last = merged[merged.length - 1];
    if (last && last.off + last.size === this.top) {
      this.top = last.off;
      merged.pop();
    }
    this.extents = merged;
    this.freeBytes = merged.reduce((s, e) => s + e.size, 0);
  }

  private grow(needBytes: number): void {
    const have = this.heapBytes;
    if (needBytes > this.maxBytes)
      throw new KerasError(
        `wasm backend: out of memory: ${needBytes} bytes of linear memory needed, the limit is ${this.maxBytes} (${this.usedBytes} in live buffers and scratch). Dispose unused tensors or use a smaller batch. Received: request of ${needBytes - this.top} bytes`,
      );
    // Grow by at least half the current size so that a growing workload grows memory rarely.
    const target = Math.min(this.maxBytes, Math.max(needBytes, have + (have >> 1)));
    const pages = Math.ceil((target - have) / PAGE);
    this.memory.grow(pages);
  }
}
