import { Transform } from 'node:stream';
import { TransformStream } from 'node:stream/web';
import { FrameDecoder, type FrameDecoderOptions } from './decoder.js';
import { encodeFrame } from './encoder.js';
import { type FrameFormat, FrameFormats } from './format.js';

/**
 * A Node `Transform` from bytes to payloads (object mode on the readable side: one payload per
 * read). Errors the stream with `FrameTooLargeError`/`FrameDecodeError` on a bad header and with
 * `TruncatedFrameError` if the input ends inside a frame.
 *
 * @example
 * ```ts
 * await pipeline(socket, createFrameDecoderStream(FrameFormats.uint32BE), async (payloads) => {
 *   for await (const payload of payloads) handle(payload);
 * });
 * ```
 */
export function createFrameDecoderStream(
  format: FrameFormat = FrameFormats.uint32BE,
  options?: FrameDecoderOptions,
): Transform {
  const decoder = new FrameDecoder(format, options);
  return new Transform({
    readableObjectMode: true,
    transform(chunk: Uint8Array, _encoding, callback) {
      try {
        decoder.pushEach(chunk, (bytes, start, end) => this.push(bytes.subarray(start, end)));
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
    flush(callback) {
      try {
        decoder.end();
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
  });
}

/** A Node `Transform` from payloads (object mode on the writable side) to framed bytes. */
export function createFrameEncoderStream(format: FrameFormat = FrameFormats.uint32BE): Transform {
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
 * A WHATWG `TransformStream` from bytes to payloads, for `readable.pipeThrough(...)`.
 *
 * @example
 * ```ts
 * for await (const payload of response.body!.pipeThrough(frameDecoderTransform())) handle(payload);
 * ```
 */
export function frameDecoderTransform(
  format: FrameFormat = FrameFormats.uint32BE,
  options?: FrameDecoderOptions,
): TransformStream<Uint8Array, Uint8Array> {
  const decoder = new FrameDecoder(format, options);
  return new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      decoder.pushEach(chunk, (bytes, start, end) => controller.enqueue(bytes.subarray(start, end)));
    },
    flush() {
      decoder.end();
    },
  });
}

/** A WHATWG `TransformStream` from payloads to framed bytes. */
export function frameEncoderTransform(
  format: FrameFormat = FrameFormats.uint32BE,
): TransformStream<Uint8Array, Uint8Array> {
  return new TransformStream<Uint8Array, Uint8Array>({
    transform(payload, controller) {
      controller.enqueue(encodeFrame(payload, format));
    },
  });
}
