import { Transform, type TransformCallback } from 'node:stream';
import {
  ReadableStream,
  type ReadableStreamDefaultController,
  TransformStream,
  WritableStream,
} from 'node:stream/web';
import { bufferView } from '@sockkit/core/internals';
import { FrameDecoder, type FrameDecoderOptions } from './decoder.js';
import { encodeFrame } from './encoder.js';
import { type FrameFormatOptions, toFrameFormat } from './format.js';

/**
 * A Node `Transform` from bytes to payloads (object mode on the readable side: one payload per
 * read). Errors the stream with `FrameTooLargeError`/`FrameDecodeError` on a bad header, once the
 * payloads before it have been read, and with `TruncatedFrameError` if the input ends inside a
 * frame.
 *
 * @example
 * ```ts
 * await pipeline(socket, createFrameDecoderStream(FrameFormats.uint32BE), async (payloads) => {
 *   for await (const payload of payloads) handle(payload);
 * });
 * ```
 */
export function createFrameDecoderStream(
  format?: FrameFormatOptions,
  options?: FrameDecoderOptions,
): Transform {
  return new FrameDecoderStream(new FrameDecoder(format, options));
}

/**
 * Destroying a Transform drops the payloads it buffered, so an error that follows payloads of the
 * same chunk waits until the reader has taken them: the read that empties the buffer releases it.
 */
class FrameDecoderStream extends Transform {
  readonly #decoder: FrameDecoder;
  #held: { error: Error; callback: TransformCallback } | null = null;
  readonly #onFrame = (bytes: Uint8Array, start: number, end: number): void => {
    this.push(bufferView(bytes, start, end));
  };

  constructor(decoder: FrameDecoder) {
    super({ readableObjectMode: true });
    this.#decoder = decoder;
  }

  override _transform(chunk: Uint8Array, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.#decoder.pushEach(chunk, this.#onFrame);
    } catch (error) {
      this.#failAfterBuffered(error as Error, callback);
      return;
    }
    callback();
  }

  override _flush(callback: TransformCallback): void {
    try {
      this.#decoder.end();
    } catch (error) {
      this.#failAfterBuffered(error as Error, callback);
      return;
    }
    callback();
  }

  /** Errors the stream now if its buffer is empty, else once a read has emptied it. */
  #failAfterBuffered(error: Error, callback: TransformCallback): void {
    if (this.readableLength === 0) callback(error);
    else this.#held = { error, callback };
  }

  // `_read` is not called again while a read is outstanding, so the release happens here.
  override read(size?: number): unknown {
    const payload: unknown = super.read(size);
    const held = this.#held;
    if (held !== null && this.readableLength === 0) {
      this.#held = null;
      held.callback(held.error);
    }
    return payload;
  }
}

/** A Node `Transform` from payloads (object mode on the writable side) to framed bytes. */
export function createFrameEncoderStream(formatOrOptions?: FrameFormatOptions): Transform {
  const format = toFrameFormat(formatOrOptions);
  return new Transform({
    writableObjectMode: true,
    transform(payload: Uint8Array, _encoding, callback) {
      try {
        callback(null, encodeFrame(payload, format));
      } catch (error) {
        callback(error as Error);
      }
    },
  });
}

/**
 * A WHATWG `TransformStream` from bytes to payloads, for `readable.pipeThrough(...)`. The readable
 * side errors on a bad header once the payloads before it have been read (with
 * `TruncatedFrameError` if the input ends inside a frame); the writable side rejects at once.
 *
 * It is a `{ readable, writable }` pair rather than a `TransformStream` instance: erroring a
 * `TransformStream` discards the payloads it still queues, while this readable side errors only
 * when a read finds its queue empty.
 *
 * @example
 * ```ts
 * for await (const payload of response.body!.pipeThrough(frameDecoderTransform())) handle(payload);
 * ```
 */
export function frameDecoderTransform(
  format?: FrameFormatOptions,
  options?: FrameDecoderOptions,
): TransformStream<Uint8Array, Uint8Array> {
  const decoder = new FrameDecoder(format, options);
  let output!: ReadableStreamDefaultController<Uint8Array>;
  /** A decode error waiting for the reader to take the payloads queued before it. */
  let held: { error: unknown } | null = null;
  /** Resolves the write waiting for the reader to want more (backpressure). */
  let wanted: { resolve(): void; reject(error: unknown): void } | null = null;
  const enqueue = (bytes: Uint8Array, start: number, end: number) =>
    output.enqueue(bufferView(bytes, start, end));
  const fail = (error: unknown) => {
    if (output.desiredSize !== null && output.desiredSize < 0) held = { error };
    else output.error(error);
    throw error;
  };

  const readable = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        output = controller;
      },
      // Called when a read finds the queue empty.
      pull() {
        if (held !== null) output.error(held.error);
        wanted?.resolve();
        wanted = null;
      },
      cancel(reason) {
        wanted?.reject(reason);
        wanted = null;
      },
    },
    { highWaterMark: 0 },
  );
  const writable = new WritableStream<Uint8Array>({
    async write(chunk) {
      try {
        decoder.pushEach(chunk, enqueue);
      } catch (error) {
        fail(error);
      }
      if (output.desiredSize !== null && output.desiredSize < 0) {
        await new Promise<void>((resolve, reject) => {
          wanted = { resolve, reject };
        });
      }
    },
    close() {
      try {
        decoder.end();
      } catch (error) {
        fail(error);
      }
      output.close();
    },
    abort(reason) {
      output.error(reason);
    },
  });
  return { readable, writable };
}

/** A WHATWG `TransformStream` from payloads to framed bytes. */
export function frameEncoderTransform(
  formatOrOptions?: FrameFormatOptions,
): TransformStream<Uint8Array, Uint8Array> {
  const format = toFrameFormat(formatOrOptions);
  return new TransformStream<Uint8Array, Uint8Array>({
    transform(payload, controller) {
      controller.enqueue(encodeFrame(payload, format));
    },
  });
}
