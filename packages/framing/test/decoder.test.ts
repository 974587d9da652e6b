import { InvalidArgumentError } from '@sockkit/core';
import { chunkAt, everyByte, randomCuts } from '@sockkit/testkit';
import { describe, expect, it } from 'vitest';
import { FrameDecoder } from '../src/decoder.ts';
import { encodeFrame, encodeFrames } from '../src/encoder.ts';
import {
  CompressedFrameError,
  FrameDecodeError,
  FrameTooLargeError,
  TruncatedFrameError,
} from '../src/errors.ts';
import { defineFrameFormat, FrameFormats } from '../src/format.ts';

const text = (value: string) => new TextEncoder().encode(value);
const hex = (value: string) => Uint8Array.from(Buffer.from(value.replace(/\s/g, ''), 'hex'));
const pushAll = (decoder: FrameDecoder, chunks: readonly Uint8Array[]) =>
  chunks.flatMap((chunk) => decoder.push(chunk));
function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the action to throw');
}
const hexOf = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const strings = (frames: readonly Uint8Array[]) => frames.map((frame) => new TextDecoder().decode(frame));

describe('FrameDecoder', () => {
  it('yields several frames glued into one chunk (sticky packets)', () => {
    const decoder = new FrameDecoder();
    const frames = decoder.push(encodeFrames(['a', 'bc', 'def'].map(text)));
    expect(strings(frames)).toEqual(['a', 'bc', 'def']);
    expect(decoder.bufferedBytes).toBe(0);
  });

  it('yields a frame that arrives over many chunks (half packets)', () => {
    const decoder = new FrameDecoder();
    const wire = encodeFrame(text('hello, world'));
    expect(decoder.push(wire.subarray(0, 6))).toEqual([]);
    expect(decoder.bufferedBytes).toBe(6);
    expect(decoder.push(wire.subarray(6, 10))).toEqual([]);
    expect(strings(decoder.push(wire.subarray(10)))).toEqual(['hello, world']);
  });

  it('yields a frame whose prefix is split across three chunks', () => {
    const decoder = new FrameDecoder();
    const wire = encodeFrame(text('xyz'));
    expect(pushAll(decoder, chunkAt(wire.subarray(0, 3), [1, 2]))).toEqual([]);
    expect(decoder.bufferedBytes).toBe(3);
    expect(strings(decoder.push(wire.subarray(3)))).toEqual(['xyz']);
  });

  it('yields every frame when fed one byte at a time, for every preset', () => {
    for (const format of Object.values(FrameFormats)) {
      const payloads = ['', 'a', 'x'.repeat(300), 'end'].map(text);
      const decoder = new FrameDecoder(format);
      expect(strings(pushAll(decoder, everyByte(encodeFrames(payloads, format))))).toEqual(strings(payloads));
      decoder.end();
    }
  });

  it('returns a frame inside one chunk as a view of that chunk, not a copy', () => {
    const wire = encodeFrames([text('one'), text('two')]);
    const [first, second] = new FrameDecoder().push(wire);
    expect(first!.buffer).toBe(wire.buffer);
    expect(second!.byteOffset).toBe(wire.byteOffset + 11);
  });

  it('copies a frame across chunks exactly once, into its own buffer', () => {
    const payload = new Uint8Array(5000).fill(7);
    const wire = encodeFrame(payload);
    const [frame] = pushAll(new FrameDecoder(), chunkAt(wire, [2000, 4000]));
    expect(frame!.byteLength).toBe(5000);
    // A copy, not a view: scribbling over the received bytes leaves the frame intact.
    // (Identity of `.buffer` proves nothing: Node 24 pools allocations up to 32 KiB.)
    wire.fill(0);
    expect(new Uint8Array(frame!)).toEqual(payload);
  });

  it('allows zero-length frames', () => {
    const decoder = new FrameDecoder();
    const frames = decoder.push(encodeFrames([new Uint8Array(0), text('a'), new Uint8Array(0)]));
    expect(frames.map((frame) => frame.length)).toEqual([0, 1, 0]);
    expect(pushAll(decoder, everyByte(encodeFrame(new Uint8Array(0))))).toHaveLength(1);
  });

  it('read_max_frame_len: fails with FrameTooLargeError as soon as the header is complete', () => {
    const decoder = new FrameDecoder(defineFrameFormat({ maxFrameLength: 100 }));
    const error = thrown(() => decoder.push(hex('00 00 00 65')));
    expect(error).toBeInstanceOf(FrameTooLargeError);
    expect(error).toBeInstanceOf(FrameDecodeError);
    expect(error).toMatchObject({
      declaredLength: 101,
      maxFrameLength: 100,
      code: 'SOCKKIT_ERR_FRAME_TOO_LARGE',
    });
  });

  it('accepts a frame of exactly maxFrameLength', () => {
    const format = defineFrameFormat({ maxFrameLength: 100 });
    expect(new FrameDecoder(format).push(encodeFrame(new Uint8Array(100), format))[0]).toHaveLength(100);
  });

  it('holds only the header after an 8 MiB header followed by silence', () => {
    const decoder = new FrameDecoder();
    expect(decoder.push(hex('00 80 00 00'))).toEqual([]);
    expect(decoder.bufferedBytes).toBe(4);
    decoder.push(new Uint8Array(10));
    expect(decoder.bufferedBytes).toBe(14);
  });

  it('inFrame says whether a header, payload or skipped frame is in progress', () => {
    const decoder = new FrameDecoder(defineFrameFormat({ maxFrameLength: 2 }), { skipOversized: true });
    expect(decoder.inFrame).toBe(false);
    decoder.push(hex('00 00'));
    expect(decoder.inFrame).toBe(true);
    decoder.push(hex('00 05 01'));
    expect([decoder.inFrame, decoder.bufferedBytes]).toEqual([true, 0]);
    decoder.push(hex('02 03 04 05'));
    expect(decoder.inFrame).toBe(false);
  });

  it('delivers the frames before an oversized header in the same chunk', () => {
    const decoder = new FrameDecoder(defineFrameFormat({ maxFrameLength: 8 }));
    const wire = new Uint8Array([...encodeFrames([text('a'), text('b')]), ...hex('00 00 01 00')]);
    expect(strings(decoder.push(wire))).toEqual(['a', 'b']);
    const error = decoder.error;
    expect(error).toBeInstanceOf(FrameTooLargeError);
    expect(thrown(() => decoder.push(hex('00')))).toBe(error);
    expect(() => decoder.push(hex('00'))).toThrow(/failed earlier/);
  });

  it('end() throws the error held back by push, once', () => {
    const decoder = new FrameDecoder(FrameFormats.varint);
    expect(strings(decoder.push(hex('01 61 81 00')))).toEqual(['a']);
    expect(() => decoder.end()).toThrow(/Non-minimal/);
    expect(() => decoder.end()).not.toThrow();
  });

  it('fails permanently after an error', () => {
    const decoder = new FrameDecoder(defineFrameFormat({ maxFrameLength: 1 }));
    expect(() => decoder.push(hex('00 00 00 02'))).toThrow(FrameTooLargeError);
    expect(() => decoder.push(hex('00'))).toThrow(/failed earlier/);
  });

  it('skips and counts oversized frames without buffering them when told to', () => {
    const format = defineFrameFormat({ maxFrameLength: 4 });
    const decoder = new FrameDecoder(format, { skipOversized: true });
    const wire = encodeFrames([text('ok'), text('too long!')], defineFrameFormat()).slice();
    const after = encodeFrame(text('next'), format);
    const frames = pushAll(decoder, [...everyByte(wire.subarray(0, 12)), wire.subarray(12), after]);
    expect(strings(frames)).toEqual(['ok', 'next']);
    expect(decoder.skippedFrames).toBe(1);
    expect(decoder.bufferedBytes).toBe(0);
  });

  it('pushEach delivers ranges and the frames before a bad header', () => {
    const decoder = new FrameDecoder(defineFrameFormat({ maxFrameLength: 8 }));
    const seen: string[] = [];
    const wire = new Uint8Array([...encodeFrames([text('a'), text('b')]), ...hex('00 00 01 00')]);
    expect(() =>
      decoder.pushEach(wire, (bytes, start, end) =>
        seen.push(new TextDecoder().decode(bytes.subarray(start, end))),
      ),
    ).toThrow(FrameTooLargeError);
    expect(seen).toEqual(['a', 'b']);
  });

  it('pushEach returns how many frames the chunk completed', () => {
    const decoder = new FrameDecoder();
    const wire = encodeFrames([text('a'), text('b'), text('c')]);
    expect(decoder.pushEach(wire.subarray(0, 7), () => {})).toBe(1);
    expect(decoder.pushEach(wire.subarray(7), () => {})).toBe(2);
  });

  describe('end of stream', () => {
    it('read_incomplete_head: end() inside the header throws TruncatedFrameError', () => {
      const decoder = new FrameDecoder();
      decoder.push(hex('00 00'));
      expect(thrown(() => decoder.end())).toMatchObject({ missingBytes: 2, receivedBytes: 2 });
    });

    it('read_incomplete_payload: end() inside the payload says how many bytes are missing', () => {
      const decoder = new FrameDecoder();
      decoder.push(hex('00 00 00 0a 01 02 03'));
      const error = thrown(() => decoder.end());
      expect(error).toBeInstanceOf(TruncatedFrameError);
      expect(error).toMatchObject({ missingBytes: 7, receivedBytes: 7, code: 'SOCKKIT_ERR_TRUNCATED_FRAME' });
      expect((error as Error).message).toMatch(/7 bytes received, 7 more expected/);
    });

    it('end() between frames is fine', () => {
      const decoder = new FrameDecoder();
      decoder.push(encodeFrame(text('done')));
      expect(() => decoder.end()).not.toThrow();
    });
  });

  describe('varint prefix', () => {
    const varint = FrameFormats.varint;

    it('decodes a multi-byte varint split across chunks', () => {
      const payload = new Uint8Array(300).fill(1);
      const wire = encodeFrame(payload, varint);
      expect(new Uint8Array(wire.subarray(0, 2))).toEqual(hex('ac 02'));
      expect(new Uint8Array(pushAll(new FrameDecoder(varint), chunkAt(wire, [1, 2]))[0]!)).toEqual(payload);
    });

    it('rejects a varint longer than 10 bytes', () => {
      const decoder = new FrameDecoder(
        defineFrameFormat({ prefix: 'varint', maxFrameLength: Number.MAX_SAFE_INTEGER }),
      );
      expect(() => decoder.push(hex('ff ff ff ff ff ff ff ff ff ff 01'))).toThrow(/longer than 10 bytes/);
    });

    it('rejects a varint above 2^53 - 1', () => {
      const decoder = new FrameDecoder(
        defineFrameFormat({ prefix: 'varint', maxFrameLength: Number.MAX_SAFE_INTEGER }),
      );
      expect(() => decoder.push(hex('80 80 80 80 80 80 80 80 10'))).toThrow(/above 2\^53 - 1/);
    });

    it('rejects a varint above the limit once enough bytes are read, before the varint ends', () => {
      const decoder = new FrameDecoder(defineFrameFormat({ prefix: 'varint', maxFrameLength: 1000 }));
      decoder.push(hex('80'));
      expect(() => decoder.push(hex('80'))).not.toThrow();
      const fresh = new FrameDecoder(defineFrameFormat({ prefix: 'varint', maxFrameLength: 1000 }));
      expect(() => fresh.push(hex('ff ff'))).toThrow(FrameTooLargeError);
    });

    it('rejects a non-minimal varint (documented: lengths must be minimally encoded)', () => {
      expect(() => new FrameDecoder(varint).push(hex('81 00 61'))).toThrow(/Non-minimal/);
      expect(new FrameDecoder(varint).push(hex('00'))).toHaveLength(1);
    });
  });

  describe('header layouts', () => {
    it('reads a length after lengthOffset header bytes (gRPC: flag byte, u32), whatever those bytes are', () => {
      const frames = new FrameDecoder(FrameFormats.grpc).push(hex('00 00000002 6869 00 00000000'));
      expect(strings(frames)).toEqual(['hi', '']);
      const typed = defineFrameFormat({ prefix: 'uint16', lengthOffset: 1 }); // a message type byte, say
      expect(strings(new FrameDecoder(typed).push(hex('07 0001 61 ff 0000')))).toEqual(['a', '']);
    });

    it('applies lengthIncludesHeader and lengthAdjustment', () => {
      const included = defineFrameFormat({ prefix: 'uint16', lengthIncludesHeader: true });
      expect(strings(new FrameDecoder(included).push(hex('0005 616263')))).toEqual(['abc']);
      const adjusted = defineFrameFormat({ prefix: 'uint8', lengthAdjustment: 2 });
      expect(strings(new FrameDecoder(adjusted).push(hex('01 616263')))).toEqual(['abc']);
    });

    it('fails when a length adjusts to a negative payload', () => {
      const included = defineFrameFormat({ prefix: 'uint16', lengthIncludesHeader: true });
      expect(() => new FrameDecoder(included).push(hex('0001'))).toThrow(/negative payload/);
    });

    it('reads uint64 lengths in both byte orders and refuses ones above 2^53 - 1', () => {
      const big = defineFrameFormat({ prefix: 'uint64' });
      const little = defineFrameFormat({ prefix: 'uint64', endian: 'little' });
      expect(strings(new FrameDecoder(big).push(hex('0000000000000001 61')))).toEqual(['a']);
      expect(strings(new FrameDecoder(little).push(hex('0100000000000000 61')))).toEqual(['a']);
      expect(() => new FrameDecoder(big).push(hex('0020000000000000'))).toThrow(FrameTooLargeError);
    });
  });
});

