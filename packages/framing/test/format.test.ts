import { InvalidArgumentError } from '@sockkit/core';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_FRAME_LENGTH } from '../src/constants.ts';
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
  ])('throws an InvalidArgumentError naming the bad option for %o', (options, message) => {
    expect(() => defineFrameFormat(options as never)).toThrow(InvalidArgumentError);
    expect(() => defineFrameFormat(options as never)).toThrow(message);
  });

  it('derives a variant from a preset', () => {
    const small = defineFrameFormat({ ...FrameFormats.grpc, maxFrameLength: 1024 });
    expect(small).toMatchObject({ lengthOffset: 1, prefix: 'uint32', maxFrameLength: 1024 });
  });
});
