/**
 * A size-bucketed pool of GPU storage buffers.
 *
 * Creating a GPUBuffer is cheap but not free (a driver allocation, zeroing), and a training loop
 * frees and re-creates the same sizes every step, so freed buffers wait here for the next
 * request of their bucket. Sizes round up to a power of two below 1 MiB and to an eighth of a
 * power of two above (at most 12.5% slack). The pool is capped in total bytes and in buffers per
 * bucket; beyond the caps a freed buffer is destroyed.
 *
 * A buffer enters the pool only after the batch of commands that last used it was submitted
 * (see `WebGPUBackend.release`): `queue.writeBuffer` runs before any command not yet submitted,
 * so handing a buffer out earlier could overwrite data a recorded dispatch still has to read.
 */

const MIN_BUCKET = 256;

/** Capacity in bytes of the bucket that holds `bytes`. */
export function bucketSize(bytes: number): number {
  if (bytes <= MIN_BUCKET) return MIN_BUCKET;
  const p = 2 ** Math.ceil(Math.log2(bytes));
  if (p <= 1 << 20) return p;
  const step = p / 16; // eighths of the lower power of two
  return Math.ceil(bytes / step) * step;
}

export interface PoolOptions {
  /** Most bytes kept in the pool (default 256 MiB). */
  maxBytes?: number;
  /** Most buffers kept per bucket (default 32). */
  maxPerBucket?: number;
}

/**
 * @example
 * const pool = new BufferPool(device, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST);
 * const b = pool.acquire(1000); // a 1024-byte buffer
 * pool.release(b);              // kept for the next acquire(…) of that bucket
 */
export class BufferPool {
  private free = new Map<number, GPUBuffer[]>();
  private maxBytes: number;
  private maxPerBucket: number;
  /** Bytes held by buffers waiting in the pool. */
  pooledBytes = 0;
  pooledBuffers = 0;

  constructor(
    private device: GPUDevice,
    private usage: GPUBufferUsageFlags,
    opts: PoolOptions = {},
  ) {
    this.maxBytes = opts.maxBytes ?? 256 * 1024 * 1024;
    this.maxPerBucket = opts.maxPerBucket ?? 32;
  }

  acquire(bytes: number): GPUBuffer {
    const size = bucketSize(bytes);
    const b = this.free.get(size)?.pop();
    if (b) {
      this.pooledBytes -= size;
      this.pooledBuffers--;
      return b;
    }
    return this.device.createBuffer({ size, usage: this.usage });
  }

  release(b: GPUBuffer): void {
    const size = b.size;
    let list = this.free.get(size);
    if (!list) {
      list = [];
      this.free.set(size, list);
    }
    if (list.length >= this.maxPerBucket || this.pooledBytes + size > this.maxBytes) {
      b.destroy();
      return;
    }
    list.push(b);
    this.pooledBytes += size;
    this.pooledBuffers++;
  }

  /** Destroys every pooled buffer. */
  clear(): void {
    for (const list of this.free.values()) for (const b of list) b.destroy();
    this.free.clear();
    this.pooledBytes = 0;
    this.pooledBuffers = 0;
  }
}
