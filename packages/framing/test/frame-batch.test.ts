import { describe, expect, it } from 'vitest';
import { FrameDecoder } from '../src/decoder.ts';
import { encodeFrame } from '../src/encoder.ts';
import { FrameTooLargeError } from '../src/errors.ts';
import { defineFrameFormat, FrameFormats } from '../src/format.ts';
import { BATCHED_PAYLOAD, FrameBatch } from '../src/frame-batch.ts';

const payload = (tag: number, size = 3) => new Uint8Array(size).fill(tag);

/** Appends `payloads`, taking and renewing whenever one does not fit, and returns every chunk taken. */
function fill(batch: FrameBatch, payloads: Uint8Array[]): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (const each of payloads) {
    if (batch.append(each) > 0) continue;
    const full = batch.take();
    if (full !== null) chunks.push(full);
    batch.renewFor(each);
  }
  const rest = batch.take();
  if (rest !== null) chunks.push(rest);
  return chunks;
}

describe('FrameBatch', () => {
  it.each([
    ['uint32BE (inline headers)', FrameFormats.uint32BE],
    ['uint32 little-endian (inline headers)', defineFrameFormat({ prefix: 'uint32', endian: 'little' })],
    ['varint', FrameFormats.varint],
    ['uint16 with an adjustment', defineFrameFormat({ prefix: 'uint16', lengthAdjustment: -2 })],
  ])('encodes frames back to back as encodeFrame does (%s)', (_name, format) => {
    const payloads = [payload(1), payload(2, 0), payload(3, 300)];
    const [chunk] = fill(new FrameBatch(format), payloads);
    const expected = Buffer.concat(payloads.map((each) => encodeFrame(each, format)));
    expect(Buffer.from(chunk!)).toEqual(expected);
  });

  it("sizes a new buffer by the large takes before a small one, so a tick's last take does not restart the doubling", () => {
    const batch = new FrameBatch(FrameFormats.uint32BE);
    const each = payload(7, 32);
    const frames = (chunk: Uint8Array) => chunk.length / 36;
    // A steady sender: full buffers, doubling up to 64 KiB.
    const taken = fill(
      batch,
      Array.from({ length: 6000 }, () => each),
    );
    expect(Math.max(...taken.map(frames))).toBe(Math.floor((64 * 1024) / 36));
    // The tick ends with a small take; the next buffer still holds 32 KiB of frames (not 512 B).
    batch.renewFor(each);
    expect(frames(batch.take()!)).toBe(1);
    batch.renewFor(each);
    let fitted = 1;
    while (batch.append(each) > 0) fitted++;
    expect(fitted).toBeGreaterThanOrEqual(Math.floor((32 * 1024) / 36));
  });

  it('returns 0 and appends nothing until it has a buffer with room', () => {
    const batch = new FrameBatch(FrameFormats.uint32BE);
    expect(batch.append(payload(1))).toBe(0);
    expect(batch.take()).toBeNull();
    expect(batch.renewFor(payload(1))).toBe(7);
    expect(batch.length).toBe(7);
  });

  it('takes what was appended as one chunk and lets its buffer go, sizing the next after it', () => {
    const batch = new FrameBatch(FrameFormats.uint32BE);
    batch.renewFor(payload(1));
    batch.append(payload(2));
    const first = batch.take()!;
    expect([...first]).toEqual([0, 0, 0, 3, 1, 1, 1, 0, 0, 0, 3, 2, 2, 2]);
    expect(batch.take()).toBeNull();
    expect(batch.length).toBe(0);
    expect(batch.append(payload(3))).toBe(0); // no buffer until renewed: nothing held while idle
    batch.renewFor(payload(3));
    const second = batch.take()!;
    expect([...first]).toEqual([0, 0, 0, 3, 1, 1, 1, 0, 0, 0, 3, 2, 2, 2]); // a new buffer (maybe the same pool): first untouched
    expect(second.buffer === first.buffer && second.byteOffset === first.byteOffset).toBe(false);
  });

  it('appendGrowing: a batch that starts at its first frame grows, copied, to 64 KiB and keeps every frame in order', () => {
    const batch = new FrameBatch(FrameFormats.uint32BE, 0);
    batch.renewFor(payload(0, 8));
    let appended = 1;
    while (batch.appendGrowing(payload(appended % 251, 8)) > 0) appended++;
    expect(appended).toBe(Math.floor((64 * 1024) / 12)); // 12-byte frames until 64 KiB is full
    const chunk = batch.take()!;
    expect(chunk.length).toBe(appended * 12);
    const frames: number[] = [];
    new FrameDecoder(FrameFormats.uint32BE).pushEach(chunk, (bytes, start) => frames.push(bytes[start]!));
    expect(frames).toEqual(Array.from({ length: appended }, (_, index) => index % 251));
  });

  it('starts new buffers that grow with the bytes appended, up to 64 KiB, and decode in order', () => {
    const payloads = Array.from({ length: 5_000 }, (_, index) => payload(index & 0xff, 32));
    const chunks = fill(new FrameBatch(FrameFormats.uint32BE), payloads);
    expect(chunks.length).toBeGreaterThan(3);
    expect(Math.max(...chunks.map((chunk) => chunk.buffer.byteLength))).toBeLessThanOrEqual(64 * 1024);
    const decoder = new FrameDecoder(FrameFormats.uint32BE);
    const decoded = chunks.flatMap((chunk) => decoder.push(chunk));
    expect(decoded.map((each) => each[0])).toEqual(payloads.map((each) => each[0]));
  });

  it('fits the largest batched payload even with a minimal buffer', () => {
    const batch = new FrameBatch(FrameFormats.varint);
    expect(batch.renewFor(payload(9, BATCHED_PAYLOAD))).toBe(BATCHED_PAYLOAD + 2);
  });

  it('throws FrameTooLargeError over maxFrameLength before appending anything', () => {
    for (const format of [
      defineFrameFormat({ prefix: 'uint32', maxFrameLength: 4 }),
      defineFrameFormat({ prefix: 'varint', maxFrameLength: 4 }),
    ]) {
      const batch = new FrameBatch(format);
      batch.renewFor(payload(1, 4));
      expect(() => batch.append(payload(2, 5))).toThrow(FrameTooLargeError);
      expect(batch.length).toBe(format.prefix === 'varint' ? 5 : 8);
    }
  });
});
