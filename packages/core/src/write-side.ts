import type { Socket } from 'node:net';
import { finished } from 'node:stream';
import { callSafely } from './callback.js';
import {
  BlockingIOError,
  BrokenPipeError,
  InvalidStateError,
  SocketClosedError,
  SocketTimeoutError,
} from './errors.js';
import { Fifo } from './fifo.js';
import type { StreamWriter } from './stream-writer.js';
import { checkBytes, checkFunction } from './validate.js';
import {
  abortReason,
  type BlockingOptions,
  checkBlocking,
  effectiveTimeout,
  listWaiter,
  type Waiter,
  WaiterList,
  waitIn,
} from './waiter.js';

/** `sendAll` hands Node at most this much per write while it waits for the write buffer to drain. */
export const SEND_ALL_SLICE = 64 * 1024;

/** Marks a writer waiting for `'drain'` (others wait for a write callback). */
const DRAIN = -1;
/** Marks a `sendAll` waiting for its turn to write: the one before it is still writing slices. */
const TURN = -2;

/** What a `sendAll` whose bytes the kernel took at once returns: one settled promise for all. */
const WRITTEN: Promise<undefined> = Promise.resolve(undefined);

/** What a {@link WriteSide} needs of its stream socket, without reaching into its private state. */
export interface WriteOwner {
  /** Whether the socket is connected and has not failed: the fast path's cheap check. */
  isOpen(): boolean;
  /** Throws the typed error for why the socket cannot send (closed, failed, not connected), if any. */
  assertOpen(): void;
  /** The socket's own timeout, for calls without one. */
  timeout(): number | null;
  /** Records a write failure as the connection's and returns its typed form. */
  fail(error: unknown): unknown;
}

/**
 * The send side of a stream socket, as the read buffer is its receive side: `send`, `sendAll`,
 * the writers waiting for `'drain'` or their turn, the write side's shutdown, and the
 * {@link StreamWriter} a byte transport writes through. It holds the Node socket while one is
 * attached; everything else about the connection's state it asks its {@link WriteOwner}.
 */
export class WriteSide {
  readonly #owner: WriteOwner;
  #socket: Socket | undefined;
  #shut = false;
  /** Writers waiting for `'drain'` ({@link DRAIN}), their turn ({@link TURN}) or a write callback (0). */
  readonly #writers = new WaiterList<Waiter<void>>();
  /** A sliced `sendAll` is writing its slices: later `sendAll`s wait for their turn, so none interleave. */
  #turnTaken = false;
  /** Resolve and reject functions of fast-path `sendAll`s, in write order. */
  readonly #resolvers = new Fifo<((value: undefined) => void) | undefined>();
  readonly #rejecters = new Fifo<((reason: unknown) => void) | undefined>();
  /** Made on first use by `streamWriter`; `#drained` is its drain listener. */
  #writer: StreamWriter | undefined;
  #drained: (() => void) | undefined;

  constructor(owner: WriteOwner) {
    this.#owner = owner;
  }

  /** Whether Node's write buffer is past its high-water mark (`StreamSocket.writeBlocked`). */
  get blocked(): boolean {
    return this.#socket?.writableNeedDrain ?? false;
  }

  /** Whether a sliced `sendAll` holds the turn (its slices are still going out). */
  get turnTaken(): boolean {
    return this.#turnTaken;
  }

