import { InvalidArgumentError } from '@sockkit/core';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_FRAME_LENGTH } from '../src/constants.ts';
import { FrameDecoder } from '../src/decoder.ts';
import { encodeFrame } from '../src/encoder.ts';
import { FrameTooLargeError } from '../src/errors.ts';
import { defineFrameFormat, FrameFormats } from '../src/format.ts';

describe('defineFrameFormat', () => {
  it('fills defaults: u32 big-endian, 8 MiB limit, frozen', () => {
    const format = defineFrameFormat();
    expect(format).toEqual({
      prefix: 'uint32',
      endian: 'big',
      lengthOffset: 0,
      lengthAdjustment: 0,
      lengthIncludesHeader: false,
      maxFrameLength: DEFAULT_MAX_FRAME_LENGTH,
      keepHeader: false,
      compressedFlag: false,
    });
    expect(Object.isFrozen(format)).toBe(true);
  });

  it('caps the default limit at what the prefix can express', () => {
    expect(FrameFormats.uint16BE.maxFrameLength).toBe(65_535);
    expect(defineFrameFormat({ prefix: 'uint8', lengthIncludesHeader: true }).maxFrameLength).toBe(254);
  });

  it.each([
    [{ prefix: 'uint24' }, /prefix must be one of/],
    [{ endian: 'middle' }, /endian must be/],
    [{ lengthOffset: -1 }, /lengthOffset must be/],
    [{ lengthOffset: 1.5 }, /lengthOffset must be/],
    [{ lengthAdjustment: 0.5 }, /lengthAdjustment must be/],
    [{ lengthIncludesHeader: 'yes' }, /lengthIncludesHeader must be/],
    [{ maxFrameLength: -1 }, /maxFrameLength must be/],
    [{ maxFrameLength: 2 ** 53 }, /maxFrameLength must be/],
    [{ prefix: 'uint16', maxFrameLength: 70_000 }, /maxFrameLength 70000 is more than a uint16/],
    [{ prefix: 'uint8', lengthAdjustment: -300 }, /lengthAdjustment -300/],
    [{ keepHeader: 1 }, /keepHeader must be a boolean/],
    [{ compressedFlag: 'yes', lengthOffset: 1 }, /compressedFlag must be a boolean/],
    [{ compressedFlag: true }, /compressedFlag needs a header byte before the length/],
  ])('throws an InvalidArgumentError naming the bad option for %o', (options, message) => {
    expect(() => defineFrameFormat(options as never)).toThrow(InvalidArgumentError);
    expect(() => defineFrameFormat(options as never)).toThrow(message);
  });

  it('derives a variant from a preset', () => {
    const small = defineFrameFormat({ ...FrameFormats.grpc, maxFrameLength: 1024 });
    expect(small).toMatchObject({
      lengthOffset: 1,
      prefix: 'uint32',
      maxFrameLength: 1024,
      compressedFlag: true,
    });
  });

  it("expresses Netty's maxFrameLength, which counts the header, as the payload limit minus the header", () => {
    // Netty LengthFieldBasedFrameDecoder(maxFrameLength = 1024, 0, 4): frames of at most 1024 bytes, header included.
    const netty = defineFrameFormat({ maxFrameLength: 1024 - 4 });
    expect(new FrameDecoder(netty).push(encodeFrame(new Uint8Array(1020), netty))[0]).toHaveLength(1020);
    expect(() => new FrameDecoder(netty).push(Uint8Array.of(0, 0, 0x03, 0xfd))).toThrow(FrameTooLargeError);
    // Netty (maxFrameLength = 1024, 1, 4), gRPC's layout: the header is 5 bytes.
    const grpc = defineFrameFormat({ ...FrameFormats.grpc, maxFrameLength: 1024 - 5 });
    expect(new FrameDecoder(grpc).push(encodeFrame(new Uint8Array(1019), grpc))[0]).toHaveLength(1019);
    expect(() => new FrameDecoder(grpc).push(Uint8Array.of(0, 0, 0, 0x03, 0xfc))).toThrow(FrameTooLargeError);
  });
});
