import { unwatchAbort, watchAbort } from './abort-watch.js';
import { log } from './channels.js';
import { BlockingIOError, SocketTimeoutError } from './errors.js';
import { Fifo } from './fifo.js';
import { capturingPromise, lastRejecter, lastResolver } from './promise-capture.js';
import { checkOptions, checkSignal, checkTimeout } from './validate.js';

/** Options of every call that may wait: `timeout` (milliseconds) overrides the socket's own. */
export interface BlockingOptions {
  /** `null` waits forever, 0 never waits (`BlockingIOError`), a positive number bounds the wait. */
  readonly timeout?: number | null;
  /** Aborting rejects the call with `signal.reason`; the socket stays usable. */
  readonly signal?: AbortSignal;
}

/**
 * The timeout a call runs with: its own when given, else the socket's. Checks `options` on the
 * way (a known key, a timeout within the timer cap, an `AbortSignal`), so every blocking call
 * refuses bad options before it starts.
 */
export function effectiveTimeout(
  options: BlockingOptions | undefined,
  socketTimeout: number | null,
): number | null {
  if (options === undefined) return socketTimeout;
  const { timeout, signal } = checkOptions('options', options, ['timeout', 'signal']);
  checkSignal('options.signal', signal);
  return timeout === undefined ? socketTimeout : checkTimeout('options.timeout', timeout);
}

/**
 * Checks the options of a blocking call before it does anything, so a call that need not wait
 * checks them too: throws for bad options, or the reason of an already aborted signal.
 */
export function checkBlocking(options: BlockingOptions | undefined): void {
  if (options === undefined) return;
  effectiveTimeout(options, null);
  if (options.signal?.aborted) throw abortReason(options.signal);
}

/** The reason an aborted signal rejects with. */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

/** The timer and signal of a waiter that has a timeout or a signal. */
interface Deadline<T> {
  timer: NodeJS.Timeout | undefined;
  readonly signal: AbortSignal | undefined;
  readonly onExpire: (waiter: Waiter<T>, reason: 'timeout' | 'abort') => unknown;
  /** Watching `signal` (see abort-watch.ts: one listener per signal, shared by its waiters). */
  onAbort?: () => void;
}

/**
 * One pending blocking call. It settles exactly once: by the event it waits for, by its timeout,
 * by its signal, or by the socket failing or closing. On timeout or abort it settles, then calls
 * `onExpire` so its owner forgets it (and, for a timeout, returns the error to reject with). The
 * timer and abort listener exist only when asked for: a plain `recv` allocates this object and
 * its promise, nothing more. The caller checks `signal.aborted` first: an aborted signal fires no
 * more events.
 */
export class Waiter<T> {
  readonly promise: Promise<T>;
  /** What the call asked for, e.g. the `bufsize` of a `recv`. */
  readonly size: number;
  readonly #resolve: (value: T) => void;
  readonly #reject: (reason: unknown) => void;
  #deadline: Deadline<T> | undefined;
  #settled = false;

