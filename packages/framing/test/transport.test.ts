import { once } from 'node:events';
import { createConnection, createServer, InvalidArgumentError, type StreamSocket } from '@sockkit/core';
import { describe, expect, it, vi } from 'vitest';
import { decodeFrames } from '../src/decode-frames.ts';
import { encodeFrame, encodeFrames } from '../src/encoder.ts';
import { framed } from '../src/framed.ts';
import { transportOf } from '../src/transport.ts';
import { streamPair } from './connections.ts';

/** A core server whose handler hands each accepted socket to `onConnection`, and one client connected to it. */
async function corePair(onConnection: (conn: StreamSocket) => Promise<void>) {
  const server = await createServer({ host: '127.0.0.1', port: 0 }, onConnection);
  const address = server.address;
  if (address.family === 'unix') throw new Error('expected a TCP address');
  const client = await createConnection({ host: '127.0.0.1', port: address.port }, { timeout: 5_000 });
  return {
    client,
    async [Symbol.asyncDispose]() {
      await client.close();
      await server.close();
    },
  };
}

describe('the StreamSocket transport', () => {
  it('a channel nobody iterates leaves the bytes in the socket, which pauses at its own high-water mark', async () => {
    let channelOf: (() => ReturnType<typeof framed>) | undefined;
    let socket: StreamSocket | undefined;
    let released: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      released = resolve;
    });
    await using pair = await corePair(async (conn) => {
      const channel = framed(conn, { maxQueuedMessages: 4, idleTimeout: null });
      channelOf = () => channel;
      socket = conn;
      await held;
      await channel.close();
    });
    const frame = encodeFrame(new Uint8Array(1000));
    const frames = encodeFrames(Array.from({ length: 4096 }, () => new Uint8Array(1000)));
    void pair.client.sendAll(frames).catch(() => {});
    await vi.waitFor(() => expect(channelOf).toBeDefined());
    const channel = channelOf!();
    // The socket behind the channel: its read buffer is the only one, bounded by its mark.
    await vi.waitFor(() => expect(channel.stats.messagesReceived).toBeGreaterThanOrEqual(4), {
      timeout: 5_000,
    });
    await vi.waitFor(() => expect(socket?.readPaused).toBe(true), { timeout: 5_000 });
    expect(socket!.bufferedBytes).toBeGreaterThanOrEqual(socket!.highWaterMark);
    const received = channel.stats.messagesReceived;
    // At most one 64 KiB read was decoded past the queue bound, not the 4 MiB sent.
    expect(received).toBeLessThanOrEqual(4 + Math.ceil((64 * 1024) / frame.length) + 1);
    let count = 0;
    for await (const payload of channel) {
      expect(payload.length).toBe(1000);
      if (++count === 4096) break;
    }
    expect(channel.stats.messagesReceived).toBe(4096);
    released();
  });

  it('delivers bytes that reached the socket before framed() was called', async () => {
    await using pair = await corePair(async (conn) => {
      await conn.sendAll(encodeFrames([Uint8Array.of(1), Uint8Array.of(2)]));
    });
    await vi.waitFor(() => expect(pair.client.bufferedBytes).toBe(10), { timeout: 5_000 });
    const channel = framed(pair.client);
    const payloads: number[][] = [];
    for await (const payload of channel) payloads.push([...payload]);
    expect(payloads).toEqual([[1], [2]]);
    expect(channel.error).toBeNull();
  });

  it('delivers every message and then the end when the FIN arrived while the channel was paused', async () => {
    const count = 40_000; // 200 KB of 5-byte frames: more than one read and more than the socket's mark
    await using pair = await corePair(async (conn) => {
      await conn.sendAll(
        encodeFrames(Array.from({ length: count }, (_, index) => Uint8Array.of(index & 0xff))),
      );
      conn.shutdown('write');
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    });
    const channel = framed(pair.client, { maxQueuedMessages: 4 });
    // Nobody reads yet: the channel pauses with the rest of the bytes left in the socket.
    await vi.waitFor(() => expect(pair.client.bufferedBytes).toBeGreaterThan(64 * 1024), { timeout: 5_000 });
    expect(channel.stats.messagesReceived).toBeLessThan(count);
    let received = 0;
    let outOfOrder = 0;
    for await (const payload of channel) {
      if (payload[0] !== (received & 0xff)) outOfOrder++; // one expect per message is slow under load
      received++;
    }
    expect([received, outOfOrder]).toEqual([count, 0]);
    expect(channel.error).toBeNull();
  });

  it('fails the channel with the typed error when the socket is closed under it', async () => {
    await using pair = await corePair(async (conn) => {
      for await (const _ of decodeFrames(conn));
    });
    const channel = framed(pair.client);
    await pair.client.close();
    await vi.waitFor(() => expect(channel.error?.name).toBe('SocketClosedError'));
    await expect(channel.send(new Uint8Array(1))).rejects.toThrow(/closed/);
  });
});

describe('the StreamSocket transport, misused', () => {
  it('a channel over a socket another channel reads fails alone: the first keeps its connection', async () => {
    await using pair = await corePair(async (conn) => {
      const echo = framed(conn);
      for await (const message of echo) await echo.send(message);
    });
    const first = framed(pair.client);
    const second = framed(pair.client);
    await vi.waitFor(() => expect(second.error?.name).toBe('InvalidStateError'));
    expect(first.error).toBeNull();
    expect(pair.client.closed).toBe(false);
    await first.send(new Uint8Array([1, 2, 3]));
    const reply = await first[Symbol.asyncIterator]().next();
    expect([...(reply.value as Uint8Array)]).toEqual([1, 2, 3]);
  });

  it('a channel over a closed socket fails instead of throwing', async () => {
    await using pair = await corePair(async (conn) => {
      for await (const _ of decodeFrames(conn));
    });
    await pair.client.close();
    const channel = framed(pair.client);
    await vi.waitFor(() => expect(channel.error?.name).toBe('SocketClosedError'));
  });
});

describe('the Duplex transport', () => {
  it('end(then) calls then once, whether the write side finished or the stream closed first', async () => {
    const [near] = streamPair();
    const transport = transportOf(near);
    transport.start({ data() {}, end() {}, error() {}, close() {}, drain() {} });
    const then = vi.fn();
    transport.end(then);
    await once(near, 'finish');
    near.destroy();
    await once(near, 'close');
    expect(then).toHaveBeenCalledOnce();
    expect(transport.writableEnded).toBe(true);
    expect(transport.destroyed).toBe(true);
  });

  it('refuses what is neither a StreamSocket nor a Duplex', () => {
    for (const value of [42, null, {}, { on() {}, write() {} }]) {
      expect(() => transportOf(value as never)).toThrow(InvalidArgumentError);
    }
  });
});
