import { BrokenPipeError, InvalidArgumentError } from '@sockkit/core';
import { bufferView, traced } from '@sockkit/core/internals';
import { announceClose, announceSkipped, requestChannel } from './channel-events.js';
import {
  type ChannelStats,
  channelOptions,
  closeTimeout,
  type FramedOptions,
  frameDecoderFor,
  type RequestOptions,
} from './channel-options.js';
import { type MessageCodec, messagePayload } from './codec.js';
import { DECODE_SLICE } from './constants.js';
import type { FrameDecoder } from './decoder.js';
import { encodeFrameChunks, encodeFrames, encodePieces } from './encoder.js';
import { ChannelClosedError, CloseTimeoutError, isInvalidMessage, RequestBlockedError } from './errors.js';
import type { FrameFormat } from './format.js';
import { BATCHED_PAYLOAD } from './frame-batch.js';
import { GracefulClose } from './graceful-close.js';
import { Inbox, type ReadState } from './inbox.js';
import { Outbox, refuse } from './outbox.js';
import { ReadDeadlines } from './read-deadlines.js';
import { type OpenRequest, queueDecision, Requests, requestBlocked } from './requests.js';
import { type FramedConnection, type Transport, transportOf } from './transport.js';

export type { ChannelStats, Correlation, FramedOptions, RequestOptions } from './channel-options.js';
export type { FramedConnection } from './transport.js';

/**
 * Typed, framed messages over one connection. Create with {@link framed}.
 *
 * - `send` waits while the connection's write buffer is full, so a slow reader never makes the
 *   sender buffer without bound.
 * - Iterate it for received messages; when nobody iterates, at most `maxQueuedMessages` are
 *   queued and the connection stops reading (twice that while `request()`s wait for replies).
 * - Any failure (bad frame, bad message, read deadline, connection error) closes this channel
 *   only, and is thrown by the iterator and by pending calls.
 */
export class FramedChannel<T> implements AsyncIterable<T>, AsyncDisposable {
  readonly #transport: Transport;
  readonly #format: FrameFormat;
  readonly #codec: MessageCodec<T> | undefined;
  readonly #decoder: FrameDecoder;
  readonly #skipInvalid: boolean;
  /** `piecesFrom` is set: large frames come and go as lists of chunks. */
  readonly #inPieces: boolean;
  readonly #requests: Requests<T>;
  readonly #deadlines: ReadDeadlines;
  readonly #inbox: Inbox<T>;
  readonly #outbox: Outbox;
  readonly #gracefulClose: GracefulClose;

  #ended = false;
  #closing = false;
  /** The one close in progress or done, shared by every `close()` call. */
  #closed: Promise<void> | null = null;
  #failure: Error | null = null;
  #framesInChunk = 0;
  /** The rest of a chunk not decoded yet because the receive queue filled up. */
  #undecoded: Uint8Array | null = null;
  /** The peer ended while #undecoded waited: the end comes once it is decoded. */
  #endAfterUndecoded = false;

  #received = 0;
  #skipped = 0;
  /** As given to `framed`, named in diagnostics events. */
  readonly #connection: FramedConnection;

