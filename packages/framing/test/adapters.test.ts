import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ReadableStream } from 'node:stream/web';
import { everyByte } from '@sockkit/testkit';
import { describe, expect, it } from 'vitest';
import { decodeFrames } from '../src/decode-frames.ts';
import { encodeFrame, encodeFrames } from '../src/encoder.ts';
import { FrameTooLargeError, TruncatedFrameError } from '../src/errors.ts';
import { defineFrameFormat, FrameFormats } from '../src/format.ts';
import {
  createFrameDecoderStream,
  createFrameEncoderStream,
  frameDecoderTransform,
  frameEncoderTransform,
} from '../src/streams.ts';

const text = (value: string) => new TextEncoder().encode(value);
const strings = (frames: readonly Uint8Array[]) => frames.map((frame) => new TextDecoder().decode(frame));
const wire = encodeFrames(['one', 'two', '', 'four'].map(text), FrameFormats.varint);

/** 20 frames, then a header over the limit of {@link small}, all in one chunk. */
const small = defineFrameFormat({ maxFrameLength: 8 });
const names = Array.from({ length: 20 }, (_, index) => `f${index}`);
const badTail = new Uint8Array([...encodeFrames(names.map(text)), 0x00, 0x00, 0x01, 0x00]);

/** 20 frames, then the first bytes of one more: the input ends inside a frame. */
const truncatedTail = new Uint8Array([...encodeFrames(names.map(text)), 0x00, 0x00, 0x00, 0x05, 0x61]);

/** Reads `source` to its end or error; returns what it delivered and how it stopped. */
async function drain(source: AsyncIterable<Uint8Array>): Promise<{ frames: string[]; error: unknown }> {
  const frames: string[] = [];
  try {
    for await (const frame of source) frames.push(new TextDecoder().decode(frame));
  } catch (error) {
    return { frames, error };
  }
  return { frames, error: null };
}

async function collect(source: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const frames: Uint8Array[] = [];
  for await (const frame of source) frames.push(frame);
  return frames;
}

describe('decodeFrames', () => {
  it('decodes frames from an async iterable, whatever the chunking', async () => {
    expect(strings(await collect(decodeFrames(Readable.from(everyByte(wire)), FrameFormats.varint)))).toEqual(
      ['one', 'two', '', 'four'],
    );
    expect(strings(await collect(decodeFrames([wire], FrameFormats.varint)))).toHaveLength(4);
  });

  it('delivers the frames before an oversized header in the same chunk', async () => {
    const { frames, error } = await drain(decodeFrames([badTail], small));
    expect(frames).toEqual(names);
    expect(error).toBeInstanceOf(FrameTooLargeError);
  });

  it('closes the source when the loop leaves early or a header is bad', async () => {
    let closed = 0;
    async function* endless(chunk: Uint8Array) {
      try {
        for (;;) yield chunk;
      } finally {
        closed++;
      }
    }
    for await (const _ of decodeFrames(endless(wire), FrameFormats.varint)) break;
    expect(closed).toBe(1);
    const { frames, error } = await drain(decodeFrames(endless(badTail), small));
    expect([frames, error, closed]).toEqual([names, expect.any(FrameTooLargeError), 2]);
  });

  it('serves overlapping next() calls in order', async () => {
    const iterator = decodeFrames(Readable.from(everyByte(wire)), FrameFormats.varint);
    const results = await Promise.all([1, 2, 3, 4, 5].map(() => iterator.next()));
    expect(results.map((result) => (result.done ? 'done' : new TextDecoder().decode(result.value)))).toEqual([
      'one',
      'two',
      '',
      'four',
      'done',
    ]);
  });

  it('throws TruncatedFrameError when the source ends mid-frame', async () => {
    await expect(collect(decodeFrames([wire.subarray(0, 6)], FrameFormats.varint))).rejects.toThrow(
      TruncatedFrameError,
    );
  });
});

