/** Received chunks smaller than this are merged (copied) to fill a `take`; larger ones are handed out as views. */
const COALESCE_BELOW = 4096;

/**
 * Received bytes waiting for `recv`, as the chunks Node delivered them. `take` hands out a chunk
 * itself, or a view of its front, without copying; only when the front chunk is small and more
 * follow does it copy several into one array, so a stream of tiny chunks does not turn into one
 * `recv` per chunk. Pure: no I/O, no timers.
 */
export class ChunkQueue {
  #chunks: Uint8Array[] = [];
  #size = 0;

  /** Bytes waiting. */
  get size(): number {
    return this.#size;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#size += chunk.length;
  }

  /** Removes and returns 1..`max` bytes from the front; the queue must not be empty. */
  take(max: number): Uint8Array {
    const chunks = this.#chunks;
    const head = chunks[0]!;
    let taken: Uint8Array;
    if (head.length > max) {
      taken = head.subarray(0, max);
      chunks[0] = head.subarray(max);
    } else if (head.length >= COALESCE_BELOW || chunks.length === 1 || head.length === max) {
      taken = head;
      chunks.shift();
    } else {
      taken = this.#coalesce(Math.min(max, this.#size));
    }
    this.#size -= taken.length;
    return taken;
  }

  /** Drops everything waiting. */
  clear(): void {
    this.#chunks = [];
    this.#size = 0;
  }

  #coalesce(size: number): Uint8Array {
    const out = Buffer.allocUnsafe(size);
    const chunks = this.#chunks;
    let filled = 0;
    while (filled < size) {
      const head = chunks[0]!;
      const count = Math.min(head.length, size - filled);
      out.set(count === head.length ? head : head.subarray(0, count), filled);
      filled += count;
      if (count === head.length) chunks.shift();
      else chunks[0] = head.subarray(count);
    }
    return out;
  }
}
