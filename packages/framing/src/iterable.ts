import { FrameDecoder, type FrameDecoderOptions } from './decoder.js';
import { type FrameFormat, FrameFormats } from './format.js';

/**
 * Decodes the frames of a byte source (a Node stream, a core `StreamSocket`, any iterable of
 * chunks). Frames are decoded per chunk in a batch, then yielded one by one; the frames before a
 * bad header are yielded before its error is thrown. Throws `TruncatedFrameError` if the source
 * ends inside a frame.
 *
 * @example
 * ```ts
 * for await (const payload of decodeFrames(socket, FrameFormats.varint)) handle(payload);
 * ```
 */
export async function* decodeFrames(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  format: FrameFormat = FrameFormats.uint32BE,
  options?: FrameDecoderOptions,
): AsyncGenerator<Uint8Array, void, undefined> {
  const decoder = new FrameDecoder(format, options);
  let batch: Uint8Array[] = [];
  const collect = (bytes: Uint8Array, start: number, end: number) => {
    batch.push(bytes.subarray(start, end));
  };
  for await (const chunk of source) {
    let failure: { error: unknown } | null = null;
    try {
      decoder.pushEach(chunk, collect);
    } catch (error) {
      failure = { error };
    }
    if (batch.length > 0) {
      const ready = batch;
      batch = [];
      yield* ready;
    }
    if (failure !== null) throw failure.error;
  }
  decoder.end();
}
