import { describe, expect, it } from 'vitest';
import { BrokenPipeError, SocketTimeoutError } from '../src/index.ts';
import { connectedPair, recvAll } from './helpers.ts';

/** Resolves on the first event-loop turn at which `condition()` holds (a state, never a duration). */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

const MiB = 1024 * 1024;
const filled = (byte: number, length: number) => new Uint8Array(length).fill(byte);

/** Asserts that `received` is exactly these runs of equal bytes, [value, length] each, in order. */
function expectRuns(received: Buffer, runs: [number, number][]): void {
  expect(received.length).toBe(runs.reduce((sum, [, length]) => sum + length, 0));
  let at = 0;
  for (const [value, length] of runs) {
    // memcmp against a filled buffer: a per-byte loop over 80 MiB would take seconds.
    expect(received.subarray(at, at + length).equals(Buffer.alloc(length, value))).toBe(true);
    at += length;
  }
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
    expectRuns(await receiving, [
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
    expectRuns(await receiving, [
      [1, 64 * MiB],
      [3, 10],
    ]);
  });

  it('fail with BrokenPipeError, not hang, when the write side is shut down while they wait', async () => {
    await using pair = await connectedPair();
    const { client } = pair;
    // Nobody reads: the first call waits for a 'drain' that never comes once the stream has ended,
    // and the two behind it wait for their turn.
    const first = client.sendAll(filled(1, 64 * MiB));
    await until(() => client.writeBlocked);
    const behind = [client.sendAll(filled(2, 100_000)), client.sendAll(filled(3, 100_000))];
    client.shutdown('write');
    for (const call of [first, ...behind]) await expect(call).rejects.toThrow(BrokenPipeError);
    await expect(client.sendAll(filled(4, 10))).rejects.toThrow(BrokenPipeError);
  });
});
