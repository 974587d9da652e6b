import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { bufferView } from '../src/buffer-view.ts';
import { decodeFrames } from '../src/decode-frames.ts';
import { FrameDecoder } from '../src/decoder.ts';
import { encodeFrames } from '../src/encoder.ts';

describe('bufferView', () => {
  const chunk = Buffer.from('00112233445566778899', 'hex');

  it('makes a real Buffer that shares the chunk memory', () => {
    const view = bufferView(chunk, 2, 6) as Buffer;
    expect(Object.getPrototypeOf(view)).toBe(Object.getPrototypeOf(chunk.subarray(2, 6)));
    expect(Buffer.isBuffer(view)).toBe(true);
    expect(view).toBeInstanceOf(Buffer);
    expect(view.constructor).toBe(Buffer);
    expect(view.buffer).toBe(chunk.buffer);
    expect(view.byteOffset).toBe(chunk.byteOffset + 2);
    expect(view.toString('hex')).toBe('22334455');
    expect(view.equals(Buffer.from('22334455', 'hex'))).toBe(true);
    expect(inspect(view)).toBe('<Buffer 22 33 44 55>');
    expect(view).toEqual(Buffer.from('22334455', 'hex'));
    expect(view).toStrictEqual(Buffer.from('22334455', 'hex'));
    expect(view.readUInt16BE(1)).toBe(0x3344);
    const copy = Buffer.from(chunk);
    const written = bufferView(copy, 0, 2) as Buffer;
    written.writeUInt16BE(0xabcd, 0);
    expect(copy.subarray(0, 2).toString('hex')).toBe('abcd');
  });

  it('subarray and slice of a view are plain Buffers over the same memory', () => {
    const view = bufferView(chunk, 2, 6) as Buffer;
    for (const part of [view.subarray(1, 3), view.slice(1, 3)]) {
      expect(Object.getPrototypeOf(part)).toBe(Buffer.prototype);
      expect(part.toString('hex')).toBe('3344');
      expect(part.buffer).toBe(chunk.buffer);
    }
    expect(Buffer.isBuffer(bufferView(view, 1, 2))).toBe(true);
  });

  it('leaves a plain Uint8Array one', () => {
    const bytes = Uint8Array.of(1, 2, 3, 4);
    const view = bufferView(bytes, 1, 3);
    expect(Buffer.isBuffer(view)).toBe(false);
    expect(Object.getPrototypeOf(view)).toBe(Uint8Array.prototype);
    expect(view).toEqual(Uint8Array.of(2, 3));
    expect(view.buffer).toBe(bytes.buffer);
  });

  it('is how push() and decodeFrames() hand out the frames of Buffer chunks', async () => {
    const wire = Buffer.from(encodeFrames([Buffer.from('ab'), Buffer.from('cde')]));
    const pushed = new FrameDecoder().push(wire);
    const iterated: Uint8Array[] = [];
    for await (const frame of decodeFrames([wire])) iterated.push(frame);
    for (const frames of [pushed, iterated]) {
      expect(frames.map((frame) => Buffer.isBuffer(frame))).toEqual([true, true]);
      expect(frames.map((frame) => frame.buffer === wire.buffer)).toEqual([true, true]);
      expect(frames.map((frame) => (frame as Buffer).toString())).toEqual(['ab', 'cde']);
    }
  });

  it('frames of Buffer chunks are Buffers also when they arrive in pieces, tiny or not', () => {
    const payloads = [Buffer.from('tiny'), Buffer.alloc(100, 7)];
    const wire = Buffer.from(encodeFrames(payloads));
    const decoder = new FrameDecoder();
    const frames = [...wire].flatMap((byte) => decoder.push(Buffer.of(byte)));
    expect(frames.map((frame) => Buffer.isBuffer(frame))).toEqual([true, true]);
    expect(frames).toEqual(payloads);
  });
});
