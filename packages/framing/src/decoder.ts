import {
  bufferView,
  checkBoolean,
  checkBytes,
  checkFunction,
  checkIntegerIn,
  checkOptions,
} from '@sockkit/core/internals';
import { FrameDecodeError, FrameTooLargeError, TruncatedFrameError } from './errors.js';
import { type FrameFormat, type FrameFormatOptions, maxHeaderLength, toFrameFormat } from './format.js';
import { FrameHeaderReader, tooLargeToSkip } from './header.js';
import { copyInto, PendingFrame } from './pending-frame.js';

/**
 * Receives each frame of {@link FrameDecoder.pushEach} as a range of a byte array, without a
 * view object per frame. `bytes` is the caller's chunk (frames wholly inside it) or a fresh copy
 * (frames that spanned chunks); it stays valid as long as the caller does not overwrite the chunk.
 */
export type FrameCallback = (bytes: Uint8Array, start: number, end: number) => void;

/**
 * Receives a frame of {@link FrameDecoderOptions.piecesFrom} bytes or more that spanned chunks,
 * uncopied: the views of its bytes in the chunks it arrived in, in order (small chunks gathered
 * into buffers of their own). Valid as long as the caller does not overwrite those chunks.
 */
export type PiecesCallback = (pieces: Uint8Array[]) => void;

/** Options of {@link FrameDecoder}. */
export interface FrameDecoderOptions {
  /**
   * Skip frames over `maxFrameLength` instead of throwing: their bytes are discarded as they
   * arrive (never buffered) and counted in {@link FrameDecoder.skippedFrames}. Default false.
   */
  readonly skipOversized?: boolean;
  /**
   * Largest oversized frame `skipOversized` skips, in payload bytes. A header declaring more fails
   * with {@link FrameTooLargeError} as if not skipping, since discarding it would mean reading
   * that many bytes (a varint or uint64 header can declare petabytes). Default four times
   * `maxFrameLength`.
   */
  readonly maxSkipLength?: number;
  /**
   * Frames of at least this many bytes that span chunks are not copied into one buffer: they go
   * to `pushEach`'s `onPieces` as the views of their chunks. For large frames that are written
   * on (to a file, another socket) rather than parsed: no allocation and no copy per frame, at
   * the price of a list instead of contiguous bytes, and of holding the chunks themselves.
   * `push`, and `pushEach` without `onPieces`, still join them (one copy). Default: never.
   */
  readonly piecesFrom?: number;
}

/** Default {@link FrameDecoderOptions.maxSkipLength}, as a multiple of `maxFrameLength`. */
const SKIP_LENGTH_FACTOR = 4;

/** What `#out` points to outside `push`, so the last batch is not retained. */
const NO_FRAMES: Uint8Array[] = [];

/**
 * A pure, incremental length-prefix frame decoder (no I/O, no timers): push chunks as they
 * arrive, get every complete payload back in order, whatever the chunking.
 *
 * - A frame wholly inside one chunk is returned as a view of that chunk (no copy); a frame that
 *   spans chunks is copied exactly once into its own buffer (see `PendingFrame`).
 * - A header declaring more than `maxFrameLength` fails with {@link FrameTooLargeError} as soon
 *   as the header is complete, before any payload is buffered. Memory held grows with bytes
 *   received, never with bytes declared ({@link FrameDecoder.bufferedBytes}).
 * - Bad input loses nothing: the payloads before a bad header are delivered first (`push`
 *   returns them and throws the error on the next call; `pushEach` hands them over, then throws).
 *   After an error the decoder is failed: every later `push` throws.
 *
 * @example
 * ```ts
 * const decoder = new FrameDecoder(FrameFormats.uint32BE);
 * socket.on('data', (chunk) => {
 *   for (const payload of decoder.push(chunk)) handle(payload);
 * });
 * socket.on('end', () => decoder.end()); // throws TruncatedFrameError mid-frame
 * ```
 */
