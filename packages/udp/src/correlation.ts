import { randomFillSync } from 'node:crypto';

/** Bytes in a request id: 64 random bits make a blind guess by an off-path spoofer hopeless (RFC 5452). */
export const REQUEST_ID_BYTES = 8;

const POOL_IDS = 512;

/**
 * Unpredictable request ids from the operating system's CSPRNG (`crypto.randomFillSync`), drawn in
 * batches of 512 so a request costs no system call of its own.
 */
export class RequestIdSource {
  #pool = new Uint8Array(REQUEST_ID_BYTES * POOL_IDS);
  #offset = this.#pool.byteLength;

  /** Writes the next id into `target` at `offset`. */
  writeNext(target: Uint8Array, offset: number): void {
    if (this.#offset === this.#pool.byteLength) {
      randomFillSync(this.#pool);
      this.#offset = 0;
    }
    // Byte by byte: a subarray view of 8 bytes would cost more than copying them.
    const pool = this.#pool;
    const start = this.#offset;
    for (let i = 0; i < REQUEST_ID_BYTES; i++) target[offset + i] = pool[start + i]!;
    this.#offset = start + REQUEST_ID_BYTES;
  }
}
