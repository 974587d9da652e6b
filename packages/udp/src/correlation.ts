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
    target.set(this.#pool.subarray(this.#offset, this.#offset + REQUEST_ID_BYTES), offset);
    this.#offset += REQUEST_ID_BYTES;
  }
}