  constructor(
    timeout: number | null,
    signal: AbortSignal | undefined,
    onExpire: (waiter: Waiter<T>, reason: 'timeout' | 'abort') => unknown,
    size = 0,
  ) {
    this.size = size;
    this.promise = capturingPromise<T>();
    this.#resolve = lastResolver<T>();
    this.#reject = lastRejecter();
    if (timeout === null && signal === undefined) return;
    const deadline: Deadline<T> = { timer: undefined, signal, onExpire };
    this.#deadline = deadline;
    if (timeout !== null) deadline.timer = setTimeout(() => this.#expire('timeout'), timeout);
    if (signal !== undefined) {
      deadline.onAbort = () => this.#expire('abort');
      watchAbort(signal, deadline.onAbort);
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

  #expire(reason: 'timeout' | 'abort'): void {
    const deadline = this.#deadline;
    if (deadline === undefined || !this.#settle()) return;
    const error = deadline.onExpire(this, reason);
    this.#reject(reason === 'abort' ? abortReason(deadline.signal!) : error);
  }

  #settle(): boolean {
    if (this.#settled) return false;
    this.#settled = true;
    const deadline = this.#deadline;
    if (deadline !== undefined) {
      if (deadline.timer !== undefined) clearTimeout(deadline.timer);
      if (deadline.signal !== undefined && deadline.onAbort !== undefined) {
        unwatchAbort(deadline.signal, deadline.onAbort);
      }
    }
    return true;
  }
}

/**
 * Waiters (anything with a `settled` flag) in arrival order, with O(1) removal of one that settled on its own (its timeout or
 * signal): it is only counted as stale and skipped when it reaches the front, and the list is
 * compacted once stale waiters are half of it. `indexOf` + `splice` per removal made aborting
 * 10,000 waiting `recv`s with one signal take 366 ms (quadratic); this takes a few ms.
 */
export class WaiterList<W extends { readonly settled: boolean }> {
  readonly #waiters = new Fifo<W>();
  #stale = 0;

  /** Waiters still waiting. */
  get length(): number {
    return this.#waiters.length - this.#stale;
  }

  push(waiter: W): void {
    this.#waiters.push(waiter);
  }

  /** The oldest waiter still waiting, left in the list. */
  peek(): W | undefined {
    const waiters = this.#waiters;
    let front = waiters.peek();
    while (front?.settled) {
      waiters.shift();
      this.#stale -= 1;
      front = waiters.peek();
    }
    return front;
  }

  /** Removes and returns the oldest waiter still waiting. */
  shift(): W | undefined {
    const front = this.peek();
    if (front !== undefined) this.#waiters.shift();
    return front;
  }

  /** Records that a waiter of this list settled while in it; it is dropped lazily. */
  noteSettled(): void {
    this.#stale += 1;
    if (this.#stale >= COMPACT_STALE && this.#stale * 2 >= this.#waiters.length) {
      this.#waiters.retain((waiter) => !waiter.settled);
      this.#stale = 0;
    }
  }

  /** Removes and returns the waiting waiters that `matches` (at most `limit`, oldest first), keeping the rest in order. */
  take(matches: (waiter: W) => boolean, limit = Number.POSITIVE_INFINITY): W[] {
    const taken: W[] = [];
    for (const waiter of this.drain()) {
      if (taken.length < limit && matches(waiter)) taken.push(waiter);
      else this.push(waiter);
    }
    return taken;
  }

  /** Removes every waiter and returns those still waiting, oldest first. */
  drain(): W[] {
    const waiting = this.#waiters.drain().filter((waiter) => !waiter.settled);
    this.#stale = 0;
    return waiting;
  }
}

/** Below this many stale waiters, compacting costs more than it frees. */
const COMPACT_STALE = 64;

/**
 * A waiter for `list` that rejects with a `SocketTimeoutError` naming `verb` after `timeout` ms,
 * and with the abort reason when `signal` aborts, leaving `list` either way.
 */
export function listWaiter<T>(
  list: WaiterList<Waiter<T>>,
  timeout: number | null,
  signal: AbortSignal | undefined,
  size: number,
  verb: string,
): Waiter<T> {
  const waiter =
    timeout === null && signal === undefined
      ? new Waiter<T>(null, undefined, neverExpires, size)
      : new Waiter<T>(
          timeout,
          signal,
          (_, reason) => {
            list.noteSettled();
            if (reason !== 'timeout') return undefined;
            log?.('%s timed out after %d ms', verb, timeout);
            // An Error captures a stack: made only when it is the one rejected with.
            return new SocketTimeoutError(`${verb} timed out after ${timeout} ms`);
          },
          size,
        );
  list.push(waiter);
  return waiter;
}

/**
 * A blocking call's wait in `list`, after its checks: timeout 0 rejects at once with
 * `BlockingIOError`, an aborted signal with its reason; else a {@link listWaiter}'s promise.
 * `socketTimeout` applies unless `options` has a timeout of its own.
 */
export function waitIn<T>(
  list: WaiterList<Waiter<T>>,
  options: BlockingOptions | undefined,
  socketTimeout: number | null,
  size: number,
  verb: string,
): Promise<T> {
  const timeout = effectiveTimeout(options, socketTimeout);
  if (timeout === 0) return Promise.reject(new BlockingIOError(`${verb} would block (timeout 0)`));
  const signal = options?.signal;
  if (signal?.aborted) return Promise.reject(abortReason(signal));
  return listWaiter(list, timeout, signal, size, verb).promise;
}

/** The expiry callback of a waiter that has neither timeout nor signal. */
export function neverExpires(): never {
  throw new Error('a waiter without timeout or signal cannot expire');
}
