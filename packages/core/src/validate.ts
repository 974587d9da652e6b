import { describe } from './address.js';

/** Data to send must already be bytes: a string has no byte form until the caller picks an encoding. */
export function checkBytes(data: unknown): Uint8Array {
  if (data instanceof Uint8Array) return data;
  const hint = typeof data === 'string' ? ' (encode text first: new TextEncoder().encode(text))' : '';
  throw new TypeError(`data must be a Uint8Array or Buffer, got ${describe(data)}${hint}`);
}

/** `bufsize` is the most bytes one `recv` may return: a positive integer. */
export function checkBufsize(bufsize: unknown): number {
  if (typeof bufsize !== 'number') throw new TypeError(`bufsize must be a number, got ${describe(bufsize)}`);
  if (!Number.isInteger(bufsize) || bufsize <= 0) {
    throw new RangeError(`bufsize must be a positive integer, got ${bufsize}`);
  }
  return bufsize;
}

/** The longest delay a Node timer keeps (about 24.8 days): a longer one fires after 1 ms. */
export const MAX_TIMEOUT = 2 ** 31 - 1;

/**
 * A timeout in milliseconds: `null` (or `Infinity`) blocks, 0 never waits, a positive number up
 * to {@link MAX_TIMEOUT} bounds the wait. A longer finite one is refused rather than let Node's
 * timer fire at once.
 */
export function checkTimeout(timeout: unknown): number | null {
  if (timeout === null) return null;
  if (typeof timeout !== 'number') {
    throw new TypeError(`timeout must be milliseconds or null, got ${describe(timeout)}`);
  }
  if (timeout === Number.POSITIVE_INFINITY) return null;
  if (Number.isNaN(timeout) || timeout < 0 || timeout > MAX_TIMEOUT) {
    throw new RangeError(
      `timeout must be from 0 to ${MAX_TIMEOUT} milliseconds, Infinity or null, got ${timeout}`,
    );
  }
  return timeout;
}

/** A count or size option: a positive integer. */
export function checkPositiveInteger(name: string, value: unknown): number {
  if (typeof value !== 'number') throw new TypeError(`${name} must be a number, got ${describe(value)}`);
  if (!Number.isInteger(value) || value <= 0) {
    throw new RangeError(`${name} must be a positive integer, got ${value}`);
  }
  return value;
}

/** An integer option with a range, such as a TTL. */
export function checkIntegerIn(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number') throw new TypeError(`${name} must be a number, got ${describe(value)}`);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
  return value;
}
