import { describe, expect, it } from 'vitest';
import { SocketTimeoutError } from '../src/index.ts';
import { connectedPair, recvAll } from './helpers.ts';

/** Resolves on the first event-loop turn at which `condition()` holds (a state, never a duration). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

const MiB = 1024 * 1024;
const filled = (byte: number, length: number) => new Uint8Array(length).fill(byte);

/** The byte values of `received` as runs: [value, length] for each stretch of equal bytes. */
function runs(received: Uint8Array): [number, number][] {
  const out: [number, number][] = [];
  for (const byte of received) {
    const last = out.at(-1);
    if (last?.[0] === byte) last[1] += 1;
    else out.push([byte, 1]);
  }
  return out;
}

describe('concurrent sendAll calls', () => {
  it('put each call on the wire whole and in call order, sliced or not', async () => {
    await using pair = await connectedPair();
    const { client, conn } = pair;
    // Nobody reads yet: the first call fills the kernel's buffers and waits for 'drain' mid-call.
    const sends = [client.sendAll(filled(1, 48 * MiB))];
    await until(() => client.writeBlocked);
    sends.push(
      client.sendAll(filled(2, 24 * MiB), { timeout: 20_000 }),
      client.sendAll(filled(3, 100)), // would take the one-write fast path if nothing were writing
      client.sendAll(filled(4, 8 * MiB)),
    );
    const receiving = recvAll(conn);
    await Promise.all(sends);
    client.shutdown('write');
    expect(runs(await receiving)).toEqual([
      [1, 48 * MiB],
      [2, 24 * MiB],
      [3, 100],
      [4, 8 * MiB],
    ]);
  });

  it('count the wait for an earlier call against their own timeout, sending nothing when it runs out', async () => {
    await using pair = await connectedPair();
    const { client, conn } = pair;
    // Nobody reads, so the first call stays inside its slices and keeps the turn.
    const first = client.sendAll(filled(1, 64 * MiB));
    const second = client.sendAll(filled(2, 1024), { timeout: 50 });
    await expect(second).rejects.toThrow(SocketTimeoutError);
    await expect(second).rejects.toMatchObject({ bytesSent: 0 });
    const third = client.sendAll(filled(3, 10));
    const receiving = recvAll(conn);
    await Promise.all([first, third]);
    client.shutdown('write');
    expect(runs(await receiving)).toEqual([
      [1, 64 * MiB],
      [3, 10],
    ]);
  });
});
