import { InvalidStateError } from '@sockkit/core';
import { DONE, iteratorOf } from './plain-iterator.js';

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

/** Read messages at the head of the queue's array before it is compacted (see #shift). */
const COMPACT_FROM = 1024;

const NO_READER = 0;
const MESSAGE_READER = 1;
const BATCH_READER = 2;

/**
 * The receiving half of a channel: received messages in order for one reader at a time (of
 * single messages, {@link next}, or of batches, {@link nextBatch}), queued while nobody reads. The channel pauses it when the queue is full (see `queueDecision`); it
 * resumes itself once the reader has taken the queue down to half of `maxQueued`, so reading
 * does not stop and start at every message. No I/O: `flow` does the pausing.
 */
export class Inbox<T> {
  /** Messages queued before the channel pauses reading. */
  readonly maxQueued: number;
  readonly #flow: InboxFlow;
  /**
   * Messages received and not read, from #head on: a plain array, so that a batch reader takes
   * it whole (the messages of a decoded chunk, uncopied) and a new one starts.
   */
  #messages: T[] = [];
  #head = 0;
  /** Which kind of reader waits in #reader or #batchReader. */
  #waiting = NO_READER;
  #reader: Reader<T> | null = null;
  #batchReader: Reader<T[]> | null = null;
  /** The iterator whose read waits, if it named itself: its return() ends the wait. */
  #readerOwner: object | null = null;
  #paused = false;

  constructor(maxQueued: number, flow: InboxFlow) {
    this.maxQueued = maxQueued;
    this.#flow = flow;
  }

  /** Messages received and not read yet. */
  get length(): number {
    return this.#messages.length - this.#head;
  }

  /** True while reading is paused because the queue filled up. */
  get paused(): boolean {
    return this.#paused;
  }

  /**
   * Hands `message` to the waiting reader, or queues it. A waiting batch reader gets every message
   * pushed in the same synchronous run (one decoded chunk) as one batch, in a microtask.
   */
  push(message: T): void {
    const waiting = this.#waiting;
    if (waiting === MESSAGE_READER) {
      const reader = this.#reader!;
      this.#reader = null;
      this.#waiting = NO_READER;
      reader.resolve({ done: false, value: message });
      return;
    }
    const messages = this.#messages;
    messages.push(message);
    if (waiting === BATCH_READER && messages.length === 1) queueMicrotask(this.#handOverBatch);
  }

  readonly #handOverBatch = (): void => {
    const reader = this.#batchReader;
    if (reader === null || this.length === 0) return;
    this.#batchReader = null;
    this.#waiting = NO_READER;
    this.nextBatch().then(reader.resolve, reader.reject);
  };

  /**
   * The next message: a queued one at once, else the end or failure of reading once the queue is
   * empty, else a wait for the next `push`. A second reader while one waits is refused. `owner`
   * names the iterator reading, whose return() ends the wait.
   */
  next(owner: object | null = null): Promise<IteratorResult<T, undefined>> {
    if (this.length > 0) {
      const value = this.#shift();
      if (this.length <= this.maxQueued / 2) this.resume();
      return Promise.resolve({ done: false, value });
    }
    const state = this.#flow.state();
    if (state instanceof Error) return Promise.reject(state);
    if (state === 'done') return Promise.resolve({ done: true, value: undefined });
    if (this.#waiting !== NO_READER) return alreadyIterated();
    this.#waiting = MESSAGE_READER;
    this.#readerOwner = owner;
    return new Promise((resolve, reject) => {
      this.#reader = { resolve, reject };
    });
  }

  /**
   * Every queued message as one array (at least one message), else the end or failure of
   * reading, else a wait for the messages of the next decoded chunk. One promise per batch
   * instead of one per message; the queue is empty afterwards, so reading resumes. The same
   * single-reader rule as {@link next}: one reader of either kind waits at a time.
   */
  nextBatch(owner: object | null = null): Promise<IteratorResult<T[], undefined>> {
    if (this.length > 0) {
      const head = this.#head;
      const value = head === 0 ? this.#messages : this.#messages.slice(head);
      this.#messages = [];
      this.#head = 0;
      this.resume();
      return Promise.resolve({ done: false, value });
    }
    const state = this.#flow.state();
    if (state instanceof Error) return Promise.reject(state);
    if (state === 'done') return Promise.resolve({ done: true, value: undefined });
    if (this.#waiting !== NO_READER) return alreadyIterated();
    this.#waiting = BATCH_READER;
    this.#readerOwner = owner;
    return new Promise((resolve, reject) => {
      this.#batchReader = { resolve, reject };
    });
  }

  /** Takes the oldest message; the array starts over once read to its end, and sheds its read part once that is most of it. */
  #shift(): T {
    const messages = this.#messages;
    const head = this.#head;
    const message = messages[head] as T;
    if (head + 1 === messages.length) {
      this.#messages = [];
      this.#head = 0;
    } else if (head >= COMPACT_FROM && 2 * head >= messages.length) {
      this.#messages = messages.slice(head + 1);
      this.#head = 0;
    } else {
      messages[head] = undefined as T; // not kept alive by the queue once read
      this.#head = head + 1;
    }
    return message;
  }

  /** An iterator of {@link next}: one promise per message (see iteratorOf: about 2x the throughput of an `async *` generator for small messages). */
  messages(): AsyncGenerator<T, void, undefined> {
    return this.#iterate((owner) => this.next(owner));
  }

  /** An iterator of {@link nextBatch}. */
  batches(): AsyncGenerator<T[], void, undefined> {
    return this.#iterate((owner) => this.nextBatch(owner));
  }

  /**
   * An iterator over `read` that ends once left (`return`, `break`): it stops reading, not the
   * channel, and its read still waiting ends as done, so it takes no message another reader awaits.
   */
  #iterate<R>(
    read: (owner: object) => Promise<IteratorResult<R, undefined>>,
  ): AsyncGenerator<R, void, undefined> {
    const owner = {};
    let finished = false;
    return iteratorOf(
      () => (finished ? Promise.resolve(DONE) : read(owner)),
      () => {
        finished = true;
        this.#release(owner);
      },
    );
  }

  /** Ends the wait of `owner`'s read, if one waits, as done. */
  #release(owner: object): void {
    if (this.#waiting === NO_READER || this.#readerOwner !== owner) return;
    const reader = this.#waiting === MESSAGE_READER ? this.#reader! : this.#batchReader!;
    this.#waiting = NO_READER;
    this.#reader = null;
    this.#batchReader = null;
    reader.resolve(DONE);
  }

  /** Reading ended or failed: a waiting reader gets the outcome. */
  wake(): void {
    const waiting = this.#waiting;
    if (waiting === NO_READER) return;
    this.#waiting = NO_READER;
    if (waiting === MESSAGE_READER) {
      const reader = this.#reader!;
      this.#reader = null;
      this.next().then(reader.resolve, reader.reject);
    } else {
      const reader = this.#batchReader!;
      this.#batchReader = null;
      this.nextBatch().then(reader.resolve, reader.reject);
    }
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

function alreadyIterated(): Promise<never> {
  return Promise.reject(new InvalidStateError('The channel is already being iterated'));
}
