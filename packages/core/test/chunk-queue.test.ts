import { describe, expect, it } from 'vitest';
import { ChunkQueue } from '../src/chunk-queue.ts';

const bytes = (...values: number[]) => Buffer.from(values);

describe('ChunkQueue', () => {
  it('hands out a whole chunk without copying when it fits', () => {
    const queue = new ChunkQueue();
    const chunk = Buffer.alloc(8192, 1);
    queue.push(chunk);
    expect(queue.take(65536)).toBe(chunk);
    expect(queue.size).toBe(0);
  });

  it('hands out a view of the front of a chunk larger than the request', () => {
    const queue = new ChunkQueue();
    const chunk = Buffer.from('abcdefgh');
    queue.push(chunk);
    const front = queue.take(3);
    expect(front.buffer).toBe(chunk.buffer);
    expect(Buffer.from(front).toString()).toBe('abc');
    expect(Buffer.from(queue.take(10)).toString()).toBe('defgh');
  });

  it('merges small chunks up to the request, keeping order and the rest', () => {
    const queue = new ChunkQueue();
    for (let i = 0; i < 10; i++) queue.push(bytes(i, i));
    expect([...queue.take(5)]).toEqual([0, 0, 1, 1, 2]);
    expect(queue.size).toBe(15);
    expect([...queue.take(100)]).toEqual([2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9]);
    expect(queue.size).toBe(0);
  });

  it('returns every byte once, in order, whatever the chunking and request sizes', () => {
    const queue = new ChunkQueue();
    const data = Buffer.from(Array.from({ length: 48_000 }, (_, i) => i % 253));
    let offset = 0;
    for (const size of [1, 5000, 3, 7000, 2, 20000, 15994]) {
      queue.push(data.subarray(offset, offset + size));
      offset += size;
    }
    const out: Uint8Array[] = [];
    for (let request = 1; queue.size > 0; request = (request * 7) % 9001 || 1) out.push(queue.take(request));
    expect(Buffer.concat(out).equals(data)).toBe(true);
  });

  it('ignores empty chunks and clears', () => {
    const queue = new ChunkQueue();
    queue.push(new Uint8Array(0));
    expect(queue.size).toBe(0);
    queue.push(bytes(1, 2));
    queue.clear();
    expect(queue.size).toBe(0);
  });
});