  /** Writes to `socket` from now on. */
  attach(socket: Socket): void {
    this.#socket = socket;
    socket.on('drain', this.#onDrain);
  }

  /** Writes to nothing any more (the socket is gone). */
  detach(): void {
    this.#socket?.off('drain', this.#onDrain);
    this.#socket = undefined;
  }

  /** See `StreamSocket.send`. */
  async send(data: Uint8Array, options?: BlockingOptions): Promise<number> {
    const bytes = checkBytes('data', data);
    checkBlocking(options);
    const socket = this.writableSocket();
    if (bytes.length === 0) return 0;
    let room = socket.writableHighWaterMark - socket.writableLength;
    if (room <= 0) {
      await waitIn(this.#writers, options, this.#owner.timeout(), DRAIN, 'send');
      room = Math.max(socket.writableHighWaterMark - socket.writableLength, 1);
      this.writableSocket();
    }
    const count = Math.min(room, bytes.length);
    // A copy, as the kernel takes one: Node may still hold the bytes when this resolves, and the
    // caller may then refill its buffer (Python's send-and-reuse loop).
    socket.write(Buffer.from(count === bytes.length ? bytes : bytes.subarray(0, count)));
    return count;
  }

  /** See `StreamSocket.sendAll`. */
  sendAll(data: Uint8Array, options?: BlockingOptions): Promise<void> {
    const socket = this.#socket;
    if (
      options === undefined &&
      data instanceof Uint8Array &&
      data.length <= SEND_ALL_SLICE &&
      socket !== undefined &&
      !this.#shut &&
      !this.#turnTaken &&
      !socket.writableNeedDrain &&
      this.#owner.timeout() === null &&
      this.#owner.isOpen()
    ) {
      // The common case, one write with no deadline. Node calls write callbacks in order, also
      // when the socket is destroyed, so one shared callback settles a queue of these.
      socket.write(data, this.#onWritten);
      if (socket.writableLength === 0 && socket.errored === null) {
        // The kernel took every byte during write(): done now, without waiting a tick for the
        // callback, which then finds no one to settle.
        this.#resolvers.push(undefined);
        this.#rejecters.push(undefined);
        return WRITTEN;
      }
      return new Promise<undefined>(this.#queueWrite);
    }
    return this.#sendAllInSlices(data, options);
  }

  /**
   * Ends the write side (FIN after the written bytes) and rejects the writers that wait to write
   * (for `'drain'` or their turn): Node emits no `'drain'` after it, so they would wait forever.
   * Writers waiting for a write callback stay: their bytes are queued and still flushed.
   */
  shutdown(socket: Socket): void {
    if (this.#shut) return;
    this.#shut = true;
    socket.end();
    const error = new BrokenPipeError('the socket was shut down for writing');
    for (const writer of this.#writers.take((waiter) => waiter.size === DRAIN || waiter.size === TURN)) {
      writer.reject(error);
    }
  }

  /** Rejects every waiting writer with `error` (the connection failed or closed). */
  failWriters(error: unknown): void {
    for (const writer of this.#writers.drain()) writer.reject(error);
  }

  /** The {@link StreamWriter} over this write side, made once. */
  writer(): StreamWriter {
    this.#writer ??= this.#makeWriter();
    return this.#writer;
  }

  /** The connected Node socket; throws the typed error when it cannot be written to. */
  writableSocket(): Socket {
    this.#owner.assertOpen();
    const socket = this.#socket!;
    if (this.#shut || socket.writableEnded) {
      throw new BrokenPipeError('cannot send after shutdown of the write side');
    }
    return socket;
  }

  /** The executor of a fast-path `sendAll` promise: one function per socket, no closure per call. */
  readonly #queueWrite = (resolve: (value: undefined) => void, reject: (reason: unknown) => void): void => {
    this.#resolvers.push(resolve);
    this.#rejecters.push(reject);
  };

  /** Settles the oldest fast-path `sendAll` (nothing to settle when it returned at once). */
  readonly #onWritten = (error?: Error | null): void => {
    const resolve = this.#resolvers.shift();
    const reject = this.#rejecters.shift();
    if (error) reject?.(this.#owner.fail(error));
    else resolve?.(undefined);
  };

  readonly #onDrain = (): void => {
    for (const writer of this.#writers.take((waiter) => waiter.size === DRAIN)) writer.resolve();
    const drained = this.#drained;
    if (drained !== undefined) callSafely(drained, undefined, this.#onListenerError);
  };

  /** A failing drain listener fails the connection (its error is typed as a socket error). */
  readonly #onListenerError = (error: unknown): void => {
    this.#socket?.destroy(error instanceof Error ? error : new Error(String(error)));
  };

  /**
   * `sendAll` with backpressure and a deadline over the whole call: writes slices while Node's
   * write buffer has room, waits for `'drain'` when it is full, and resolves in the last slice's
   * write callback. A timeout's error carries `bytesSent` (queued bytes cannot be taken back).
   * Concurrent calls take turns, so each call's bytes reach the wire in one piece, in call order.
   */
  async #sendAllInSlices(data: Uint8Array, options?: BlockingOptions): Promise<void> {
    const bytes = checkBytes('data', data);
    let socket = this.writableSocket();
    const timeout = effectiveTimeout(options, this.#owner.timeout());
    const signal = options?.signal;
    if (signal?.aborted) throw abortReason(signal);
    if (bytes.length === 0) return;
    const deadline = timeout === null ? null : performance.now() + timeout;
    let sent = 0;
    const remaining = (): number | null =>
      deadline === null ? null : Math.max(deadline - performance.now(), 1);
    const waitFor = (what: number) =>
      waitIn(
        this.#writers,
        { timeout: remaining(), ...(signal ? { signal } : {}) },
        this.#owner.timeout(),
        what,
        'sendAll',
      );
    try {
      if (this.#turnTaken) {
        if (timeout === 0) throw new BlockingIOError(undefined, { bytesSent: 0 });
        await waitFor(TURN);
      }
      this.#turnTaken = true;
      let written: Waiter<void>;
      try {
        // The socket may have failed or shut down while this call waited for its turn.
        socket = this.writableSocket();
        for (;;) {
          if (socket.writableNeedDrain) {
            if (timeout === 0) throw new BlockingIOError(undefined, { bytesSent: sent });
            await waitFor(DRAIN);
            this.writableSocket();
          }
          const end = Math.min(sent + Math.max(SEND_ALL_SLICE, socket.writableHighWaterMark), bytes.length);
          const slice = sent === 0 && end === bytes.length ? bytes : bytes.subarray(sent, end);
          if (end < bytes.length) {
            socket.write(slice);
            sent = end;
            continue;
          }
          written = listWaiter(this.#writers, timeout === 0 ? null : remaining(), signal, 0, 'sendAll');
          const last = written;
          socket.write(slice, (error) => {
            // Settled already when it timed out, was aborted, or the socket failed or closed.
            if (last.settled) return;
            if (error) last.reject(this.#owner.fail(error));
            else last.resolve();
            this.#writers.noteSettled();
          });
          sent = end;
          break;
        }
      } finally {
        // Every slice is queued in order (or the call failed): the next sendAll may write behind it.
        this.#passTurn();
      }
      await written.promise;
    } catch (error) {
      if (error instanceof SocketTimeoutError && error.bytesSent !== sent) {
        throw new SocketTimeoutError(`sendAll timed out after ${timeout} ms with ${sent} bytes sent`, {
          bytesSent: sent,
        });
      }
      throw error;
    }
  }

  /** Hands the turn to the oldest `sendAll` waiting for it (which then holds it), else frees it. */
  #passTurn(): void {
    const [next] = this.#writers.take((writer) => writer.size === TURN, 1);
    if (next === undefined) this.#turnTaken = false;
    else next.resolve();
  }

  #makeWriter(): StreamWriter {
    const side = this;
    return {
      get writableNeedDrain() {
        return side.blocked;
      },
      write: (chunk) => {
        const socket = this.writableSocket();
        if (socket.destroyed) throw new SocketClosedError('connection was closed');
        return socket.write(chunk);
      },
      cork: () => this.#socket?.cork(),
      uncork: () => this.#socket?.uncork(),
      onDrain: (listener) => {
        checkFunction('listener', listener);
        if (this.#drained !== undefined)
          throw new InvalidStateError('this socket already has a drain listener');
        this.#drained = listener;
        return () => {
          if (this.#drained === listener) this.#drained = undefined;
        };
      },
      end: (then) => {
        const socket = this.#socket;
        if (socket === undefined || !this.#owner.isOpen()) {
          process.nextTick(then);
          return;
        }
        this.shutdown(socket);
        finished(socket, { readable: false }, () => then());
      },
    };
  }
}