export class FrameDecoder {
  /** The format this decoder reads. */
  readonly format: FrameFormat;

  readonly #header: FrameHeaderReader;
  readonly #maxFrameLength: number;
  readonly #skipOversized: boolean;
  /** Frames are handed out with their header (the format's `keepHeader`). */
  readonly #keepHeader: boolean;
  readonly #maxSkipLength: number;
  readonly #piecesFrom: number;

  /** Header bytes of the next frame, when its header is split across chunks. */
  readonly #head: Uint8Array;
  #headLength = 0;

  /** The frame that spans chunks, while one does. */
  readonly #pending = new PendingFrame();

  /** Bytes of an oversized frame still to skip. */
  #discarding = 0;
  #skipped = 0;
  #failure: Error | null = null;
  /** `push` returned frames instead of throwing #failure; the next call throws it. */
  #failureHeld = false;

  #sink: FrameCallback | null = null;
  #piecesSink: PiecesCallback | null = null;
  #out: Uint8Array[] = NO_FRAMES;
  #emitted = 0;

  /**
   * `format` is a {@link FrameFormat} (a preset or from `defineFrameFormat`) or the options of
   * one, validated here; default `FrameFormats.uint32BE`.
   */
  constructor(formatOrOptions?: FrameFormatOptions, options?: FrameDecoderOptions) {
    const format = toFrameFormat(formatOrOptions);
    const {
      skipOversized = false,
      maxSkipLength,
      piecesFrom,
    } = checkOptions('options', options, ['skipOversized', 'maxSkipLength', 'piecesFrom']);
    this.format = format;
    this.#maxFrameLength = format.maxFrameLength;
    this.#skipOversized = checkBoolean('options.skipOversized', skipOversized);
    this.#maxSkipLength =
      maxSkipLength === undefined
        ? Math.min(SKIP_LENGTH_FACTOR * format.maxFrameLength, Number.MAX_SAFE_INTEGER)
        : checkIntegerIn('options.maxSkipLength', maxSkipLength, 0, Number.MAX_SAFE_INTEGER);
    this.#piecesFrom =
      piecesFrom === undefined
        ? Number.POSITIVE_INFINITY
        : checkIntegerIn('options.piecesFrom', piecesFrom, 1, Number.MAX_SAFE_INTEGER);
    this.#keepHeader = format.keepHeader ?? false;
    this.#header = new FrameHeaderReader(format, {
      skipOversized: this.#skipOversized,
      maxSkipLength: this.#maxSkipLength,
      refuseCompressed: (format.compressedFlag ?? false) && !this.#keepHeader,
    });
    this.#head = new Uint8Array(maxHeaderLength(format));
  }

  /** Bytes of the unfinished frame held so far (its header included); 0 between frames. */
  get bufferedBytes(): number {
    const pending = this.#pending;
    if (pending.length >= 0) return pending.headerLength + pending.received;
    return this.#headLength;
  }

  /** Whether the stream is inside a frame (a header, payload or skipped frame has started and not ended). */
  get inFrame(): boolean {
    return this.#pending.length >= 0 || this.#headLength > 0 || this.#discarding > 0;
  }

  /** The error that failed the decoder (a bad header, or what `onFrame` threw), or `null`. */
  get error(): Error | null {
    return this.#failure;
  }

  /** Oversized frames skipped so far (only with `skipOversized`). */
  get skippedFrames(): number {
    return this.#skipped;
  }

  /**
   * Adds a chunk and returns the payloads it completed, in order (often none, often several).
   * Throws {@link FrameTooLargeError} or {@link FrameDecodeError} on a bad header. Nothing is
   * lost: when payloads completed earlier in the same chunk, they are returned first and the
   * error is held instead ({@link error} shows it); the next `push` or `end` throws it. When no
   * more data may arrive, check {@link error} after each `push`, or use {@link pushEach}, which
   * throws as soon as it has delivered the frames before the bad header (the adapters do).
   */
  push(chunk: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    this.#out = out;
    this.#sink = null;
    try {
      this.#run(chunk);
    } catch (error) {
      if (out.length === 0) throw error;
      this.#failureHeld = true;
    } finally {
      this.#out = NO_FRAMES;
    }
    return out;
  }

  /**
   * The hot-path form of {@link push}: calls `onFrame(bytes, start, end)` for each completed
   * payload, allocating no view per frame, and returns how many it completed. Frames before a
   * bad header have been delivered when the error is thrown. If `onFrame` throws, the decoder
   * fails with that error. With {@link FrameDecoderOptions.piecesFrom}, `onPieces` gets the
   * frames it covers, uncopied (without it, `onFrame` gets them joined).
   */
  pushEach(chunk: Uint8Array, onFrame: FrameCallback, onPieces?: PiecesCallback): number {
    this.#sink = typeof onFrame === 'function' ? onFrame : checkFunction<FrameCallback>('onFrame', onFrame);
    if (onPieces !== undefined) this.#piecesSink = checkFunction<PiecesCallback>('onPieces', onPieces);
    try {
      return this.#run(chunk);
    } finally {
      this.#sink = null;
      this.#piecesSink = null;
    }
  }

  /**
   * Declares the end of the stream. Throws {@link TruncatedFrameError} (with the bytes missing)
   * if it ended inside a header or payload; does nothing between frames.
   */
  end(): void {
    if (this.#failure !== null) {
      this.#throwHeldFailure();
      return;
    }
    let error: TruncatedFrameError | null = null;
    const pending = this.#pending;
    if (pending.length >= 0) {
      const received = pending.received;
      error = new TruncatedFrameError(pending.length - received, pending.headerLength + received);
    } else if (this.#discarding > 0) {
      error = new TruncatedFrameError(this.#discarding, 0);
    } else if (this.#headLength > 0) {
      const fixedLength = this.#header.fixedLength;
      const missing = fixedLength > 0 ? fixedLength - this.#headLength : 1;
      error = new TruncatedFrameError(missing, this.#headLength);
    }
    if (error !== null) this.#fail(error);
  }

  #run(chunk: Uint8Array): number {
    // A string has no `subarray`: refused here, before it could fail the decoder's state.
    if (!(chunk instanceof Uint8Array)) checkBytes('chunk', chunk);
    if (this.#failure !== null) {
      this.#throwHeldFailure();
      throw new FrameDecodeError('The frame decoder failed earlier and cannot continue', {
        cause: this.#failure,
      });
    }
    this.#emitted = 0;
    try {
      this.#consume(chunk);
    } catch (error) {
      this.#fail(error);
    }
    return this.#emitted;
  }

  /** Throws the failure that `push` held back to return the frames before it, once. */
  #throwHeldFailure(): void {
    if (!this.#failureHeld) return;
    this.#failureHeld = false;
    throw this.#failure;
  }

  #fail(error: unknown): never {
    this.#failure = error instanceof Error ? error : new Error(String(error));
    this.#pending.clear();
    throw error;
  }

  #emitPieces(pieces: Uint8Array[]): void {
    const sink = this.#piecesSink;
    if (sink === null) {
      const joined = Buffer.concat(pieces);
      this.#emit(joined, 0, joined.length);
      return;
    }
    this.#emitted++;
    sink(pieces);
  }

  #emit(bytes: Uint8Array, start: number, end: number): void {
    this.#emitted++;
    if (this.#sink !== null) this.#sink(bytes, start, end);
    else this.#out.push(bufferView(bytes, start, end));
  }

  #consume(chunk: Uint8Array): void {
    const length = chunk.length;
    let position = 0;
    if (this.#discarding > 0) {
      position = Math.min(length, this.#discarding);
      this.#discarding -= position;
    } else if (this.#pending.length >= 0) {
      position = this.#continuePayload(chunk, 0);
      if (this.#pending.length >= 0) return;
    } else if (this.#headLength > 0) {
      position = this.#continueHeader(chunk);
      if (position < 0) return;
    }
    // Fast path: frames whose header and payload both sit in this chunk are views of it.
    while (position < length) {
      const headerLength = this.#header.read(chunk, position, length);
      if (headerLength === 0) {
        this.#head.set(chunk.subarray(position, length));
        this.#headLength = length - position;
        return;
      }
      position = this.#startPayload(chunk, position + headerLength, headerLength);
      if (position < 0) return;
    }
  }

  /** Completes a header split across chunks; returns where the rest of `chunk` starts, or -1 if all of it was used. */
  #continueHeader(chunk: Uint8Array): number {
    const before = this.#headLength;
    const take = Math.min(this.#head.length - before, chunk.length);
    copyInto(this.#head, before, chunk, 0, take);
    this.#headLength = before + take;
    const headerLength = this.#header.read(this.#head, 0, this.#headLength);
    if (headerLength === 0) return -1;
    this.#headLength = 0;
    return this.#startPayload(chunk, headerLength - before, headerLength);
  }

  /**
   * Handles the payload whose header was just read and which starts at `start` of `chunk`:
   * emits it as a view if it is all there, else starts collecting it. Returns the position after
   * the frame, or -1 when `chunk` is used up.
   */
  #startPayload(chunk: Uint8Array, start: number, headerLength: number): number {
    const payloadLength = this.#header.declared;
    if (payloadLength > this.#maxFrameLength) {
      if (!this.#skipOversized) throw new FrameTooLargeError(payloadLength, this.#maxFrameLength);
      if (payloadLength > this.#maxSkipLength) {
        throw tooLargeToSkip(payloadLength, this.#maxFrameLength, this.#maxSkipLength);
      }
      this.#skipped++;
      const available = chunk.length - start;
      if (available >= payloadLength) return start + payloadLength;
      this.#discarding = payloadLength - available;
      return -1;
    }
    if (this.#keepHeader)
      return this.#startWithHeader(chunk, start - headerLength, headerLength + payloadLength);
    const end = start + payloadLength;
    if (end <= chunk.length) {
      this.#emit(chunk, start, end);
      return end;
    }
    this.#pending.begin(payloadLength, headerLength, payloadLength >= this.#piecesFrom);
    this.#continuePayload(chunk, start);
    return -1;
  }

  /**
   * {@link #startPayload} for a frame handed over with its header, which starts at `start`: before
   * `chunk` (a negative `start`) when the header began in an earlier chunk and sits in #head.
   */
  #startWithHeader(chunk: Uint8Array, start: number, length: number): number {
    const end = start + length;
    if (start >= 0 && end <= chunk.length) {
      this.#emit(chunk, start, end);
      return end;
    }
    const pending = this.#pending;
    pending.begin(length, 0, length >= this.#piecesFrom);
    if (start >= 0) {
      this.#continuePayload(chunk, start);
      return -1;
    }
    this.#continuePayload(this.#head.slice(0, -start), 0); // a copy: the next header reuses #head
    const next = this.#continuePayload(chunk, 0);
    return pending.length >= 0 ? -1 : next;
  }

  /** Adds `chunk` from `from` to the pending payload; returns where the rest of `chunk` starts (its end while the payload is incomplete). */
  #continuePayload(chunk: Uint8Array, from: number): number {
    const pending = this.#pending;
    const to = Math.min(chunk.length, from + pending.length - pending.received);
    if (pending.inPieces) {
      const pieces = pending.appendPiece(chunk, from, to);
      if (pieces !== null) this.#emitPieces(pieces);
    } else {
      const payload = pending.append(chunk, from, to);
      if (payload !== null) this.#emit(payload, 0, payload.length);
    }
    return to;
  }
}
