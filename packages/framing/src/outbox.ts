import { Fifo } from '@sockkit/core/internals';
import { frameLength } from './encoder.js';
import { ChannelClosedError, SendQueueFullError, SendTimeoutError } from './errors.js';
import { type FrameFormat, FrameFormats } from './format.js';
import { FrameBatch } from './frame-batch.js';

/** The writable side of a connection, as an {@link Outbox} uses it (a Node `Duplex` is one). */
export interface WriteSink {
  /** True once the write buffer reached its high-water mark, until `'drain'`. */
  readonly writableNeedDrain: boolean;
  write(chunk: Uint8Array): boolean;
  cork(): void;
  uncork(): void;
}

/** Limits of an {@link Outbox}. */
export interface OutboxLimits {
  /** Bytes that may wait behind a full write buffer (one write of any size always may). */
  readonly maxQueuedSendBytes: number;
  /** Milliseconds queued writes may wait without the sink draining; `null` waits forever. */
  readonly sendTimeout: number | null;
  /** The format {@link Outbox.writeFrame} encodes in. Default `FrameFormats.uint32BE`. */
  readonly format?: FrameFormat;
}

/** A send waiting for the write buffer to drain: its chunks, or (from `writeFrame`) small frames gathered in `frames`, one promise for them all. */
interface QueuedWrite {
  readonly chunks: readonly Uint8Array[];
  readonly frames: FrameBatch | null;
  messages: number;
  bytes: number;
  readonly settled: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

/** What a send that went to the sink at once returns: one settled promise shared by all. */
const WRITTEN = Promise.resolve();

/**
 * The sending half of a channel: frames go to the sink at once while its write buffer has room,
 * and wait in order behind a full one, bounded in bytes (`SendQueueFullError`) and in time
 * without progress (`SendTimeoutError`); `flush()` on `'drain'` writes them on. Every write of a
 * tick goes into one corked batch, uncorked on `process.nextTick`: the socket then writes many
 * small frames with one `writev` instead of a syscall each (one `send()` per 32 B message over
 * TCP loopback: 0.34-0.48 M messages/s before, 0.35-0.71 M after, bench/small-messages.ts).
 * `writeFrame` goes further for small frames: it encodes them back to back into one buffer
 * ({@link FrameBatch}), so a tick's many frames cost one allocation and one write, and a send
 * that goes out at once returns one shared settled promise; behind a full write buffer, small
 * frames gather up to 64 KiB per queued write with one promise each. The timer is the only I/O
 * it owns; `onFail` hears of the limit that was passed.
 */
export class Outbox {
  readonly #sink: WriteSink;
  readonly #limits: OutboxLimits;
  readonly #onFail: (error: Error) => void;
  readonly #queue = new Fifo<QueuedWrite>();
  readonly #format: FrameFormat;
  /** Small frames of this tick, written before anything else goes to the sink. */
  readonly #batch: FrameBatch;
  /** The last queued write, while small frames may still join it. */
  #openQueued: QueuedWrite | null = null;
  #queuedBytes = 0;
  /** Bytes of the last batch of small frames flushed from the queue, until a new queued batch is sized by it. */
  #flushedBatchBytes = 0;
  #messagesSent = 0;
  #sendTimer: NodeJS.Timeout | null = null;
  #corked = false;
  /** Runs once the queued writes are all written (graceful close). */
  #onFlushed: (() => void) | null = null;

  constructor(sink: WriteSink, limits: OutboxLimits, onFail: (error: Error) => void) {
    this.#sink = sink;
    this.#limits = limits;
    this.#onFail = onFail;
    this.#format = limits.format ?? FrameFormats.uint32BE;
    this.#batch = new FrameBatch(this.#format);
  }

  /** Bytes of writes waiting behind the full write buffer now. */
  get queuedBytes(): number {
    return this.#queuedBytes;
  }

  /** Messages handed to the sink. */
  get messagesSent(): number {
    return this.#messagesSent;
  }

  /**
   * Writes `chunks` (one or more frames, `messages` of them) now if nothing waits and the write
   * buffer is below its high-water mark, else queues them; resolves once they went to the sink.
   * Past `maxQueuedSendBytes` it fails (`onFail`) and rejects with `ChannelClosedError`.
   */
  write(chunks: readonly Uint8Array[], messages: number): Promise<void> {
    if (this.#queue.length === 0 && !this.#sink.writableNeedDrain) {
      this.#writeNow(chunks, messages);
      return Promise.resolve();
    }
    let bytes = 0;
    for (const chunk of chunks) bytes += chunk.length;
    const refused = this.#admit(bytes);
    if (refused !== null) return refused;
    this.#openQueued = null;
    return this.#enqueue(chunks, null, messages, bytes).settled;
  }