describe('FrameDecoder with keepHeader and the gRPC compressed flag', () => {
  const grpcWithHeader = defineFrameFormat({ ...FrameFormats.grpc, keepHeader: true });
  const formats = [
    defineFrameFormat({ keepHeader: true }),
    grpcWithHeader,
    defineFrameFormat({ prefix: 'varint', lengthOffset: 2, keepHeader: true }),
    defineFrameFormat({ prefix: 'uint16', lengthIncludesHeader: true, keepHeader: true }),
  ];
  const payloads = ['', 'a', 'x'.repeat(300), 'y'.repeat(70_000)].map(text);

  it.each(formats.map((format) => [`${format.prefix}, offset ${format.lengthOffset}`, format] as const))(
    'hands each frame over with its header, whatever the chunking (%s)',
    (_, format) => {
      const usable = payloads.filter((payload) => payload.length <= format.maxFrameLength);
      const wire = encodeFrames(usable, format);
      const frames = usable.map((payload) => hexOf(encodeFrame(payload, format)));
      const cuts = [[], everyByte(wire).map((_, index) => index), randomCuts(wire.length, 40, 3)];
      for (const chunks of cuts.map((at) => chunkAt(wire, at))) {
        const decoder = new FrameDecoder(format);
        expect(pushAll(decoder, chunks).map(hexOf)).toEqual(frames);
        expect(decoder.bufferedBytes).toBe(0);
        decoder.end();
      }
    },
  );

  it('keeps frames inside one chunk as views of it, headers included', () => {
    const wire = encodeFrames([text('one'), text('two')], grpcWithHeader);
    const [first, second] = new FrameDecoder(grpcWithHeader).push(wire);
    expect(first!.buffer).toBe(wire.buffer);
    expect(hexOf(second!)).toBe('000000000374776f');
  });

  it('counts the payload against maxFrameLength, not the header', () => {
    const format = defineFrameFormat({ maxFrameLength: 5, keepHeader: true });
    expect(new FrameDecoder(format).push(encodeFrame(text('12345'), format))).toHaveLength(1);
    expect(() => new FrameDecoder(format).push(hex('00000006'))).toThrow(FrameTooLargeError);
  });

  it('reports the header among the bytes held and received when the stream ends mid-frame', () => {
    const decoder = new FrameDecoder(grpcWithHeader);
    decoder.push(hex('00 00'));
    decoder.push(hex('000004 6162'));
    expect(decoder.bufferedBytes).toBe(7);
    expect(thrown(() => decoder.end())).toMatchObject({ missingBytes: 2, receivedBytes: 7 });
  });

  it('refuses a compressed gRPC message at its header, after the frames before it', () => {
    const decoder = new FrameDecoder(FrameFormats.grpc);
    const frames = decoder.push(hex('00 00000002 6869 01 00100000'));
    expect(strings(frames)).toEqual(['hi']);
    const error = decoder.error;
    expect(error).toBeInstanceOf(CompressedFrameError);
    expect(error).toBeInstanceOf(FrameDecodeError);
    expect(error).toMatchObject({ code: 'SOCKKIT_ERR_COMPRESSED_FRAME', flag: 1 });
    expect(thrown(() => new FrameDecoder(FrameFormats.grpc).push(hex('02 00000000')))).toMatchObject({
      flag: 2,
    });
  });

  it('hands compressed gRPC messages over with their flag when the caller keeps the header', () => {
    const frames = new FrameDecoder(grpcWithHeader).push(hex('01 00000002 1f8b 00 00000001 61'));
    expect(frames.map((frame) => [frame[0], hexOf(frame.subarray(5))])).toEqual([
      [1, '1f8b'],
      [0, '61'],
    ]);
  });
});

