import { InvalidOptionError, ReceiveTimeoutError } from './errors.js';

/** Bounds of an endpoint's receive queue; whichever is reached first applies. */
export interface QueueOptions {
  /** Most datagrams waiting to be read. Default 1,024. */
  readonly maxDatagrams?: number;
  /** Most payload bytes waiting to be read. Default 4 MiB. */
  readonly maxBytes?: number;
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

interface Waiter<T> {
  resolve(item: T): void;
  reject(error: unknown): void;
}

let captured: (value: never) => void = () => {};
/** The one executor of the waiting promises: it hands out `resolve` without a closure per call. */
function capture(resolve: (value: never) => void): void {
  captured = resolve;
}

/** A waiting `nextResult`: settles its promise with an iterator result, `done` when the queue closes. */
class ResultWaiter<T> implements Waiter<T> {
  readonly promise: Promise<IteratorResult<T, undefined>>;
  readonly #settle: (result: IteratorResult<T, undefined>) => void;

  constructor() {
    this.promise = new Promise(capture);
    this.#settle = captured as (result: IteratorResult<T, undefined>) => void;
  }

  resolve(value: T): void {
    this.#settle({ done: false, value });
  }

  reject(): void {
    this.#settle(DONE);
  }
}

/**
 * A FIFO of received items bounded in count and bytes. A full queue drops the newest item and
 * counts it (UDP semantics: the kernel does the same when its buffer is full); it never grows.
 * A reader waiting when an item arrives gets it directly.
 */
export class ReceiveQueue<T> {
  readonly maxItems: number;
  readonly maxBytes: number;
  /** Items refused because the queue was full. */
  dropped = 0;
  /** Bytes of the refused items. */
  droppedBytes = 0;
  #items: T[] = [];
  #sizes: number[] = [];
  #head = 0;
  #bytes = 0;
  #waiters: Waiter<T>[] = [];
  #closed: unknown;

  constructor(maxItems: number, maxBytes: number) {
    if (!Number.isInteger(maxItems) || maxItems < 1) {
      throw new InvalidOptionError('queue.maxDatagrams', 'an integer >= 1', maxItems);
    }
    if (!Number.isInteger(maxBytes) || maxBytes < 1) {
      throw new InvalidOptionError('queue.maxBytes', 'an integer >= 1', maxBytes);
    }
    this.maxItems = maxItems;
    this.maxBytes = maxBytes;
  }

  /** Items waiting now. */
  get length(): number {
    return this.#items.length - this.#head;
  }

  /** Bytes waiting now. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Queues `item` of `size` bytes or hands it to a waiting reader; returns false when it was dropped. */
  push(item: T, size: number): boolean {
    const waiter = this.#waiters.shift();
    if (waiter !== undefined) {
      waiter.resolve(item);
      return true;
    }
    if (this.#closed !== undefined || this.length >= this.maxItems || this.#bytes + size > this.maxBytes) {
      this.dropped++;
      this.droppedBytes += size;
      return false;
    }
    this.#items.push(item);
    this.#sizes.push(size);
    this.#bytes += size;
    return true;
  }

  /** The oldest waiting item, if any. */
  shift(): T | undefined {
    if (this.#head === this.#items.length) return undefined;
    const item = this.#items[this.#head] as T;
    this.#bytes -= this.#sizes[this.#head] as number;
    this.#head++;
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#sizes = [];
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#sizes = this.#sizes.slice(this.#head);
      this.#head = 0;
    }
    return item;
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
    if (timeout === null && signal === undefined) {
      // The common wait, without timer or listener: a reader that can only be fed or closed.
      return new Promise<T>((resolve, reject) => this.#waiters.push({ resolve, reject }));
    }
    return new Promise<T>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const settle = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const waiter: Waiter<T> = {
        resolve: (item) => {
          settle();
          resolve(item);
        },
        reject: (error) => {
          settle();
          reject(error);
        },
      };
      const abandon = (error: unknown) => {
        const index = this.#waiters.indexOf(waiter);
        if (index !== -1) this.#waiters.splice(index, 1);
        waiter.reject(error);
      };
      const onAbort = () => abandon(signal?.reason);
      if (timeout !== null)
        timer = setTimeout(() => abandon(new ReceiveTimeoutError(reportedTimeout ?? timeout)), timeout);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  /**
   * The next item as an iterator result, `done` once the queue is closed and empty: `next()` of an
   * async iterator without the extra promise that wrapping {@link next}'s result would cost.
   */
  nextResult(): Promise<IteratorResult<T, undefined>> {
    const ready = this.shift();
    if (ready !== undefined) return Promise.resolve({ done: false, value: ready });
    if (this.#closed !== undefined) return Promise.resolve(DONE);
    const waiter = new ResultWaiter<T>();
    this.#waiters.push(waiter);
    return waiter.promise;
  }

  /** Rejects every waiting reader with `reason`; items already queued can still be read. */
  close(reason: unknown): void {
    this.#closed = reason;
    for (const waiter of this.#waiters.splice(0)) waiter.reject(reason);
  }
}
