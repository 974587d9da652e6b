import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { FrameDecoder } from '../src/decoder.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function retainedBytes(): number {
  gc();
  gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

describe('FrameDecoder memory', () => {
  it('keeps bounded memory for a 1 MiB frame written one byte at a time (declared size + 64 KiB)', () => {
    const declared = 1024 * 1024;
    const source = new Uint8Array(declared).fill(0x61);
    const decoder = new FrameDecoder();
    const before = retainedBytes();
    decoder.push(Uint8Array.of(0x00, 0x10, 0x00, 0x00));
    for (let index = 0; index < declared - 1; index++)
      decoder.pushEach(source.subarray(index, index + 1), () => {});
    expect(decoder.bufferedBytes).toBe(4 + declared - 1);
    const growth = retainedBytes() - before;
    // Views kept per byte would cost ~80 MiB here; the decoder copies small chunks into 64 KiB buffers.
    expect(growth).toBeLessThan(declared + 64 * 1024 + 256 * 1024);
    const frames = decoder.push(source.subarray(declared - 1));
    expect(frames[0]).toHaveLength(declared);
  });
});
