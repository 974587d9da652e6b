import { checkTimeout } from './validate.js';

let capturedResolve: (value: never) => void = () => {};
let capturedReject: (reason: unknown) => void = () => {};
function capture(resolve: (value: never) => void, reject: (reason: unknown) => void): void {
  capturedResolve = resolve;
  capturedReject = reject;
}

/**
 * A promise with its resolve and reject functions, as `Promise.withResolvers` (Node 22). The
 * executor is one shared function, not a closure per call: this runs once per blocking call.
 */
export function promiseWithResolvers<T>(): [Promise<T>, (value: T) => void, (reason: unknown) => void] {
  const promise = new Promise<T>(capture);
  return [promise, capturedResolve as (value: T) => void, capturedReject];
}

/** Options of every call that may wait: `timeout` (milliseconds) overrides the socket's own. */
export interface BlockingOptions {
  /** `null` waits forever, 0 never waits (`BlockingIOError`), a positive number bounds the wait. */
  readonly timeout?: number | null;
  /** Aborting rejects the call with `signal.reason`; the socket stays usable. */
  readonly signal?: AbortSignal;
}

/** The timeout a call runs with: its own when given, else the socket's. */
export function effectiveTimeout(
  options: BlockingOptions | undefined,
  socketTimeout: number | null,
): number | null {
  return options?.timeout === undefined ? socketTimeout : checkTimeout(options.timeout);
}

/** The reason an aborted signal rejects with. */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

/**
 * One pending blocking call. It settles exactly once: by the event it waits for, by its timeout,
 * by its signal, or by the socket failing or closing. On timeout or abort it calls `onCancel` so
 * its owner forgets it. Timers and abort listeners exist only when asked for, to keep the common
 * path allocation-light.
 */
export class Waiter<T> {
  readonly promise: Promise<T>;
  /** What the call asked for, e.g. the `bufsize` of a `recv`. */
  readonly size: number;
  #resolve!: (value: T) => void;
  #reject!: (reason: unknown) => void;
  #timer: NodeJS.Timeout | undefined;
  #signal: AbortSignal | undefined;
  #onAbort: (() => void) | undefined;
  #settled = false;

  constructor(
    timeout: number | null,
    signal: AbortSignal | undefined,
    onExpire: (waiter: Waiter<T>, reason: 'timeout' | 'abort') => unknown,
    size = 0,
  ) {
    this.size = size;
    const [promise, resolve, reject] = promiseWithResolvers<T>();
    this.promise = promise;
    this.#resolve = resolve;
    this.#reject = reject;
    if (timeout !== null) {
      this.#timer = setTimeout(() => this.reject(onExpire(this, 'timeout')), timeout);
    }
    if (signal !== undefined) {
      this.#signal = signal;
      this.#onAbort = () => {
        onExpire(this, 'abort');
        this.reject(abortReason(signal));
      };
      signal.addEventListener('abort', this.#onAbort, { once: true });
    }
  }

  get settled(): boolean {
    return this.#settled;
  }

  resolve(value: T): void {
    if (this.#settle()) this.#resolve(value);
  }

  reject(reason: unknown): void {
    if (this.#settle()) this.#reject(reason);
  }

  #settle(): boolean {
    if (this.#settled) return false;
    this.#settled = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    if (this.#onAbort !== undefined) this.#signal?.removeEventListener('abort', this.#onAbort);
    return true;
  }
}

/**
 * A waiter for `list` that rejects with `timeoutError()` after `timeout` ms and with the abort
 * reason when `signal` aborts, leaving `list` either way. Without either it allocates nothing more.
 */
export function listWaiter<T>(
  list: Waiter<T>[],
  timeout: number | null,
  signal: AbortSignal | undefined,
  size: number,
  timeoutError: () => Error,
): Waiter<T> {
  const waiter =
    timeout === null && signal === undefined
      ? new Waiter<T>(null, undefined, neverExpires, size)
      : new Waiter<T>(
          timeout,
          signal,
          (expired) => {
            removeFrom(list, expired);
            return timeoutError();
          },
          size,
        );
  list.push(waiter);
  return waiter;
}

/** The expiry callback of a waiter that has neither timeout nor signal. */
export function neverExpires(): never {
  throw new Error('a waiter without timeout or signal cannot expire');
}

/** Removes `item` from `list` if present (lists of waiters are short). */
export function removeFrom<T>(list: T[], item: T): void {
  const index = list.indexOf(item);
  if (index !== -1) list.splice(index, 1);
}