  /**
   * Sends the frame of one small `payload` (at most `BATCHED_PAYLOAD` bytes), encoded in the
   * format into this tick's batch when nothing waits and the write buffer has room, else queued
   * like {@link write}. Throws `FrameTooLargeError` before anything is written.
   */
  writeFrame(payload: Uint8Array): Promise<void> {
    if (this.#queue.length === 0 && !this.#sink.writableNeedDrain) {
      const batch = this.#batch;
      if (batch.append(payload) === 0) {
        const full = batch.take();
        batch.renewFor(payload);
        this.#corkForTick();
        if (full !== null) this.#sink.write(full);
      } else {
        this.#corkForTick();
      }
      this.#messagesSent++;
      return WRITTEN;
    }
    const bytes = frameLength(payload.length, this.#format);
    const refused = this.#admit(bytes);
    if (refused !== null) return refused;
    let queued = this.#openQueued;
    // A queued batch starts at its first frame and grows, so its memory stays within twice the
    // bytes counted against maxQueuedSendBytes however sends of other kinds split the queue;
    // except, when nothing else waits, the first after a flush: sized for twice the batch flushed
    // (a steady sender fills that much again, without doublings and copies from its first frame).
    // So at most one queued batch holds more than twice its bytes, by at most 64 KiB.
    if (queued === null || queued.frames!.appendGrowing(payload) === 0) {
      const ahead = this.#queue.length === 0 ? 2 * this.#flushedBatchBytes : 0;
      const frames = new FrameBatch(this.#format, ahead);
      this.#flushedBatchBytes = 0;
      frames.renewFor(payload);
      queued = this.#openQueued = this.#enqueue([], frames, 0, 0);
    }
    queued.messages++;
    queued.bytes += bytes;
    return queued.settled;
  }

  /** Counts `bytes` more as queued, or fails the channel past `maxQueuedSendBytes` and returns the refusal. */
  #admit(bytes: number): Promise<never> | null {
    const queuedBytes = this.#queuedBytes + bytes;
    const limit = this.#limits.maxQueuedSendBytes;
    if (this.#queuedBytes > 0 && queuedBytes > limit) {
      const error = new SendQueueFullError(queuedBytes, limit);
      this.#onFail(error);
      return refuse(new ChannelClosedError(undefined, { cause: error }));
    }
    this.#queuedBytes = queuedBytes;
    this.#startSendTimer();
    return null;
  }

  #enqueue(
    chunks: readonly Uint8Array[],
    frames: FrameBatch | null,
    messages: number,
    bytes: number,
  ): QueuedWrite {
    let resolve!: () => void;
    let reject!: (error: unknown) => void;
    const settled = new Promise<void>((resolveWrite, rejectWrite) => {
      resolve = resolveWrite;
      reject = rejectWrite;
    });
    settled.catch(ignore); // only ever rejected by rejectAll: the channel failed (see refuse)
    const queued: QueuedWrite = { chunks, frames, messages, bytes, settled, resolve, reject };
    this.#queue.push(queued);
    return queued;
  }

  /** Writes queued sends in order until the write buffer needs draining again (call on `'drain'`). */
  flush(): void {
    this.#sendTimer?.refresh(); // the peer read: progress
    const queue = this.#queue;
    while (queue.length > 0 && !this.#sink.writableNeedDrain) {
      const queued = queue.shift()!;
      if (queued === this.#openQueued) this.#openQueued = null;
      this.#queuedBytes -= queued.bytes;
      const { frames } = queued;
      if (frames !== null) this.#flushedBatchBytes = queued.bytes;
      this.#writeNow(frames === null ? queued.chunks : [frames.take()!], queued.messages);
      queued.resolve();
    }
    if (queue.length === 0) {
      this.#clearSendTimer();
      const flushed = this.#onFlushed;
      if (flushed !== null) {
        this.#onFlushed = null;
        this.#uncork();
        flushed();
      }
    }
  }

  /** Runs `then` once nothing waits: now, or after the flush that writes the last queued send. */
  afterQueuedWrites(then: () => void): void {
    this.#uncork();
    if (this.#queue.length === 0) then();
    else this.#onFlushed = then;
  }

  /**
   * Rejects every queued send with `error` (the channel failed). What was written in this tick
   * goes to the connection first, as it would have without corking.
   */
  rejectAll(error: Error): void {
    this.#uncork();
    for (const queued of this.#queue.drain()) queued.reject(error);
    this.#openQueued = null;
    this.#queuedBytes = 0;
    this.#onFlushed = null;
    this.#clearSendTimer();
  }

  #writeNow(chunks: readonly Uint8Array[], messages: number): void {
    const sink = this.#sink;
    this.#corkForTick();
    const batched = this.#batch.take(); // accepted before these chunks
    if (batched !== null) sink.write(batched);
    for (const chunk of chunks) sink.write(chunk);
    this.#messagesSent += messages;
  }

  #corkForTick(): void {
    if (this.#corked) return;
    this.#corked = true;
    this.#sink.cork();
    process.nextTick(this.#uncorkAtTickEnd);
  }

  readonly #uncorkAtTickEnd = (): void => this.#uncork();

  /** Writes this tick's batch of small frames and uncorks. */
  #uncork(): void {
    if (!this.#corked) return;
    this.#corked = false;
    const batched = this.#batch.take();
    if (batched !== null) this.#sink.write(batched);
    this.#sink.uncork();
  }

  #startSendTimer(): void {
    const timeout = this.#limits.sendTimeout;
    if (timeout === null || this.#sendTimer !== null) return;
    this.#sendTimer = setTimeout(() => this.#onFail(new SendTimeoutError(timeout)), timeout).unref();
  }

  #clearSendTimer(): void {
    if (this.#sendTimer !== null) clearTimeout(this.#sendTimer);
    this.#sendTimer = null;
  }
}

/**
 * Rejects a send: quietly when the channel is closed (a send refused because the channel closed
 * or failed must not become an unhandled rejection when nobody awaits it; the failure is the
 * channel's `error`), loudly for the caller's own errors.
 */
export function refuse(error: unknown): Promise<never> {
  const refused = Promise.reject(error);
  if (error instanceof ChannelClosedError) refused.catch(ignore);
  return refused;
}

function ignore(): void {}
