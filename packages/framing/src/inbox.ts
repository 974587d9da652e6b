import { InvalidStateError } from '@sockkit/core';
import { Fifo } from '@sockkit/core/internals';

/** Where reading stands once the queue is empty: more may come, the iteration is done, or it fails with the error. */
export type ReadState = 'open' | 'done' | Error;

/** What an {@link Inbox} asks of the connection under it. */
export interface InboxFlow {
  /** Where reading stands now. */
  state(): ReadState;
  /** Stops reading from the connection (the queue is full). */
  pause(): void;
  /** Reads on (the queue drained to half); the inbox is no longer paused when this runs. */
  resume(): void;
}

interface Reader<T> {
  resolve(result: IteratorResult<T, undefined>): void;
  reject(error: unknown): void;
}

/**
 * The receiving half of a channel: received messages in order for one reader at a time, queued
 * while nobody reads. The channel pauses it when the queue is full (see `queueDecision`); it
 * resumes itself once the reader has taken the queue down to half of `maxQueued`, so reading
 * does not stop and start at every message. No I/O: `flow` does the pausing.
 */
export class Inbox<T> {
  /** Messages queued before the channel pauses reading. */
  readonly maxQueued: number;
  readonly #flow: InboxFlow;
  readonly #messages = new Fifo<T>();
  #reader: Reader<T> | null = null;
  #paused = false;

  constructor(maxQueued: number, flow: InboxFlow) {
    this.maxQueued = maxQueued;
    this.#flow = flow;
  }

  /** Messages received and not read yet. */
  get length(): number {
    return this.#messages.length;
  }

  /** True while reading is paused because the queue filled up. */
  get paused(): boolean {
    return this.#paused;
  }

  /** Hands `message` to the waiting reader, or queues it. */
  push(message: T): void {
    const reader = this.#reader;
    if (reader === null) {
      this.#messages.push(message);
    } else {
      this.#reader = null;
      reader.resolve({ done: false, value: message });
    }
  }

  /**
   * The next message: a queued one at once, else the end or failure of reading once the queue is
   * empty, else a wait for the next `push`. A second reader while one waits is refused.
   */
  next(): Promise<IteratorResult<T, undefined>> {
    const messages = this.#messages;
    if (messages.length > 0) {
      const value = messages.shift() as T;
      if (messages.length <= this.maxQueued / 2) this.resume();
      return Promise.resolve({ done: false, value });
    }
    const state = this.#flow.state();
    if (state instanceof Error) return Promise.reject(state);
    if (state === 'done') return Promise.resolve({ done: true, value: undefined });
    if (this.#reader !== null)
      return Promise.reject(new InvalidStateError('The channel is already being iterated'));
    return new Promise((resolve, reject) => {
      this.#reader = { resolve, reject };
    });
  }

  /** Reading ended or failed: a waiting reader gets the outcome. */
  wake(): void {
    const reader = this.#reader;
    if (reader === null) return;
    this.#reader = null;
    this.next().then(reader.resolve, reader.reject);
  }

  /** Stops reading from the connection until {@link resume}. */
  pause(): void {
    this.#paused = true;
    this.#flow.pause();
  }

  /** Reads on if paused and reading is still open. */
  resume(): void {
    if (!this.#paused || this.#flow.state() !== 'open') return;
    this.#paused = false;
    this.#flow.resume();
  }
}
