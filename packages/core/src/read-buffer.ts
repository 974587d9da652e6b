import { callSafely } from './callback.js';
import { log } from './channels.js';
import { ChunkQueue } from './chunk-queue.js';
import { InvalidStateError } from './errors.js';
import { checkPositiveInteger } from './validate.js';
import { type BlockingOptions, checkBlocking, type Waiter, WaiterList, waitIn } from './waiter.js';

/** What a read buffer pauses and resumes: a Node socket's reading. */
export interface Pausable {
  pause(): unknown;
  resume(): unknown;
}

/** What a read buffer asks of its stream socket before it reads. */
export interface ReadOwner {
  /** Throws once the socket is closed: checked first, so after `close()` a read is EBADF even after a FIN. */
  assertNotClosed(): void;
  /** Throws the connection's failure, or why it is not connected: checked once nothing waits and the stream has not ended. */
  assertReadable(): void;
}

/** What `recv` resolves with at end of stream. */
export const EMPTY = new Uint8Array(0);

/**
 * The receive side of a stream socket: received bytes waiting for `recv`, and `recv`s waiting for
 * bytes. Once `highWaterMark` bytes wait it pauses its source, so TCP flow control stalls the
 * sender instead of the heap growing; reading below the mark resumes it.
 */
export class ReadBuffer {
  readonly highWaterMark: number;
  readonly #owner: ReadOwner;
  /** `recv`s waiting for bytes, oldest first; each waiter's `size` is its `bufsize`. */
  readonly readers = new WaiterList<Waiter<Uint8Array>>();
  readonly #queue = new ChunkQueue();
  #source: Pausable | undefined;
  #paused = false;
  #ended = false;
  #shut = false;
  /** Cued when bytes wait, at end of stream and when reading fails (`StreamSocket.onReadable`). */
  readable: (() => void) | undefined;
  /** What a failing `readable` listener threw, for the next read (see {@link takeListenerFailure}). */
  #listenerFailure: unknown;

  constructor(highWaterMark: number, owner: ReadOwner) {
    this.highWaterMark = highWaterMark;
    this.#owner = owner;
  }

  /** Bytes waiting. */
  get size(): number {
    return this.#queue.size;
  }

  /** Whether the peer ended the stream (FIN): once the bytes before it are read, reads give {@link EMPTY}. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Whether reading was shut down (`shutdown('read')`): received bytes are dropped from then on. */
  get shut(): boolean {
    return this.#shut;
  }

  /** Whether the source is paused because `highWaterMark` bytes wait. */
  get paused(): boolean {
    return this.#paused;
  }

  /** Reads from `source` from now on. */
  attach(source: Pausable): void {
    this.#source = source;
  }

  /** Pauses and resumes nothing any more (the socket is gone). */
  detach(): void {
    this.#source = undefined;
  }

  /**
   * Received bytes: handed to the oldest waiting `recv` as they are when nothing is queued and
   * they fit, else queued and handed out in order. Pauses the source at the mark.
   */
  push(chunk: Uint8Array): void {
    const readers = this.readers;
    const queue = this.#queue;
    const reader = readers.peek();
    if (reader !== undefined && queue.size === 0 && chunk.length <= reader.size) {
      readers.shift();
      reader.resolve(chunk);
      return;
    }
    queue.push(chunk);
    for (
      let next = readers.shift();
      next !== undefined;
      next = queue.size > 0 ? readers.shift() : undefined
    ) {
      next.resolve(this.take(next.size));
    }
    if (queue.size >= this.highWaterMark && !this.#paused) {
      log?.(
        'backpressure: read paused at %d waiting bytes (highWaterMark %d)',
        queue.size,
        this.highWaterMark,
      );
      this.pause();
    }
    if (queue.size > 0) this.#cue();
  }

  /** 1..`bufsize` waiting bytes (some must wait); resumes the source once below the mark. */
  take(bufsize: number): Uint8Array {
    const taken = this.#queue.take(bufsize);
    if (this.#paused && this.#queue.size < this.highWaterMark) {
      log?.('backpressure: read resumed at %d waiting bytes', this.#queue.size);
      this.resume();
    }
    return taken;
  }

  /** Stops reading from the source: its bytes stay in the kernel. */
  pause(): void {
    if (this.#paused) return;
    this.#paused = true;
    this.#source?.pause();
  }

  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#source?.resume();
  }

  /** Drops the waiting bytes (the read side was shut down, or the socket closed). */
  clear(): void {
    this.#queue.clear();
  }

  /**
   * `StreamSocket.tryRecv`: 1..`bufsize` waiting bytes, {@link EMPTY} once the stream ended or
   * reading was shut down, `undefined` when none wait yet; throws what `recv` would reject with.
   */
  tryTake(bufsize: number): Uint8Array | undefined {
    checkPositiveInteger('bufsize', bufsize);
    this.#owner.assertNotClosed();
    if (this.#queue.size > 0) return this.take(bufsize);
    const listenerFailure = this.takeListenerFailure();
    if (listenerFailure !== undefined) throw listenerFailure;
    if (this.#shut || this.#ended) return EMPTY;
    this.#owner.assertReadable();
    return undefined;
  }

  /**
   * `StreamSocket.recv`: what {@link tryTake} gives, else a wait in {@link readers} for the next
   * bytes, within the timeout of `options` (else `socketTimeout`); rejects with what it throws.
   */
  receive(
    bufsize: number,
    options: BlockingOptions | undefined,
    socketTimeout: number | null,
  ): Promise<Uint8Array> {
    try {
      checkBlocking(options);
      const chunk = this.tryTake(bufsize);
      if (chunk !== undefined) return Promise.resolve(chunk);
      return waitIn(this.readers, options, socketTimeout, bufsize, 'recv');
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Sets the one readable listener (`StreamSocket.onReadable`); the result removes it. */
  listen(listener: () => void): () => void {
    if (this.readable !== undefined)
      throw new InvalidStateError('this socket already has a readable listener');
    this.readable = listener;
    return () => {
      if (this.readable === listener) this.readable = undefined;
    };
  }

  /** The peer ended the stream: waiting `recv`s get the end. */
  end(): void {
    this.#ended = true;
    this.endReaders();
  }

  /**
   * Shuts reading down: waiting bytes are dropped, and the source is resumed and its bytes
   * discarded from now on, so the peer is never stalled by bytes nobody reads.
   */
  shutdown(): void {
    this.#shut = true;
    this.clear();
    this.resume();
    this.endReaders();
  }

  /** Resolves every waiting `recv` with the end of stream, and cues the readable listener. */
  endReaders(): void {
    for (const reader of this.readers.drain()) reader.resolve(EMPTY);
    this.#cue();
  }

  /** Rejects every waiting `recv` with `error`, and cues the readable listener. */
  failReaders(error: unknown): void {
    for (const reader of this.readers.drain()) reader.reject(error);
    this.#cue();
  }

  /** What a failing readable listener threw, once: the next read reports it. */
  takeListenerFailure(): unknown {
    const failure = this.#listenerFailure;
    this.#listenerFailure = undefined;
    return failure;
  }

  /** Calls the readable listener, guarded: it runs inside Node's `'data'` event. */
  #cue(): void {
    const listener = this.readable;
    if (listener !== undefined) callSafely(listener, undefined, this.#onListenerFailed);
  }

  /** A failing readable listener: its error rejects the waiting `recv`, or else the next read. */
  readonly #onListenerFailed = (error: unknown): void => {
    const reader = this.readers.shift();
    if (reader !== undefined) reader.reject(error);
    else this.#listenerFailure ??= error;
  };
}
