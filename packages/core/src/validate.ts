import { InvalidArgumentError } from './errors.js';

/**
 * Runtime checks of what the types promise, for plain-JavaScript callers: each returns the value
 * it was given (narrowed) or throws {@link InvalidArgumentError} naming the argument. Shared by
 * every sockkit package through `@sockkit/core/internals`.
 */

/** Data to send must already be bytes: a string has no byte form until the caller picks an encoding. */
export function checkBytes(argument: string, data: unknown): Uint8Array {
  if (data instanceof Uint8Array) return data;
  const expected =
    typeof data === 'string'
      ? 'a Uint8Array or Buffer (encode text first: new TextEncoder().encode(text))'
      : 'a Uint8Array or Buffer';
  throw new InvalidArgumentError(argument, expected, data);
}

/** The longest delay a Node timer keeps (about 24.8 days): a longer one fires after 1 ms. */
export const MAX_TIMEOUT = 2 ** 31 - 1;

/**
 * A timeout in milliseconds: `null` (or `Infinity`) blocks, 0 never waits, a positive number up
 * to {@link MAX_TIMEOUT} bounds the wait. A longer finite one is refused rather than let Node's
 * timer fire at once.
 */
export function checkTimeout(argument: string, timeout: unknown): number | null {
  if (timeout === null || timeout === Number.POSITIVE_INFINITY) return null;
  if (typeof timeout !== 'number' || Number.isNaN(timeout) || timeout < 0 || timeout > MAX_TIMEOUT) {
    throw new InvalidArgumentError(
      argument,
      `from 0 to ${MAX_TIMEOUT} milliseconds, Infinity or null`,
      timeout,
    );
  }
  return timeout;
}

/**
 * A delay a timer will wait, in milliseconds: a positive number up to {@link MAX_TIMEOUT} (a
 * request timeout, a read deadline). Node fires a longer timer after 1 ms, which would turn a
 * retransmission or deadline timer into a busy loop.
 */
export function checkDelay(argument: string, delay: unknown): number {
  if (typeof delay !== 'number' || !(delay > 0) || delay > MAX_TIMEOUT) {
    throw new InvalidArgumentError(argument, `a positive number of milliseconds up to ${MAX_TIMEOUT}`, delay);
  }
  return delay;
}

/** A delay that `null` turns off: `undefined` gives `fallback`. */
export function checkOptionalDelay(argument: string, delay: unknown, fallback: number | null): number | null {
  if (delay === undefined) return fallback;
  if (delay === null) return null;
  if (typeof delay !== 'number' || !(delay > 0) || delay > MAX_TIMEOUT) {
    throw new InvalidArgumentError(
      argument,
      `a positive number of milliseconds up to ${MAX_TIMEOUT}, or null`,
      delay,
    );
  }
  return delay;
}

/** A count or size: a positive integer. */
export function checkPositiveInteger(argument: string, value: unknown): number {
  return checkIntegerIn(argument, value, 1, Number.MAX_SAFE_INTEGER, 'a positive integer');
}

/** An integer with a range, such as a TTL or a port. */
export function checkIntegerIn(
  argument: string,
  value: unknown,
  min: number,
  max: number,
  expected?: string,
): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
  // Described only on failure: a template string per call showed up on the datagram hot path.
  const range = expected ?? `an integer from ${min} to ${max}`;
  if (typeof value !== 'number') throw new InvalidArgumentError(argument, `a number (${range})`, value);
  throw new InvalidArgumentError(argument, range, value);
}

/** A number from `min` to `max` (`max` may be `Infinity`); never NaN. */
export function checkNumberIn(
  argument: string,
  value: unknown,
  min: number,
  max: number,
  expected?: string,
): number {
  if (typeof value !== 'number' || !(value >= min && value <= max)) {
    throw new InvalidArgumentError(argument, expected ?? `a number from ${min} to ${max}`, value);
  }
  return value;
}

/** A boolean, not merely truthy: `setBlocking('no')` must not mean blocking. */
export function checkBoolean(argument: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new InvalidArgumentError(argument, 'a boolean', value);
  return value;
}

/** A non-empty string (a host, a path, an interface address). */
export function checkNonEmptyString(argument: string, value: unknown): string {
  if (typeof value !== 'string' || value === '') {
    throw new InvalidArgumentError(argument, 'a non-empty string', value);
  }
  return value;
}

/** A callback. */
export function checkFunction<F extends (...args: never[]) => unknown>(argument: string, value: unknown): F {
  if (typeof value !== 'function') throw new InvalidArgumentError(argument, 'a function', value);
  return value as F;
}

/** One of a fixed set of literals (`'fail' | 'skip'`, `'udp4' | 'udp6'`). */
export function checkOneOf<T extends string | number>(
  argument: string,
  value: unknown,
  allowed: readonly T[],
): T {
  if (!allowed.includes(value as T)) {
    const list = allowed.map((item) => (typeof item === 'string' ? `'${item}'` : String(item)));
    throw new InvalidArgumentError(argument, `one of ${list.join(', ')}`, value);
  }
  return value as T;
}

/** What {@link checkOptions} gives for no options: one frozen object, not a new one per call. */
const NO_OPTIONS = Object.freeze({});

/**
 * An options object: `undefined` gives `{}` (frozen); anything but a plain object, and any key not in
 * `known` (a typo such as `timeOut`, which would otherwise be ignored without a word), is refused.
 */
export function checkOptions<T extends object>(
  argument: string,
  options: T | undefined,
  known: readonly (keyof T & string)[],
): T {
  if (options === undefined) return NO_OPTIONS as T;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidArgumentError(argument, 'an options object', options);
  }
  for (const key of Object.keys(options)) {
    if (!(known as readonly string[]).includes(key)) {
      throw new InvalidArgumentError(
        `${argument}.${key}`,
        `absent: ${argument} knows only ${known.join(', ')}`,
        (options as Record<string, unknown>)[key],
      );
    }
  }
  return options;
}

/** An optional `AbortSignal` (a call's `signal` option). */
export function checkSignal(argument: string, signal: unknown): AbortSignal | undefined {
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new InvalidArgumentError(argument, 'an AbortSignal', signal);
  }
  return signal;
}

/** An object with the methods `names` (a codec's `encode` and `decode` ...), described as `expected`. */
export function checkMethods<T extends object>(
  argument: string,
  value: T,
  names: readonly (keyof T & string)[],
  expected: string,
): T {
  if (
    typeof value !== 'object' ||
    value === null ||
    names.some((name) => typeof value[name] !== 'function')
  ) {
    throw new InvalidArgumentError(argument, expected, value);
  }
  return value;
}
