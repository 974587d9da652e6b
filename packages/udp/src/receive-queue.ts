import {
  capturingPromise,
  checkPositiveInteger,
  Fifo,
  lastResolver,
  neverExpires,
  Waiter,
  WaiterList,
} from '@sockkit/core/internals';
import { ReceiveTimeoutError } from './errors.js';
import { PollPhase } from './poll-phase.js';

/** Bounds of an endpoint's receive queue; whichever is reached first applies. */
export interface QueueOptions {
  /** Most datagrams waiting to be read. Default 1,024. */
  readonly maxDatagrams?: number;
  /** Most payload bytes waiting to be read. Default 4 MiB. */
  readonly maxBytes?: number;
}

/** An async iterator whose `return()` is always there. */
export interface QueueIterator<T> extends AsyncIterator<T, undefined> {
  return(): Promise<IteratorReturnResult<undefined>>;
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/** A waiting `nextResult`: settles its promise with an iterator result, `done` when the queue closes. */
export class ResultWaiter<T> {
  readonly promise: Promise<IteratorResult<T, undefined>>;
  readonly #settle: (result: IteratorResult<T, undefined>) => void;
  settled = false;

  constructor() {
    this.promise = capturingPromise<IteratorResult<T, undefined>>();
    this.#settle = lastResolver<IteratorResult<T, undefined>>();
  }

  resolve(value: T): void {
    this.settled = true;
    this.#settle({ done: false, value });
  }

  reject(): void {
    this.settled = true;
    this.#settle(DONE);
  }
}

/**
 * A FIFO of received items bounded in count and bytes. A full queue drops the newest item and
 * counts it (UDP semantics: the kernel does the same when its buffer is full); it never grows
 * past its bounds by more than the items waiting readers are about to take.
 *
 * A reader waiting when an item arrives gets it directly when it is the first hand-off of the
 * event loop's poll phase; items that arrive later in the phase wait in the queue, and waiting
 * readers get them together at the check phase (see {@link PollPhase}).
 */
export class ReceiveQueue<T> {
  readonly maxItems: number;
  readonly maxBytes: number;
  /** Items refused because the queue was full. */
  dropped = 0;
  /** Bytes of the refused items. */
  droppedBytes = 0;
  readonly #items = new Fifo<T>();
  readonly #sizes = new Fifo<number>();
  #bytes = 0;
  readonly #waiters = new WaiterList<Waiter<T> | ResultWaiter<T>>();
  #closed: unknown;
  readonly #phase = new PollPhase(() => this.#handQueued());

  constructor(maxItems: number, maxBytes: number) {
    this.maxItems = checkPositiveInteger('options.queue.maxDatagrams', maxItems);
    this.maxBytes = checkPositiveInteger('options.queue.maxBytes', maxBytes);
  }

  /** Items waiting now. */
  get length(): number {
    return this.#items.length;
  }

  /** Bytes waiting now. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Queues `item` of `size` bytes or hands it to a waiting reader; returns false when it was dropped. */
  push(item: T, size: number): boolean {
    // While no hand-off is pending, a waiting reader means an empty queue: arrival order holds.
    const waiter = this.#phase.handedOff ? undefined : this.#waiters.shift();
    if (waiter !== undefined) {
      waiter.resolve(item);
      this.#phase.noteHandOff();
      return true;
    }
    if (this.#closed !== undefined || (!this.#claimedNext() && this.#full(size))) {
      this.dropped++;
      this.droppedBytes += size;
      return false;
    }
    this.#items.push(item);
    this.#sizes.push(size);
    this.#bytes += size;
    return true;
  }

  /** Whether a reader waits for the next item queued (it gets it at the check phase): the bounds are for items nobody waits for. */
  #claimedNext(): boolean {
    return this.length < this.#waiters.length;
  }

  /** Whether an item of `size` bytes finds the queue full. Items readers wait for still count in bytes, which errs on the safe side. */
  #full(size: number): boolean {
    return this.length - this.#waiters.length >= this.maxItems || this.#bytes + size > this.maxBytes;
  }

  /** The oldest waiting item, if any (readers already waiting for one get theirs first). */
  shift(): T | undefined {
    if (this.#items.length === 0) return undefined;
    if (this.#waiters.length > 0) this.#handQueued();
    return this.#take();
  }

  #take(): T | undefined {
    if (this.#items.length === 0) return undefined;
    this.#bytes -= this.#sizes.shift()!;
    return this.#items.shift();
  }

  /** Hands queued items to the readers waiting for them, oldest to oldest. */
  #handQueued(): void {
    while (this.#items.length > 0) {
      const waiter = this.#waiters.shift();
      if (waiter === undefined) return;
      waiter.resolve(this.#take()!);
    }
  }

  /**
   * The next item: at once when one waits, else when one arrives. Rejects with the close reason
   * once the queue is closed and empty, with {@link ReceiveTimeoutError} after `timeout` ms (its
   * message names `reportedTimeout`, the caller's whole budget), or with the signal's reason.
   */
  next(timeout: number | null, signal: AbortSignal | undefined, reportedTimeout = timeout): Promise<T> {
    const ready = this.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    if (this.#closed !== undefined) return Promise.reject(this.#closed);
    if (signal?.aborted) return Promise.reject(signal.reason);
    // An abandoned waiter is only counted as stale and skipped later: O(1), however many abort at once.
    const waiter =
      timeout === null && signal === undefined
        ? new Waiter<T>(null, undefined, neverExpires)
        : new Waiter<T>(timeout, signal, (_, reason) => {
            this.#waiters.noteSettled();
            return reason === 'timeout'
              ? new ReceiveTimeoutError(reportedTimeout ?? timeout ?? 0)
              : undefined;
          });
    this.#waiters.push(waiter);
    return waiter.promise;
  }

  /**
   * The next item as an iterator result, `done` once the queue is closed and empty: `next()` of an
   * async iterator without the extra promise that wrapping {@link next}'s result would cost. A
   * waiter it leaves is also added to `owned` (an iterator's own, see {@link iterator}).
   */
  nextResult(owned?: Fifo<ResultWaiter<T>>): Promise<IteratorResult<T, undefined>> {
    const ready = this.shift();
    if (ready !== undefined) return Promise.resolve({ done: false, value: ready });
    if (this.#closed !== undefined) return Promise.resolve(DONE);
    const waiter = new ResultWaiter<T>();
    this.#waiters.push(waiter);
    owned?.push(waiter);
    return waiter.promise;
  }

  /**
   * An async iterator over the items: `next()` as {@link nextResult}; `return()` ends it and
   * settles its pending `next()`s as done, so none of them takes an item another reader awaits.
   */
  iterator(): QueueIterator<T> {
    // Its waiters, oldest first; settled ones are pruned from the front as it goes.
    const mine = new Fifo<ResultWaiter<T>>();
    let returned = false;
    return {
      next: () => {
        if (returned) return Promise.resolve(DONE);
        while (mine.peek()?.settled) mine.shift();
        return this.nextResult(mine);
      },
      return: () => {
        returned = true;
        for (let waiter = mine.shift(); waiter !== undefined; waiter = mine.shift()) {
          if (waiter.settled) continue;
          waiter.reject();
          this.#waiters.noteSettled();
        }
        return Promise.resolve(DONE);
      },
    };
  }

  /** Hands queued items to waiting readers, then rejects the others with `reason`; the rest of the items can still be read. */
  close(reason: unknown): void {
    this.#closed = reason;
    this.#handQueued();
    for (const waiter of this.#waiters.drain()) waiter.reject(reason);
  }
}
