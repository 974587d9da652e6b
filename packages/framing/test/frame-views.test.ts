import { describe, expect, it } from 'vitest';
import { decodeFrames } from '../src/decode-frames.ts';
import { FrameDecoder } from '../src/decoder.ts';
import { encodeFrames } from '../src/encoder.ts';

/** What `bufferView` (core's internals, tested there) means for the frames framing hands out. */
describe('frames as Buffer views', () => {
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