describe('Node Transform streams', () => {
  it('delivers the frames before an oversized header in the same chunk', async () => {
    const { frames, error } = await drain(Readable.from([badTail]).pipe(createFrameDecoderStream(small)));
    expect(frames).toEqual(names);
    expect(error).toBeInstanceOf(FrameTooLargeError);
  });

  it('delivers the frames before the input ends inside a frame', async () => {
    const { frames, error } = await drain(Readable.from([truncatedTail]).pipe(createFrameDecoderStream()));
    expect([frames, error]).toEqual([names, expect.any(TruncatedFrameError)]);
  });

  it('delivers the frames before an oversized header through pipeline, in flowing mode', async () => {
    const frames: string[] = [];
    const decoding = createFrameDecoderStream(small).on('data', (frame: Uint8Array) => {
      frames.push(new TextDecoder().decode(frame));
    });
    await expect(pipeline(Readable.from([badTail]), decoding)).rejects.toThrow(FrameTooLargeError);
    expect(frames).toEqual(names);
  });

  it('encodes and decodes through a pipeline', async () => {
    const received: Uint8Array[] = [];
    await pipeline(
      Readable.from(['a', 'bb', 'ccc'].map(text)),
      createFrameEncoderStream(FrameFormats.uint16BE),
      createFrameDecoderStream(FrameFormats.uint16BE),
      async (frames: AsyncIterable<Uint8Array>) => {
        for await (const frame of frames) received.push(frame);
      },
    );
    expect(strings(received)).toEqual(['a', 'bb', 'ccc']);
  });

  it('errors the stream on an oversized frame and on truncation', async () => {
    const small = defineFrameFormat({ maxFrameLength: 1 });
    await expect(
      pipeline(
        Readable.from([encodeFrame(text('too big'))]),
        createFrameDecoderStream(small),
        async (frames) => {
          for await (const _ of frames);
        },
      ),
    ).rejects.toThrow(FrameTooLargeError);
    await expect(
      pipeline(
        Readable.from([wire.subarray(0, 3)]),
        createFrameDecoderStream(FrameFormats.varint),
        async (frames) => {
          for await (const _ of frames);
        },
      ),
    ).rejects.toThrow(TruncatedFrameError);
  });
});

describe('WHATWG TransformStreams', () => {
  it('delivers the frames before an oversized header in the same chunk', async () => {
    const { frames, error } = await drain(
      ReadableStream.from([badTail]).pipeThrough(frameDecoderTransform(small)),
    );
    expect(frames).toEqual(names);
    expect(error).toBeInstanceOf(FrameTooLargeError);
  });

  it('holds the writer until the reader takes the payloads, and stops it when the reader cancels', async () => {
    const { readable, writable } = frameDecoderTransform(FrameFormats.varint);
    const writer = writable.getWriter();
    const reader = readable.getReader();
    let written = false;
    const writing = writer.write(wire).then(() => {
      written = true;
    });
    const first = await reader.read();
    expect(strings([first.value!])).toEqual(['one']);
    expect(written).toBe(false);
    await reader.cancel(new Error('stop'));
    await expect(writing).rejects.toThrow('stop');
  });

  it('delivers the frames before the input ends inside a frame', async () => {
    const { frames, error } = await drain(
      ReadableStream.from([truncatedTail]).pipeThrough(frameDecoderTransform()),
    );
    expect([frames, error]).toEqual([names, expect.any(TruncatedFrameError)]);
  });

  it('errors at once when nothing precedes the bad header', async () => {
    const { frames, error } = await drain(
      ReadableStream.from([badTail.subarray(-4)]).pipeThrough(frameDecoderTransform(small)),
    );
    expect([frames, error]).toEqual([[], expect.any(FrameTooLargeError)]);
  });

  it('encodes and decodes through pipeThrough', async () => {
    const source = ReadableStream.from(['x', 'yy'].map(text));
    const frames = source
      .pipeThrough(frameEncoderTransform(FrameFormats.grpc))
      .pipeThrough(frameDecoderTransform(FrameFormats.grpc));
    expect(strings(await collect(frames))).toEqual(['x', 'yy']);
  });

  it('errors the readable side when the input ends mid-frame', async () => {
    const frames = ReadableStream.from([wire.subarray(0, 2)]).pipeThrough(
      frameDecoderTransform(FrameFormats.varint),
    );
    await expect(collect(frames)).rejects.toThrow(TruncatedFrameError);
  });
});

describe('an error held behind frames of the same chunk surfaces though no more data arrives', () => {
  // Each source delivers `badTail` and then stays open: no later push or end would reveal the error.
  it('decodeFrames', async () => {
    const source = new PassThrough();
    source.write(badTail);
    const { frames, error } = await drain(decodeFrames(source, small));
    expect(frames).toEqual(names);
    expect(error).toBeInstanceOf(FrameTooLargeError);
    expect(source.destroyed).toBe(true);
  });

  it('Node Transform stream', async () => {
    const decoder = createFrameDecoderStream(small);
    decoder.write(badTail);
    const { frames, error } = await drain(decoder);
    expect(frames).toEqual(names);
    expect(error).toBeInstanceOf(FrameTooLargeError);
  });

  it('WHATWG TransformStream', async () => {
    const { readable, writable } = frameDecoderTransform(small);
    const writing = writable.getWriter().write(badTail);
    const { frames, error } = await drain(readable);
    expect(frames).toEqual(names);
    expect(error).toBeInstanceOf(FrameTooLargeError);
    await expect(writing).rejects.toBeInstanceOf(FrameTooLargeError);
  });
});