  /** @internal use {@link framed}. */
  constructor(connection: FramedConnection, given: FramedOptions<T> | undefined) {
    const options = channelOptions(given);
    this.#format = options.format;
    this.#codec = options.codec;
    this.#skipInvalid = options.skipInvalid;
    this.#decoder = frameDecoderFor(options);
    this.#inPieces = options.piecesFrom !== undefined;
    this.#requests = new Requests(options.correlation, options.requestTimeout);
    this.#deadlines = new ReadDeadlines(options.frameTimeout, options.idleTimeout, (error) =>
      this.#fail(error),
    );
    this.#inbox = new Inbox<T>(options.maxQueuedMessages, {
      state: () => this.#readState(),
      pause: () => {
        this.#transport.pause();
        this.#deadlines.stop();
      },
      resume: () => this.#resumeReading(),
    });
    this.#connection = connection;
    this.#transport = transportOf(connection);
    this.#outbox = new Outbox(this.#transport, options, (error) => this.#fail(error));
    this.#gracefulClose = new GracefulClose(this.#transport, this.#outbox);
    this.#deadlines.startIdle();
    this.#transport.start({
      data: (chunk) => {
        if (this.#gracefulClose.lingering) return;
        this.#deadlines.received();
        this.#decode(chunk);
      },
      end: () => this.#onEnd(),
      error: (error) => this.#fail(error),
      close: () => this.#fail(this.#closedError()),
      drain: () => this.#outbox.flush(),
    });
  }

  /** Counters of received, sent and skipped messages, and the requests waiting for replies. */
  get stats(): ChannelStats {
    return {
      messagesReceived: this.#received,
      messagesSent: this.#outbox.messagesSent,
      skipped: this.#skipped + this.#decoder.skippedFrames,
      pendingRequests: this.#requests.size,
      queuedSendBytes: this.#outbox.queuedBytes,
    };
  }

  /** The error that closed the channel, or `null` while it is open or after a clean close. */
  get error(): Error | null {
    return this.#closedCleanly() ? null : this.#failure;
  }

  /**
   * Sends one message and resolves once the connection accepted it, waiting first while its
   * write buffer is full. Concurrent (even un-awaited) sends queue in order behind that wait, so
   * a fan-out to a slow reader holds its messages, not a write buffer that grows without bound.
   * Rejects with `MessageValidationError` for a message of the wrong shape, `FrameTooLargeError`
   * for one over `maxFrameLength`, `ChannelClosedError` once closed. A send refused because the
   * channel closed or failed never becomes an unhandled rejection when nobody awaits it (a peer
   * that resets mid-fan-out must not crash the process): the failure is the channel's `error`.
   */
  send(message: T): Promise<void> {
    let chunks: Uint8Array[];
    try {
      this.#assertOpen();
      if (this.#inPieces && Array.isArray(message))
        return this.#outbox.write(encodePieces(message, this.#format), 1);
      const payload = messagePayload(this.#codec, message);
      if (payload.length <= BATCHED_PAYLOAD) return this.#outbox.writeFrame(payload);
      chunks = encodeFrameChunks(payload, this.#format);
    } catch (error) {
      return refuse(error);
    }
    return this.#outbox.write(chunks, 1);
  }

  /** Sends several messages in one write (one syscall for many small frames); waits like {@link send}. */
  sendMany(messages: readonly T[]): Promise<void> {
    let frames: Uint8Array;
    try {
      if (!Array.isArray(messages)) throw new InvalidArgumentError('messages', 'an array', messages);
      this.#assertOpen();
      const payloads = messages.map((message) => messagePayload(this.#codec, message));
      frames = encodeFrames(payloads, this.#format);
    } catch (error) {
      return refuse(error);
    }
    return this.#outbox.write([frames], messages.length);
  }

  /**
   * Sends `message` stamped with a fresh correlation id and resolves with the reply to it (which
   * is not delivered to the iterator). Rejects with `RequestTimeoutError` after the timeout, with
   * the signal's reason when aborted, with `ChannelClosedError` if the channel closes first.
   *
   * Replies reach their requests even while nobody iterates the channel: the channel reads on
   * past `maxQueuedMessages` unsolicited messages while requests wait, up to twice that many.
   * If the queue reaches that bound first, waiting (and new) requests reject with
   * `RequestBlockedError` instead of hanging until their timeout: iterate the channel.
   *
   * @example
   * ```ts
   * const channel = framed(socket, { codec, correlation: {
   *   stamp: (request, id) => ({ ...request, id }),
   *   replyTo: (message) => (message.type === 'reply' ? message.id : undefined),
   * } });
   * const reply = await channel.request({ type: 'get', key: 'a' }, { timeout: 5_000 });
   * ```
   */
  request(message: T, options?: RequestOptions): Promise<T> {
    return traced(
      requestChannel,
      () => ({ channel: this }),
      () => this.#request(message, options),
    );
  }

  #request(message: T, options?: RequestOptions): Promise<T> {
    let request: OpenRequest<T>;
    // Everything that can throw runs before the request is registered, and becomes a rejection.
    try {
      request = this.#requests.open(message, options, () => {
        // Its reply could never come: the end of the stream rejected the requests waiting then.
        if (this.#ended) throw new ChannelClosedError('The peer ended the stream');
        const { length, maxQueued, paused } = this.#inbox;
        if (requestBlocked(paused, length, maxQueued)) throw new RequestBlockedError(length);
      });
    } catch (error) {
      return Promise.reject(error);
    }
    // The reply is behind the unread messages on the stream: read on (see #limitQueue).
    this.#inbox.resume();
    this.send(request.stamped).catch((error: unknown) => this.#requests.reject(request.id, error));
    return request.reply;
  }

  /** Received messages in order; ends when the peer ends the stream or the channel is closed, throws the error that failed it. */
  [Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    return this.#inbox.messages();
  }

  /**
   * Received messages in batches: each step yields every message received and not read yet (at
   * least one, in order): one promise per batch instead of one per message. Otherwise the
   * iterator's rules: one reader at a time (of either form), no reading while nobody asks, ends
   * when the peer ends or the channel closes, throws the error that failed it after the messages
   * before it; `break` stops the iteration, not the channel.
   *
   * @example
   * ```ts
   * for await (const batch of channel.batches()) for (const message of batch) handle(message);
   * ```
   */
  batches(): AsyncGenerator<T[], void, undefined> {
    return this.#inbox.batches();
  }

  /**
   * Closes gracefully: flushes what was sent, queued sends included, ends the write side and waits for the peer to
   * end too (discarding what it still sends, so no reset drops the flushed bytes), then closes the connection; all
   * within `timeout` ms (default 5 s). Pending requests reject with `ChannelClosedError`; messages already received
   * can still be iterated. Every call returns the same promise, settled once the first call has finished. It never
   * rejects but for bad options: when the flush does not finish in time, the connection is closed all the same and
   * `error` is a `CloseTimeoutError` (bytes not yet written were dropped; the iterator throws it after the messages).
   */
  close(options?: { readonly timeout?: number }): Promise<void> {
    if (this.#closed === null) {
      try {
        // #closeGracefully is async: only the options check can throw here.
        this.#closed = this.#closeGracefully(closeTimeout(options));
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return this.#closed;
  }

  async #closeGracefully(timeout: number): Promise<void> {
    if (this.#failure !== null) return;
    this.#closing = true;
    this.#deadlines.end();
    this.#requests.rejectAll(new ChannelClosedError());
    const flushed = await this.#gracefulClose.run(timeout, () => this.#ended);
    this.#fail(flushed ? new ChannelClosedError() : new CloseTimeoutError(timeout));
  }

  /** `await using channel = framed(...)` closes it. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #assertOpen(): void {
    if (this.#closing || this.#failure !== null) {
      throw new ChannelClosedError(undefined, this.#failure === null ? undefined : { cause: this.#failure });
    }
    if (this.#transport.writableEnded || this.#transport.destroyed)
      throw new ChannelClosedError('The connection no longer accepts writes');
  }

  /** Decodes `chunk` slice by slice, keeping the rest for later once the receive queue is full. */
  #decode(chunk: Uint8Array): void {
    for (let offset = 0; offset < chunk.length; ) {
      const end = Math.min(offset + DECODE_SLICE, chunk.length);
      this.#framesInChunk = 0;
      try {
        const slice = end - offset === chunk.length ? chunk : chunk.subarray(offset, end);
        this.#decoder.pushEach(slice, this.#onFrame, this.#onPieces);
      } catch (error) {
        this.#fail(error);
        return;
      }
      offset = end;
      this.#deadlines.decoded(this.#decoder.inFrame, this.#framesInChunk > 0);
      this.#limitQueue();
      if (this.#inbox.paused && offset < chunk.length) {
        this.#undecoded = chunk.subarray(offset);
        return;
      }
    }
  }

  /** Pauses reading once the receive queue is full, and fails waiting requests at the blocking bound (see queueDecision). */
  #limitQueue(): void {
    const { length, maxQueued } = this.#inbox;
    const decision = queueDecision(length, maxQueued, this.#requests.size);
    if (decision === 'read') return;
    if (decision === 'block') this.#requests.rejectAll(new RequestBlockedError(length));
    this.#inbox.pause();
  }

  readonly #onFrame = (bytes: Uint8Array, start: number, end: number): void => {
    this.#framesInChunk++;
    const payload = bufferView(bytes, start, end);
    let message = payload as T;
    if (this.#codec !== undefined) {
      try {
        message = this.#codec.decode(payload);
      } catch (error) {
        if (!this.#skipInvalid || !isInvalidMessage(error)) throw error;
        this.#skipped++;
        announceSkipped(this, this.#connection, error);
        return;
      }
    }
    this.#deliver(message);
  };

  /** A large frame, uncopied (`piecesFrom`, so no codec). */
  readonly #onPieces = (pieces: Uint8Array[]): void => {
    this.#framesInChunk++;
    this.#deliver(pieces as T);
  };

  #deliver(message: T): void {
    this.#received++;
    if (this.#requests.resolveReply(message)) return;
    this.#inbox.push(message);
  }

  #onEnd(): void {
    if (this.#gracefulClose.lingering) {
      this.#gracefulClose.stopWaiting(); // what the peer sent after close() was discarded
      return;
    }
    // A paused Duplex still ends: the stream ends after the rest of the chunk in hand.
    this.#endAfterUndecoded = this.#undecoded !== null;
    if (this.#endAfterUndecoded) return;
    try {
      this.#decoder.end();
    } catch (error) {
      this.#fail(error);
      return;
    }
    this.#ended = true;
    this.#deadlines.end();
    this.#requests.rejectAll(new ChannelClosedError('The peer ended the stream'));
    this.#inbox.wake();
  }

  /** Where reading stands for the iterator once its queue is empty: a clean end is done, a failure is thrown. */
  #readState(): ReadState {
    const failure = this.#failure;
    if (failure !== null && !this.#closedCleanly()) return failure;
    return this.#ended || this.#closing || failure !== null ? 'done' : 'open';
  }

  /** Closed by `close()` or after the peer ended the stream, not by an error. */
  #closedCleanly(): boolean {
    return (this.#ended || this.#closing) && this.#failure instanceof ChannelClosedError;
  }

  /** Reads on: the rest of the chunk that filled the queue first, then the connection. */
  #resumeReading(): void {
    this.#deadlines.startIdle();
    this.#deadlines.decoded(this.#decoder.inFrame, this.#framesInChunk > 0);
    const undecoded = this.#undecoded;
    if (undecoded !== null) {
      this.#undecoded = null;
      this.#decode(undecoded);
      if (this.#inbox.paused || this.#failure !== null) return;
    }
    if (this.#endAfterUndecoded) this.#onEnd();
    else this.#transport.resume();
  }

  /**
   * The connection closed under the channel: clean unless sends were still queued, which are
   * lost as to a broken pipe (over a `net.Socket` without `allowHalfOpen`, the peer's end ends it).
   */
  #closedError(): Error {
    const queued = this.#outbox.queuedBytes;
    if (queued === 0) return new ChannelClosedError('The connection closed');
    return new BrokenPipeError(`The connection closed with ${queued} bytes of sends still queued`);
  }

  /** Closes this channel (and only it) with `error`; the first failure wins. */
  #fail(error: unknown): void {
    if (this.#failure !== null) return;
    this.#failure = error instanceof Error ? error : new Error(String(error));
    this.#deadlines.end();
    this.#requests.rejectAll(this.#failure);
    this.#outbox.rejectAll(new ChannelClosedError(undefined, { cause: this.#failure }));
    if (!this.#transport.destroyed) this.#transport.destroy();
    this.#gracefulClose.stopWaiting();
    this.#inbox.wake();
    announceClose(this, this.#connection);
  }
}
