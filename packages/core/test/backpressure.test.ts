import { describe, expect, it } from 'vitest';
import { connectedPair } from './helpers.ts';

const TOTAL = 256 * 1024 * 1024;
const CHUNK = 1024 * 1024;
/** Bytes i % 251 (a prime, so chunk boundaries fall at shifting phases): chunk at offset o starts at o % 251. */
const PATTERN = Buffer.from(Array.from({ length: CHUNK + 251 }, (_, i) => i % 251));
const expected = (offset: number, length: number) => PATTERN.subarray(offset % 251, (offset % 251) + length);

/** Resolves after `turns` polls in which `read()` gave the same value (time passes between polls). */
async function settled(read: () => string, turns = 10): Promise<void> {
  let last = read();
  for (let same = 0; same < turns; ) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    const now = read();
    same = now === last ? same + 1 : 0;
    last = now;
  }
}

describe('receive-side backpressure', () => {
  it('stalls a 256 MiB sendAll at the high-water mark instead of growing the heap, and loses nothing', async () => {
    await using pair = await connectedPair();
    const { client, conn } = pair;
    let handedOver = 0;
    const sending = (async () => {
      for (let offset = 0; offset < TOTAL; offset += CHUNK) {
        await client.sendAll(expected(offset, CHUNK));
        handedOver = offset + CHUNK;
      }
      client.shutdown('write');
    })();

    await settled(() => `${handedOver}/${conn.bufferedBytes}`);
    expect(handedOver).toBeLessThan(TOTAL);
    // Stalled: at most the mark plus the one chunk (a 64 KiB read) that crossed it.
    expect(conn.bufferedBytes).toBeGreaterThanOrEqual(conn.highWaterMark);
    expect(conn.bufferedBytes).toBeLessThanOrEqual(conn.highWaterMark + 64 * 1024);
    // While reading, Node's stream may also hold what it read before noticing the pause.
    const bound = conn.highWaterMark + 64 * 1024 + 2 * 64 * 1024;

    let received = 0;
    let peak = 0;
    for (;;) {
      peak = Math.max(peak, conn.bufferedBytes);
      const chunk = await conn.recv(64 * 1024);
      if (chunk.length === 0) break;
      if (!expected(received, chunk.length).equals(chunk)) {
        throw new Error(`bytes differ in the chunk at offset ${received}`);
      }
      received += chunk.length;
    }
    await sending;
    expect(received).toBe(TOTAL);
    expect(peak).toBeLessThanOrEqual(bound);
  });
});
