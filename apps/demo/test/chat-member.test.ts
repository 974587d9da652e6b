import { BrokenPipeError, ConnectionResetError, type StreamSocket } from '@sockkit/core';
import { describe, expect, it } from 'vitest';
import { ChatMember } from '../src/programs/chat-member.ts';
import { loopbackPair } from '../src/programs/loopback.ts';

/** Sends up to `limit` bytes; resolves with the error that stopped it, or `undefined` if all went. */
async function sendUntilError(conn: StreamSocket, limit: number): Promise<unknown> {
  const chunk = new Uint8Array(64 * 1024);
  try {
    for (let sent = 0; sent < limit; sent += chunk.length) await conn.sendAll(chunk);
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('ChatMember', () => {
  it('abort cuts a connection stalled on a peer that stopped reading, at once', async () => {
    await using pair = await loopbackPair();
    const stalled: ChatMember[] = [];
    const frame = new Uint8Array(8 * 1024 * 1024); // far more than the kernel buffers hold
    const member = new ChatMember(pair.server, pair.server.getPeerName(), {
      maxQueuedBytes: frame.length,
      onStalled: (stuck) => stalled.push(stuck),
    });
    member.deliver(frame); // handed to the socket; most of it waits, the peer reads nothing
    member.deliver(new Uint8Array(1)); // over the bound
    expect(stalled).toEqual([member]);

    member.abort();
    // The peer's sends fail: the connection is gone, with what waited for the peer. After a
    // polite shutdown it would live on (the peer's 64 MiB accepted) until the peer read the backlog.
    const error = await sendUntilError(pair.client, 64 * 1024 * 1024);
    expect(error instanceof ConnectionResetError || error instanceof BrokenPipeError).toBe(true);
  });

  it('abort and deliver never throw once the connection is closed', async () => {
    await using pair = await loopbackPair();
    const stalled: ChatMember[] = [];
    const member = new ChatMember(pair.server, pair.server.getPeerName(), {
      maxQueuedBytes: 4,
      onStalled: (stuck) => stalled.push(stuck),
    });
    await member.close();
    expect(() => member.abort()).not.toThrow();
    expect(() => member.deliver(new Uint8Array(8))).not.toThrow();
    expect(stalled).toEqual([member]);
    expect(() => member.abort()).not.toThrow();
  });
});
