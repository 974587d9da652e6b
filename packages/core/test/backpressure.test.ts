import { describe, expect, it } from 'vitest';
import { connectedPair } from './helpers.ts';

const TOTAL = 256 * 1024 * 1024;
const CHUNK = 1024 * 1024;
/** Bytes i % 251 (a prime, so chunk boundaries fall at shifting phases): chunk at offset o starts at o % 251. */
const PATTERN = Buffer.from(Array.from({ length: CHUNK + 251 }, (_, i) => i % 251));
const expected = (offset: number, length: number) => PATTERN.subarray(offset % 251, (offset % 251) + length);

/** Resolves on the first event-loop turn at which `condition()` holds (a state, never a duration). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

describe('receive-side backpressure', () => {
  it('stalls a 256 MiB sendAll at the high-water mark instead of growing the heap, and loses nothing', async () => {
    await using pair = await connectedPair();
    const { client, conn } = pair;
    let handedOver = 0;
    let sent = false;
    const sending = (async () => {
      for (let offset = 0; offset < TOTAL; offset += CHUNK) {
        await client.sendAll(expected(offset, CHUNK));
        handedOver = offset + CHUNK;
      }
      client.shutdown('write');
      sent = true;
    })();

    // The stall, as both ends report it: the receiver stopped reading from the kernel and the
    // sender's writes wait for a drain (its kernel buffers are full). A receiver that never pauses
    // lets the whole transfer finish instead, and fails here.
    await until(() => (conn.readPaused && client.writeBlocked) || sent);
    expect(sent).toBe(false);
    expect(handedOver).toBeLessThan(TOTAL);
    // Paused: the mark, plus the one 64 KiB read that crossed it, plus what Node's stream holds
    // (below its own readable mark, up to 64 KiB by Node version, plus the one read past it).
    const bound = conn.highWaterMark + 64 * 1024 + 2 * 64 * 1024;
    expect(conn.bufferedBytes).toBeGreaterThanOrEqual(conn.highWaterMark);
    expect(conn.bufferedBytes).toBeLessThanOrEqual(bound);

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
    expect(conn.readPaused).toBe(false);
    expect(client.writeBlocked).toBe(false);
  });
});