describe('FrameDecoder with piecesFrom', () => {
  const large = Uint8Array.from({ length: 200_000 }, (_, index) => index & 0xff);
  /** Byte equality without a deep comparison per byte (seconds for 200 KB). */
  const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a.buffer, a.byteOffset, a.length).equals(b);

  /** Pushes `chunks` through pushEach, collecting frames as [kind, bytes]. */
  function decodeEach(decoder: FrameDecoder, chunks: Uint8Array[]) {
    const frames: { pieces: Uint8Array[] | null; bytes: Uint8Array }[] = [];
    for (const chunk of chunks) {
      decoder.pushEach(
        chunk,
        (bytes, start, end) => frames.push({ pieces: null, bytes: bytes.slice(start, end) }),
        (pieces) => frames.push({ pieces, bytes: Buffer.concat(pieces) }),
      );
    }
    decoder.end();
    return frames;
  }

  it('hands a large frame that spans chunks to onPieces as views of those chunks, uncopied', () => {
    const wire = encodeFrames([Uint8Array.of(1, 2), large, Uint8Array.of(3)]);
    const chunks = chunkAt(wire, [10_000, 70_000, 150_000]).map((chunk) => chunk.slice());
    const frames = decodeEach(new FrameDecoder(FrameFormats.uint32BE, { piecesFrom: 100_000 }), chunks);
    expect(frames.map((frame) => frame.pieces === null)).toEqual([true, false, true]);
    expect(same(frames[1]!.bytes, large)).toBe(true);
    const pieces = frames[1]!.pieces!;
    expect(pieces).toHaveLength(4);
    expect(pieces.map((piece) => piece.buffer)).toEqual(chunks.map((chunk) => chunk.buffer));
  });

  it('copies frames below piecesFrom, and frames wholly inside one chunk stay views as before', () => {
    const wire = encodeFrames([large, large]);
    const frames = decodeEach(new FrameDecoder(FrameFormats.uint32BE, { piecesFrom: 300_000 }), [
      wire.subarray(0, 1000),
      wire.subarray(1000),
    ]);
    expect(frames.map((frame) => frame.pieces)).toEqual([null, null]);
    expect(frames.every((frame) => same(frame.bytes, large))).toBe(true);
  });

  it('gathers a large frame sent one small write at a time into a few pieces, whatever the chunking', () => {
    const wire = encodeFrame(large, FrameFormats.varint);
    for (const chunks of [chunkAt(wire, [1, 2, 3]), chunkAt(wire, randomCuts(wire.length, 400, 7))]) {
      const frames = decodeEach(new FrameDecoder(FrameFormats.varint, { piecesFrom: 1 }), chunks);
      expect(frames).toHaveLength(1);
      expect(same(frames[0]!.bytes, large)).toBe(true);
      expect(frames[0]!.pieces!.length).toBeLessThanOrEqual(Math.ceil(large.length / 1024) + 4);
    }
  });

  it('keeps the header with a keepHeader format', () => {
    const format = defineFrameFormat({ ...FrameFormats.grpc, keepHeader: true });
    const wire = encodeFrame(large, format);
    const frames = decodeEach(new FrameDecoder(format, { piecesFrom: 1000 }), chunkAt(wire, [2, 90_000]));
    expect(frames[0]!.pieces).not.toBeNull();
    expect(same(frames[0]!.bytes, wire)).toBe(true);
  });

  it('push(), and pushEach without onPieces, join the pieces into one frame', () => {
    const wire = encodeFrame(large);
    const decoder = new FrameDecoder(FrameFormats.uint32BE, { piecesFrom: 1 });
    expect(decoder.push(wire.subarray(0, 5000))).toEqual([]);
    const [joined, ...more] = decoder.push(wire.subarray(5000));
    expect(more).toEqual([]);
    expect(same(joined!, large)).toBe(true);
    const each = new FrameDecoder(FrameFormats.uint32BE, { piecesFrom: 1 });
    const frames: Uint8Array[] = [];
    for (const chunk of chunkAt(wire, [5000]))
      each.pushEach(chunk, (bytes, s, e) => frames.push(bytes.slice(s, e)));
    expect(frames).toHaveLength(1);
    expect(same(frames[0]!, large)).toBe(true);
  });

  it('counts bufferedBytes and refuses a truncated frame as before', () => {
    const decoder = new FrameDecoder(FrameFormats.uint32BE, { piecesFrom: 1 });
    decoder.pushEach(
      encodeFrame(large).subarray(0, 50_004),
      () => {},
      () => {},
    );
    expect(decoder.bufferedBytes).toBe(50_004);
    expect(() => decoder.end()).toThrow(TruncatedFrameError);
  });

  it('refuses a piecesFrom that is not a positive integer, and an onPieces that is not a function', () => {
    expect(() => new FrameDecoder(FrameFormats.uint32BE, { piecesFrom: 0 })).toThrow(InvalidArgumentError);
    expect(() => new FrameDecoder(FrameFormats.uint32BE, { piecesFrom: 1.5 })).toThrow(InvalidArgumentError);
    const decoder = new FrameDecoder();
    expect(() => decoder.pushEach(new Uint8Array(0), () => {}, 'x' as never)).toThrow(InvalidArgumentError);
  });
});
