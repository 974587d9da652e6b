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

/** A timeout in milliseconds: `null` blocks, 0 never waits, a positive number bounds the wait. */
export function checkTimeout(timeout: unknown): number | null {
  if (timeout === null) return null;
  if (typeof timeout !== 'number') {
    throw new TypeError(`timeout must be milliseconds or null, got ${describe(timeout)}`);
  }
  if (Number.isNaN(timeout) || timeout < 0) {
    throw new RangeError(`timeout must be >= 0 milliseconds or null, got ${timeout}`);
  }
  return timeout === Number.POSITIVE_INFINITY ? null : timeout;
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
