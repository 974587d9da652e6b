import { describe, expect, it } from 'vitest';
import { FrameDecoder } from '../src/decoder.ts';
import { encodeFrame, encodeFrameHeader, encodeFrames } from '../src/encoder.ts';
import { FrameTooLargeError } from '../src/errors.ts';
import { defineFrameFormat, FrameFormats } from '../src/format.ts';

const hexOf = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const abc = new TextEncoder().encode('abc');

describe('encodeFrame', () => {
  it.each([
    ['uint32BE', FrameFormats.uint32BE, '00000003616263'],
    ['uint32LE', FrameFormats.uint32LE, '03000000616263'],
    ['uint16BE', FrameFormats.uint16BE, '0003616263'],
    ['varint', FrameFormats.varint, '03616263'],
    ['grpc', FrameFormats.grpc, '0000000003616263'],
  ])('writes the %s header before the payload', (_name, format, expected) => {
    expect(hexOf(encodeFrame(abc, format))).toBe(expected);
  });

  it('writes uint64, lengthIncludesHeader and lengthAdjustment fields', () => {
    expect(hexOf(encodeFrame(abc, defineFrameFormat({ prefix: 'uint64' })))).toBe('0000000000000003616263');
    expect(hexOf(encodeFrame(abc, defineFrameFormat({ prefix: 'uint64', endian: 'little' })))).toBe(
      '0300000000000000616263',
    );
    expect(hexOf(encodeFrame(abc, defineFrameFormat({ prefix: 'uint16', lengthIncludesHeader: true })))).toBe(
      '0005616263',
    );
    expect(hexOf(encodeFrame(abc, defineFrameFormat({ prefix: 'uint8', lengthAdjustment: 2 })))).toBe(
      '01616263',
    );
  });

  it('settles a varint that counts its own header across a width boundary', () => {
    const format = defineFrameFormat({ prefix: 'varint', lengthIncludesHeader: true });
    for (const size of [125, 126, 127, 128, 16_381, 16_382, 16_383]) {
      const frame = encodeFrame(new Uint8Array(size), format);
      expect(new FrameDecoder(format).push(frame)[0]).toHaveLength(size);
    }
  });

  it('encode_overflow: refuses a payload over maxFrameLength', () => {
    const format = defineFrameFormat({ maxFrameLength: 2 });
    expect(() => encodeFrame(abc, format)).toThrow(FrameTooLargeError);
    expect(() => encodeFrame(abc, format)).toThrow('Frame of 3 bytes exceeds the limit of 2 bytes');
  });

  it('refuses a payload the prefix cannot express instead of truncating it (tokio#5080)', () => {
    expect(() => encodeFrame(new Uint8Array(70_000), FrameFormats.uint16BE)).toThrow(FrameTooLargeError);
    expect(encodeFrame(new Uint8Array(65_535), FrameFormats.uint16BE).subarray(0, 2)).toEqual(
      Buffer.from('ffff', 'hex'),
    );
    const tight = defineFrameFormat({ prefix: 'uint8', lengthAdjustment: 2 });
    expect(() => encodeFrame(new Uint8Array(1), tight)).toThrow(/cannot express a 1-byte payload/);
  });
});

describe('encodeFrames', () => {
  it('writes many frames into one buffer that decodes back to the payloads', () => {
    const payloads = [abc, new Uint8Array(0), new Uint8Array(1000).fill(9)];
    for (const format of Object.values(FrameFormats)) {
      const frames = new FrameDecoder(format).push(encodeFrames(payloads, format));
      expect(frames.map((frame) => hexOf(frame))).toEqual(payloads.map(hexOf));
    }
  });

  it('checks every payload before writing any', () => {
    const format = defineFrameFormat({ maxFrameLength: 3 });
    expect(() => encodeFrames([abc, new Uint8Array(4)], format)).toThrow(FrameTooLargeError);
  });
});

describe('encodeFrameHeader', () => {
  it('returns the header alone', () => {
    expect(hexOf(encodeFrameHeader(300, FrameFormats.varint))).toBe('ac02');
    expect(hexOf(encodeFrameHeader(1, FrameFormats.grpc))).toBe('0000000001');
  });
});
