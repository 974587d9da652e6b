import { InvalidArgumentError } from '@sockkit/core';
import { bufferView } from '@sockkit/core/internals';
import { FrameDecoder, type FrameDecoderOptions } from './decoder.js';
import type { FrameFormatOptions } from './format.js';
import { DONE, iteratorOf } from './plain-iterator.js';

/**
 * Decodes the frames of a byte source (a Node stream, a core `StreamSocket`, any iterable of
 * `Uint8Array` chunks; a chunk of another type fails the iteration with `InvalidArgumentError`). Frames are decoded per chunk in a batch, then handed out one by one; the frames before
 * a bad header are yielded before its error is thrown. Throws `TruncatedFrameError` if the source
 * ends inside a frame. Leaving early (`break`) or an error closes the source.
 *
 * @example
 * ```ts
 * for await (const payload of decodeFrames(socket, FrameFormats.varint)) handle(payload);
 * ```
 */
export function decodeFrames(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  format?: FrameFormatOptions,
  options?: FrameDecoderOptions,
): AsyncGenerator<Uint8Array, void, undefined> {
  // A plain iterator (see iteratorOf): a frame of the current batch costs one resolved promise.
  const decoder = new FrameDecoder(format, options);
  const chunks = iterate(source);
  let batch: Uint8Array[] = [];
  let index = 0;
  /** A decode error that waits until the frames before it in the batch are handed out. */
  let held: { error: unknown } | null = null;
  let finished = false;
  /** The refill in progress, so that overlapping `next()` calls are served in order. */
  let refilling: Promise<IteratorResult<Uint8Array, void>> | null = null;
  const collect = (bytes: Uint8Array, start: number, end: number) => {
    batch.push(bufferView(bytes, start, end));
  };

  const close = async (): Promise<void> => {
    finished = true;
    batch = [];
    await chunks.return?.();
  };

  const throwHeld = async (): Promise<never> => {
    const { error } = held!;
    held = null;
    await close();
    throw error;
  };

  /** Reads chunks until one completes a frame (or the source ends, or a header is bad). */
  const refill = async (): Promise<IteratorResult<Uint8Array, void>> => {
    for (;;) {
      let step: IteratorResult<Uint8Array>;
      try {
        step = await chunks.next();
      } catch (error) {
        finished = true;
        throw error;
      }
      if (step.done) {
        finished = true;
        decoder.end();
        return DONE;
      }
      batch = [];
      index = 0;
      try {
        decoder.pushEach(step.value, collect);
      } catch (error) {
        held = { error };
      }
      if (index < batch.length) return { done: false, value: batch[index++]! };
      if (held !== null) return throwHeld();
    }
  };

  const next = (): Promise<IteratorResult<Uint8Array, void>> => {
    if (refilling !== null) return refilling.then(next, next);
    if (index < batch.length) return Promise.resolve({ done: false, value: batch[index++]! });
    if (held !== null) return throwHeld();
    if (finished) return Promise.resolve(DONE);
    const pending = refill().finally(() => {
      refilling = null;
    });
    refilling = pending;
    return pending;
  };

  return iteratorOf(next, close);
}

/** The chunk iterator of `source`; a source that is not iterable is refused before anything is read. */
function iterate(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
): AsyncIterator<Uint8Array> | Iterator<Uint8Array> {
  if (typeof source === 'object' && source !== null) {
    if (typeof (source as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] === 'function') {
      return (source as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
    }
    if (typeof (source as Iterable<Uint8Array>)[Symbol.iterator] === 'function') {
      return (source as Iterable<Uint8Array>)[Symbol.iterator]();
    }
  }
  throw new InvalidArgumentError('source', 'an iterable or async iterable of Uint8Array chunks', source);
}
