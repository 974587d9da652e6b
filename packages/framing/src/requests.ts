import { InvalidStateError } from '@sockkit/core';
import { checkDelay, checkOptions, checkSignal, Waiter } from '@sockkit/core/internals';
import type { Correlation, RequestOptions } from './channel.js';
import { RequestTimeoutError } from './errors.js';

/** What the receive queue's length means for reading: go on, pause, or pause and fail the waiting requests. */
export type QueueDecision = 'read' | 'pause' | 'block';

/**
 * The blocking rule. Reading pauses once `maxQueued` messages are unread. While requests wait,
 * reading goes on (their replies are behind the unread messages on the stream) up to twice that
 * bound; there it pauses too and the waiting requests fail (`'block'`) rather than hang.
 */
export function queueDecision(queued: number, maxQueued: number, pendingRequests: number): QueueDecision {
  if (queued < maxQueued) return 'read';
  if (pendingRequests === 0) return 'pause';
  return queued < 2 * maxQueued ? 'read' : 'block';
}

/** Whether a new request is refused: reading paused at the blocking bound, so its reply could not arrive. */
export function requestBlocked(paused: boolean, queued: number, maxQueued: number): boolean {
  return paused && queued >= 2 * maxQueued;
}

/** A request registered by {@link Requests.open}, to be sent as `stamped`. */
export interface OpenRequest<T> {
  readonly id: number;
  readonly stamped: T;
  /** Settles with the reply, the timeout, the signal's reason, or the error passed to `reject`. */
  readonly reply: Promise<T>;
}

/** A waiting request as held here: methods, not Waiter's fields, keep `FramedChannel<T>` assignable to `FramedChannel<unknown>`. */
interface PendingRequest<T> {
  resolve(reply: T): void;
  reject(error: unknown): void;
}

/**
 * The requests waiting for replies: correlation ids (1 to 2^31-1, then round again), a timeout
 * and an optional abort signal each, and the match of a received message to its request. No I/O:
 * the channel sends what `open` stamps and offers every received message to `resolveReply`.
 */
export class Requests<T> {
  readonly #correlation: Correlation<T> | undefined;
  readonly #defaultTimeout: number;
  readonly #pending = new Map<number, PendingRequest<T>>();
  #lastId = 0;

  constructor(correlation: Correlation<T> | undefined, defaultTimeout: number) {
    this.#correlation = correlation;
    this.#defaultTimeout = defaultTimeout;
  }

  /** Requests waiting for their reply. */
  get size(): number {
    return this.#pending.size;
  }

  /**
   * Checks `options`, stamps `message` with a fresh id and registers it. Throws, registering
   * nothing, for bad options, a channel without correlation, an aborted signal, or whatever
   * `assertReplyCanArrive` throws.
   */
  open(message: T, options: RequestOptions | undefined, assertReplyCanArrive: () => void): OpenRequest<T> {
    const checked = checkOptions('options', options, ['timeout', 'signal']);
    const signal = checkSignal('options.signal', checked.signal);
    const correlation = this.#correlation;
    if (correlation === undefined)
      throw new InvalidStateError('request() needs the correlation option of framed()');
    signal?.throwIfAborted();
    assertReplyCanArrive();
    const timeout = checkDelay('options.timeout', checked.timeout ?? this.#defaultTimeout);
    const id = (this.#lastId % 0x7fff_ffff) + 1;
    const stamped = correlation.stamp(message, id);
    this.#lastId = id;
    const waiter = new Waiter<T>(timeout, signal, (_, reason) => {
      this.#pending.delete(id);
      // An Error captures a stack: made only when it is the one rejected with.
      return reason === 'timeout' ? new RequestTimeoutError(timeout) : undefined;
    });
    this.#pending.set(id, waiter);
    return { id, stamped, reply: waiter.promise };
  }

  /** Settles the request that `message` answers; false when it answers none (an unsolicited message). */
  resolveReply(message: T): boolean {
    if (this.#pending.size === 0) return false;
    const id = this.#correlation?.replyTo(message);
    const waiter = id === undefined ? undefined : this.#pending.get(id);
    if (waiter === undefined) return false;
    this.#pending.delete(id!);
    waiter.resolve(message);
    return true;
  }

  /** Fails the request `id` (its send failed), if it still waits. */
  reject(id: number, error: unknown): void {
    const waiter = this.#pending.get(id);
    if (waiter === undefined) return;
    this.#pending.delete(id);
    waiter.reject(error);
  }

  /** Fails every waiting request with `error`. */
  rejectAll(error: Error): void {
    const waiters = [...this.#pending.values()];
    this.#pending.clear();
    for (const waiter of waiters) waiter.reject(error);
  }
}
