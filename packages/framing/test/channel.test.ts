import { once } from 'node:events';
import { Duplex } from 'node:stream';
import {
  BrokenPipeError,
  createConnection,
  createServer,
  InvalidArgumentError,
  InvalidStateError,
} from '@sockkit/core';
import { tempDir } from '@sockkit/testkit';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import type { Correlation } from '../src/channel.ts';
import { createCodec } from '../src/codec.ts';
import { decodeFrames } from '../src/decode-frames.ts';
import { encodeFrame, encodeFrames } from '../src/encoder.ts';
import {
  ChannelClosedError,
  CloseTimeoutError,
  FrameTooLargeError,
  MessageDecodeError,
  MessageValidationError,
  ReadTimeoutError,
  RequestBlockedError,
  RequestTimeoutError,
  SendQueueFullError,
  SendTimeoutError,
  TruncatedFrameError,
} from '../src/errors.ts';
import { defineFrameFormat } from '../src/format.ts';
import { framed } from '../src/framed.ts';
import { socketPair, streamPair } from './connections.ts';

const Message = z.object({
  id: z.number().int().optional(),
  kind: z.enum(['ask', 'reply', 'note']),
  text: z.string(),
});
type Message = z.infer<typeof Message>;
const codec = createCodec(Message);
const correlation: Correlation<Message> = {
  stamp: (request, id) => ({ ...request, id }),
  replyTo: (message) => (message.kind === 'reply' ? message.id : undefined),
};

async function nextOf<T>(channel: AsyncIterable<T>): Promise<T> {
  for await (const message of channel) return message;
  throw new Error('channel ended');
}

async function failureOf(channel: AsyncIterable<unknown>): Promise<unknown> {
  try {
    for await (const _ of channel);
  } catch (error) {
    return error;
  }
  throw new Error('channel ended without an error');
}

/** Iterates `channel` to its end or error: what it delivered and the error it threw (or null). */
async function readAll<T>(channel: AsyncIterable<T>): Promise<{ messages: T[]; error: unknown }> {
  const messages: T[] = [];
  try {
    for await (const message of channel) messages.push(message);
  } catch (error) {
    return { messages, error };
  }
  return { messages, error: null };
}

describe('framed over real sockets', () => {
  it.each([
    ['TCP 127.0.0.1', { host: '127.0.0.1' }],
    ['TCP ::1', { host: '::1' }],
  ])('sends and receives typed messages both ways (%s)', async (_name, listen) => {
    await using pair = await socketPair(listen);
    const client = framed(pair.client, { codec });
    const server = framed(pair.server, { codec });
    await client.send({ kind: 'note', text: 'hello' });
    expect(await nextOf(server)).toEqual({ kind: 'note', text: 'hello' });
    await server.send({ kind: 'note', text: 'back' });
    expect(await nextOf(client)).toEqual({ kind: 'note', text: 'back' });
    await client.close();
    const rest: Message[] = [];
    for await (const message of server) rest.push(message);
    expect(rest).toEqual([]);
    expect(server.error).toBeNull();
  });

  it('works over a Unix socket', async () => {
    await using dir = await tempDir();
    await using pair = await socketPair({ path: `${dir.path}/s` });
    const client = framed(pair.client);
    const server = framed(pair.server);
    await client.send(new Uint8Array([1, 2, 3]));
    expect([...(await nextOf(server))]).toEqual([1, 2, 3]);
  });

  it('yields every frame of many glued into one write (sticky packets)', async () => {
    await using pair = await socketPair();
    const server = framed(pair.server, { codec });
    const notes = Array.from({ length: 500 }, (_, index) => ({ kind: 'note' as const, text: `n${index}` }));
    pair.client.end(encodeFrames(notes.map((note) => codec.encode(note))));
    const received: Message[] = [];
    for await (const message of server) received.push(message);
    expect(received).toEqual(notes);
  });

  it('send waits for a slow reader instead of buffering without bound', async () => {
    await using pair = await socketPair();
    const sender = framed(pair.client);
    const receiver = framed(pair.server, { maxQueuedMessages: 2 });
    const frame = new Uint8Array(1024 * 1024).fill(7);
    const count = 24;
    let largestBuffer = 0;
    const sending = (async () => {
      for (let index = 0; index < count; index++) {
        await sender.send(frame);
        largestBuffer = Math.max(largestBuffer, pair.client.writableLength);
      }
      await sender.close();
    })();
    let received = 0;
    for await (const payload of receiver) {
      expect(payload.length).toBe(frame.length);
      received++;
      await new Promise((resolve) => setImmediate(resolve));
    }
    await sending;
    expect(received).toBe(count);
    // Without waiting for 'drain', the sender would hold most of the 24 MiB in its write buffer.
    expect(largestBuffer).toBeLessThanOrEqual(frame.length + pair.client.writableHighWaterMark + 4);
  });

  it('concurrent un-awaited sends (a fan-out) to a peer that does not read keep the write buffer bounded', async () => {
    await using pair = await socketPair();
    pair.server.pause();
    const sender = framed(pair.client, { maxQueuedSendBytes: 128 * 1024 * 1024 });
    const payload = new Uint8Array(64 * 1024).fill(3);
    const frameLength = payload.length + 4;
    const count = 1024; // 64 MiB: more than loopback's socket buffers (up to 4 + 32 MiB here) take
    let largestBuffer = 0;
    let written = 0;
    const sends = Array.from({ length: count }, () =>
      sender.send(payload).then(() => {
        written++;
        largestBuffer = Math.max(largestBuffer, pair.client.writableLength);
      }),
    );
    // Without the queue, all 64 MiB would sit in the write buffer right now.
    expect(pair.client.writableLength).toBeLessThanOrEqual(pair.client.writableHighWaterMark + frameLength);
    expect(written).toBe(0);
    const receiver = framed(pair.server);
    pair.server.resume();
    let received = 0;
    for await (const frame of receiver) {
      expect(Buffer.compare(frame, payload)).toBe(0);
      if (++received === count) break;
    }
    await Promise.all(sends);
    expect(sender.stats.messagesSent).toBe(count);
    expect(largestBuffer).toBeLessThanOrEqual(pair.client.writableHighWaterMark + frameLength);
  });

  it('a peer that never reads cannot grow un-awaited sends without bound, nor crash the process with their rejections', async () => {
    await using pair = await socketPair();
    pair.server.pause();
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const limit = 1024 * 1024;
      const sender = framed(pair.client, { maxQueuedSendBytes: limit });
      const payload = new Uint8Array(4096);
      // 16 MiB of fire-and-forget sends: far more than the socket buffers and the queue limit take.
      for (let index = 0; index < 4096; index++) void sender.send(payload);
      expect(sender.error).toBeInstanceOf(SendQueueFullError);
      expect(sender.error).toMatchObject({ limit });
      expect((sender.error as SendQueueFullError).queuedBytes).toBeGreaterThan(limit);
      expect(pair.client.destroyed).toBe(true);
      await expect(sender.send(payload)).rejects.toThrow(ChannelClosedError); // awaited: still rejects
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('closes with SendTimeoutError when queued sends wait on a peer that reads nothing (slow read)', async () => {
    await using pair = await socketPair();
    pair.server.pause();
    const sender = framed(pair.client, { sendTimeout: 100, maxQueuedSendBytes: 64 * 1024 * 1024 });
    // 48 MiB (one buffer, sent uncopied): more than the socket buffers take, so the last sends
    // wait for a drain that never comes.
    const payload = new Uint8Array(8 * 1024 * 1024);
    const sends = Array.from({ length: 6 }, () => sender.send(payload));
    const error = await failureOf(sender);
    expect(error).toBeInstanceOf(SendTimeoutError);
    expect(error).toMatchObject({ timeout: 100, code: 'SOCKKIT_ERR_SEND_TIMEOUT' });
    await expect(sends.at(-1)).rejects.toMatchObject({ name: 'ChannelClosedError', cause: error });
    expect(pair.client.destroyed).toBe(true);
  });

  it('stops reading once maxQueuedMessages are unread, and delivers them all when iterated', async () => {
    await using pair = await socketPair();
    const sender = framed(pair.client, { codec });
    const receiver = framed(pair.server, { codec, maxQueuedMessages: 8 });
    const notes = Array.from({ length: 1000 }, (_, index) => ({ kind: 'note' as const, text: `n${index}` }));
    await sender.sendMany(notes);
    await vi.waitFor(() => expect(pair.server.isPaused()).toBe(true));
    await sender.close();
    const received: Message[] = [];
    for await (const message of receiver) received.push(message);
    expect(received).toEqual(notes);
    expect(receiver.stats).toEqual({
      messagesReceived: 1000,
      messagesSent: 0,
      skipped: 0,
      pendingRequests: 0,
      queuedSendBytes: 0,
    });
    expect(sender.stats.messagesSent).toBe(1000);
  });

  it('fails only the channel whose peer sends an oversized frame; others keep working', async () => {
    await using bad = await socketPair();
    await using good = await socketPair();
    const small = defineFrameFormat({ maxFrameLength: 1024 });
    const badChannel = framed(bad.server, { format: small });
    const goodChannel = framed(good.server, { format: small });
    bad.client.write(Uint8Array.of(0x00, 0x01, 0x00, 0x00));
    const error = await failureOf(badChannel);
    expect(error).toBeInstanceOf(FrameTooLargeError);
    expect(error).toMatchObject({ declaredLength: 65_536, maxFrameLength: 1024 });
    await once(bad.client, 'close');
    await expect(badChannel.send(new Uint8Array(1))).rejects.toThrow(ChannelClosedError);
    good.client.write(encodeFrame(new Uint8Array([9]), small));
    expect([...(await nextOf(goodChannel))]).toEqual([9]);
  });

  it('delivers the frames before an oversized header in the same chunk', async () => {
    await using pair = await socketPair();
    const small = defineFrameFormat({ maxFrameLength: 64 });
    const client = framed(pair.client, { codec, format: small, correlation });
    const asking = client.request({ kind: 'ask', text: 'q' });
    await once(pair.server, 'data');
    const good = encodeFrames(
      [codec.encode({ kind: 'reply', id: 1, text: 'a' }), codec.encode({ kind: 'note', text: 'n' })],
      small,
    );
    pair.server.write(new Uint8Array([...good, 0x00, 0x00, 0x01, 0x00]));
    expect(await asking).toEqual({ kind: 'reply', id: 1, text: 'a' });
    const { messages, error } = await readAll(client);
    expect(messages).toEqual([{ kind: 'note', text: 'n' }]);
    expect(error).toBeInstanceOf(FrameTooLargeError);
  });

  it('cannot answer the messages before an oversized frame of the same write: the channel closed at the bad frame', async () => {
    await using pair = await socketPair();
    const small = defineFrameFormat({ maxFrameLength: 64 });
    const server = framed(pair.server, { codec, format: small });
    const ask = encodeFrame(codec.encode({ kind: 'ask', text: 'q' }), small);
    pair.client.write(new Uint8Array([...ask, 0x00, 0x00, 0x01, 0x00]));
    const messages = server[Symbol.asyncIterator]();
    expect((await messages.next()).value).toEqual({ kind: 'ask', text: 'q' });
    const refused = await server.send({ kind: 'reply', text: 'a' }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ChannelClosedError);
    expect((refused as Error).cause).toBeInstanceOf(FrameTooLargeError);
    await expect(messages.next()).rejects.toThrow(FrameTooLargeError);
  });

  it("answers the messages around an oversized frame of the same write with onInvalid 'skip'", async () => {
    await using pair = await socketPair();
    const small = defineFrameFormat({ maxFrameLength: 64 });
    const server = framed(pair.server, { codec, format: small, onInvalid: 'skip' });
    const client = framed(pair.client, { codec, format: small });
    const asks = ['q1', 'q2'].map((text) => encodeFrame(codec.encode({ kind: 'ask', text }), small));
    pair.client.write(
      new Uint8Array([...asks[0]!, 0x00, 0x00, 0x00, 0x65, ...new Uint8Array(101), ...asks[1]!]),
    );
    const serving = (async () => {
      for await (const ask of server) await server.send({ kind: 'reply', text: `re ${ask.text}` });
    })();
    const replies = client[Symbol.asyncIterator]();
    expect((await replies.next()).value).toEqual({ kind: 'reply', text: 're q1' });
    expect((await replies.next()).value).toEqual({ kind: 'reply', text: 're q2' });
    expect(server.stats.skipped).toBe(1);
    await client.close();
    await serving;
  });

  it('surfaces an error held behind messages of the same chunk while the peer keeps the connection open and silent', async () => {
    await using pair = await socketPair();
    const small = defineFrameFormat({ maxFrameLength: 64 });
    const server = framed(pair.server, { format: small, idleTimeout: null, frameTimeout: null });
    pair.client.write(
      new Uint8Array([...encodeFrames([Uint8Array.of(1), Uint8Array.of(2)], small), 0, 0, 1, 0]),
    );
    const { messages, error } = await readAll(server);
    expect(messages.map((payload) => [...payload])).toEqual([[1], [2]]);
    expect(error).toBeInstanceOf(FrameTooLargeError);
    expect(pair.client.writableEnded).toBe(false);
  });

  it('delivers the messages before a bad message in the same chunk, then fails', async () => {
    await using pair = await socketPair();
    const server = framed(pair.server, { codec });
    const notes = [0, 1, 2].map((index) => codec.encode({ kind: 'note', text: `n${index}` }));
    pair.client.write(encodeFrames([...notes, Uint8Array.of(0xc1), notes[0]!]));
    const { messages, error } = await readAll(server);
    expect(messages.map((message) => message.text)).toEqual(['n0', 'n1', 'n2']);
    expect(error).toBeInstanceOf(MessageDecodeError);
  });

  it('fails the channel on a message of the wrong shape, with the zod issues', async () => {
    await using pair = await socketPair();
    const server = framed(pair.server, { codec });
    pair.client.write(encodeFrame(createCodec(z.object({ kind: z.string() })).encode({ kind: 'bogus' })));
    const error = await failureOf(server);
    expect(error).toBeInstanceOf(MessageValidationError);
    expect((error as MessageValidationError).issues[0]?.path).toEqual(['kind']);
  });

  it("onInvalid 'skip' drops and counts bad messages and oversized frames, then carries on", async () => {
    await using pair = await socketPair();
    const format = defineFrameFormat({ maxFrameLength: 64 });
    const server = framed(pair.server, { codec, format, onInvalid: 'skip' });
    pair.client.write(encodeFrame(new Uint8Array([0xc1])));
    pair.client.write(encodeFrame(new Uint8Array(100)));
    pair.client.write(encodeFrame(codec.encode({ kind: 'note', text: 'still here' })));
    expect(await nextOf(server)).toEqual({ kind: 'note', text: 'still here' });
    expect(server.stats.skipped).toBe(2);
  });

  it("close()'s flush is not cut by the frame deadline when a partial frame arrives meanwhile", async () => {
    await using pair = await socketPair();
    pair.server.pause();
    const client = framed(pair.client, { frameTimeout: 200, maxQueuedSendBytes: 64 * 1024 * 1024 });
    const sent = 8 * 1024 * 1024;
    void client.send(new Uint8Array(sent - 4));
    const closing = client.close({ timeout: 5000 });
    pair.server.write(Uint8Array.of(0, 0, 0, 10, 1)); // a frame begun, never finished
    await new Promise((resolve) => setTimeout(resolve, 600));
    let received = 0;
    pair.server.on('data', (chunk: Buffer) => (received += chunk.length));
    pair.server.on('end', () => pair.server.end());
    pair.server.resume();
    await closing;
    expect(client.error).toBeNull();
    await vi.waitFor(() => expect(received).toBe(sent));
  });

  it('close() gives up flushing after its timeout when the peer does not read, and closes', async () => {
    await using pair = await socketPair();
    pair.server.pause();
    const client = framed(pair.client, { maxQueuedSendBytes: 64 * 1024 * 1024 });
    // 32 MiB: more than loopback's socket buffers hold, so most of it stays in the write buffer.
    const sending = Array.from({ length: 4 }, () => client.send(new Uint8Array(8 * 1024 * 1024)));
    expect(pair.client.writableLength).toBeGreaterThan(0);
    await client.close({ timeout: 100 });
    expect(pair.client.destroyed).toBe(true);
    // Not a clean close: the bytes still in the write buffer were dropped.
    expect(client.error).toBeInstanceOf(CloseTimeoutError);
    expect(client.error).toMatchObject({ timeout: 100, code: 'SOCKKIT_ERR_CLOSE_TIMEOUT' });
    // The first send was written at once; the others waited for a drain that never came.
    const [first, ...waiting] = await Promise.allSettled(sending);
    expect(first).toMatchObject({ status: 'fulfilled' });
    for (const outcome of waiting) {
      expect(outcome).toMatchObject({ status: 'rejected', reason: expect.any(ChannelClosedError) });
    }
  });

  it('a second concurrent close() resolves only once the first has flushed and closed', async () => {
    await using pair = await socketPair();
    pair.server.resume();
    const client = framed(pair.client);
    const payload = new Uint8Array(8 * 1024 * 1024);
    await client.send(payload);
    await client.send(payload); // written after a drain: 8 MiB, more than a socket buffer takes at once
    expect(pair.client.writableLength).toBeGreaterThan(0);
    const first = client.close();
    await client.close();
    expect(pair.client.writableFinished).toBe(true);
    expect(pair.client.destroyed).toBe(true);
    await first;
  });

  it('fails with BrokenPipeError, not a clean close, when the connection closes under queued sends', async () => {
    await using pair = await socketPair(); // net.Socket, allowHalfOpen false: the peer's end ends ours
    const server = framed(pair.server, { maxQueuedSendBytes: 64 << 20 });
    let received = 0;
    pair.client.on('data', (chunk: Buffer) => (received += chunk.length));
    pair.client.end(encodeFrame(Uint8Array.of(1)));
    const sends: Promise<void>[] = [];
    for await (const _ of server) {
      for (let i = 0; i < 8; i++) sends.push(server.send(new Uint8Array(1 << 20)));
    }
    const outcomes = await Promise.allSettled(sends);
    expect(outcomes.some((outcome) => outcome.status === 'rejected')).toBe(true);
    await vi.waitFor(() => expect(server.error).toBeInstanceOf(BrokenPipeError));
    expect(received).toBeLessThan(8 * ((1 << 20) + 4));
  });

  it('refuses to send once the connection no longer accepts writes', async () => {
    await using pair = await socketPair();
    const server = framed(pair.server);
    pair.client.end();
    for await (const _ of server);
    await expect(server.send(new Uint8Array(1))).rejects.toThrow(ChannelClosedError);
  });

  it('fails at once over a connection destroyed before framed() saw it', async () => {
    await using pair = await socketPair();
    pair.server.destroy();
    const channel = framed(pair.server);
    await expect(channel.send(new Uint8Array(1))).rejects.toThrow(ChannelClosedError);
    const { messages, error } = await readAll(channel);
    expect(messages).toEqual([]);
    expect(error).toBeInstanceOf(ChannelClosedError);
    expect(channel.error).toBeInstanceOf(ChannelClosedError);
  });

  it('rejects bad options with an InvalidArgumentError naming them', async () => {
    await using pair = await socketPair();
    expect(() => framed(pair.client, { frameTimeout: -1 })).toThrow(/frameTimeout must be a positive number/);
    expect(() => framed(pair.client, { maxQueuedMessages: 0 })).toThrow(/maxQueuedMessages/);
  });

  it('ends only after the rest of a large chunk, when a Duplex ends while the full queue paused it', async () => {
    const duplex = new Duplex({ read() {}, write: (_chunk, _encoding, done) => done() });
    const channel = framed(duplex, { maxQueuedMessages: 8 });
    const payloads = Array.from({ length: 30_000 }, (_, index) => Uint8Array.of(index & 0xff, index >> 8));
    duplex.push(encodeFrames(payloads)); // 180,000 bytes in one chunk: several decode slices
    duplex.push(null);
    await new Promise((resolve) => setImmediate(resolve));
    const { messages, error } = await readAll(channel);
    expect(error).toBeNull();
    expect(messages).toHaveLength(30_000);
    expect(
      messages.every((message, index) => message[0] === (index & 0xff) && message[1] === index >> 8),
    ).toBe(true);
  });

  it('throws TruncatedFrameError when the peer ends inside a frame', async () => {
    await using pair = await socketPair();
    const server = framed(pair.server);
    pair.client.end(encodeFrame(new Uint8Array(10)).subarray(0, 7));
    const error = await failureOf(server);
    expect(error).toBeInstanceOf(TruncatedFrameError);
    expect(error).toMatchObject({ missingBytes: 7 });
  });

  it('closes with ReadTimeoutError when a started frame stalls (slowloris)', async () => {
    await using pair = await socketPair();
    const server = framed(pair.server, { frameTimeout: 100 });
    pair.client.write(Uint8Array.of(0, 0, 0, 5, 1));
    const error = await failureOf(server);
    expect(error).toBeInstanceOf(ReadTimeoutError);
    expect(error).toMatchObject({ reason: 'frame', code: 'SOCKKIT_ERR_READ_TIMEOUT' });
    await once(pair.client, 'close');
  });

  it('closes with ReadTimeoutError after the idle timeout', async () => {
    await using pair = await socketPair();
    const server = framed(pair.server, { idleTimeout: 100 });
    expect(await failureOf(server)).toMatchObject({ reason: 'idle' });
    await once(pair.client, 'close');
  });

  describe('request/response', () => {
    it('matches replies to requests by correlation id, in any order', async () => {
      await using pair = await socketPair();
      const client = framed(pair.client, { codec, correlation });
      const server = framed(pair.server, { codec });
      const serving = (async () => {
        const asks: Message[] = [];
        for await (const ask of server) {
          asks.push(ask);
          if (asks.length === 3) break;
        }
        await server.send({ kind: 'note', text: 'unsolicited' });
        for (const ask of asks.reverse())
          await server.send({ kind: 'reply', id: ask.id!, text: `re ${ask.text}` });
      })();
      const replies = await Promise.all(['a', 'b', 'c'].map((text) => client.request({ kind: 'ask', text })));
      expect(replies.map((reply) => reply.text)).toEqual(['re a', 're b', 're c']);
      expect(await nextOf(client)).toEqual({ kind: 'note', text: 'unsolicited' });
      await serving;
    });

    it('replies reach their requests while unread messages fill the queue and nobody iterates', async () => {
      await using pair = await socketPair();
      const client = framed(pair.client, { codec, correlation, maxQueuedMessages: 8 });
      const server = framed(pair.server, { codec });
      const notes = Array.from({ length: 10 }, (_, index) => ({ kind: 'note' as const, text: `n${index}` }));
      await server.sendMany(notes);
      await vi.waitFor(() => expect(pair.client.isPaused()).toBe(true));
      const asking = client.request({ kind: 'ask', text: 'q' }, { timeout: 10_000 });
      const ask = await nextOf(server);
      await server.send({ kind: 'reply', id: ask.id!, text: 'a' });
      expect(await asking).toMatchObject({ kind: 'reply', text: 'a' });
      await server.close();
      expect((await readAll(client)).messages).toEqual(notes);
    });

    it('fails requests with RequestBlockedError, not a timeout, when unread messages reach twice maxQueuedMessages', async () => {
      await using pair = await socketPair();
      const client = framed(pair.client, { codec, correlation, maxQueuedMessages: 4 });
      const server = framed(pair.server, { codec });
      const padding = 'x'.repeat(200);
      const notes = Array.from({ length: 2000 }, (_, index) => ({
        kind: 'note' as const,
        text: `${index}${padding}`,
      }));
      const asking = client.request({ kind: 'ask', text: 'q' }, { timeout: 10_000 });
      const ask = await nextOf(server);
      const sending = server.sendMany([...notes, { kind: 'reply', id: ask.id!, text: 'late' }]);
      const error = await asking.then(
        () => null,
        (reason: unknown) => reason,
      );
      expect(error).toBeInstanceOf(RequestBlockedError);
      expect((error as RequestBlockedError).queuedMessages).toBeGreaterThanOrEqual(8);
      await expect(client.request({ kind: 'ask', text: 'again' })).rejects.toThrow(RequestBlockedError);
      await sending;
      await server.close();
      // Nothing is lost: the unsolicited messages, then the reply nobody waits for any more.
      const { messages, error: failure } = await readAll(client);
      expect(failure).toBeNull();
      expect(messages).toHaveLength(2001);
      expect(messages.slice(0, 2000)).toEqual(notes);
      expect(messages[2000]).toMatchObject({ kind: 'reply', text: 'late' });
    });

    it('rejects with RequestTimeoutError when no reply comes', async () => {
      await using pair = await socketPair();
      const client = framed(pair.client, { codec, correlation });
      await expect(client.request({ kind: 'ask', text: 'hello?' }, { timeout: 50 })).rejects.toThrow(
        RequestTimeoutError,
      );
    });

    it('takes its default timeout from the requestTimeout option', async () => {
      await using pair = await socketPair();
      const client = framed(pair.client, { codec, correlation, requestTimeout: 50 });
      await expect(client.request({ kind: 'ask', text: 'hello?' })).rejects.toMatchObject({
        code: 'SOCKKIT_ERR_REQUEST_TIMEOUT',
        timeout: 50,
      });
    });

    it('rejects with the abort reason when its signal aborts', async () => {
      await using pair = await socketPair();
      const client = framed(pair.client, { codec, correlation });
      const controller = new AbortController();
      const pending = client.request({ kind: 'ask', text: 'x' }, { signal: controller.signal });
      controller.abort(new Error('user gave up'));
      await expect(pending).rejects.toThrow('user gave up');
      await expect(client.request({ kind: 'ask', text: 'y' }, { signal: controller.signal })).rejects.toThrow(
        'user gave up',
      );
    });

    it('rejects pending requests with ChannelClosedError on close', async () => {
      await using pair = await socketPair();
      const client = framed(pair.client, { codec, correlation });
      const rejected = expect(client.request({ kind: 'ask', text: 'x' })).rejects.toThrow(ChannelClosedError);
      await client.close();
      await rejected;
    });

    it('needs the correlation option', async () => {
      await using pair = await socketPair();
      await expect(framed(pair.client, { codec }).request({ kind: 'ask', text: 'x' })).rejects.toThrow(
        /correlation option/,
      );
    });
  });
});

describe('batches()', () => {
  it('delivers every message in order, many per batch, sent one send() at a time', async () => {
    await using pair = await socketPair();
    const sender = framed(pair.client);
    const receiver = framed(pair.server);
    const count = 20_000;
    let batches = 0;
    let next = 0;
    const receiving = (async () => {
      for await (const batch of receiver.batches()) {
        batches++;
        for (const message of batch) {
          const index = new DataView(message.buffer, message.byteOffset, 4).getUint32(0, true);
          if (index !== next) throw new Error(`message ${index} where ${next} was due`);
          next++;
        }
        if (next === count) break;
      }
    })();
    for (let index = 0; index < count; index++) {
      const sent = sender.send(new Uint8Array(Uint32Array.of(index).buffer));
      if (index % 1024 === 1023) await sent;
    }
    await receiving;
    expect(next).toBe(count);
    expect(batches).toBeLessThan(count / 10);
    expect(receiver.stats.messagesReceived).toBe(count);
  });

  it('pauses reading while nobody asks for the next batch, and ends once the peer ends', async () => {
    await using pair = await socketPair();
    const sender = framed(pair.client, { codec });
    const receiver = framed(pair.server, { codec, maxQueuedMessages: 8 });
    const notes = Array.from({ length: 1000 }, (_, index) => ({ kind: 'note' as const, text: `n${index}` }));
    await sender.sendMany(notes);
    await vi.waitFor(() => expect(pair.server.isPaused()).toBe(true));
    await sender.close();
    const received: Message[] = [];
    for await (const batch of receiver.batches()) received.push(...batch);
    expect(received).toEqual(notes);
    expect(receiver.error).toBeNull();
  });

  it('delivers the messages before a bad message in the same chunk, then throws its error', async () => {
    await using pair = await socketPair();
    const server = framed(pair.server, { codec });
    const notes = [0, 1, 2].map((index) => codec.encode({ kind: 'note', text: `n${index}` }));
    pair.client.write(encodeFrames([...notes, Uint8Array.of(0xc1), notes[0]!]));
    const received: Message[] = [];
    const error = await (async () => {
      try {
        for await (const batch of server.batches()) received.push(...batch);
      } catch (error) {
        return error;
      }
      return null;
    })();
    expect(received.map((message) => message.text)).toEqual(['n0', 'n1', 'n2']);
    expect(error).toBeInstanceOf(MessageDecodeError);
  });

  it('ends when the channel is closed, and a throw in the reading loop leaves the channel to the next reader', async () => {
    await using pair = await socketPair();
    const sender = framed(pair.client);
    const receiver = framed(pair.server);
    await sender.sendMany([Uint8Array.of(1), Uint8Array.of(2)]);
    await vi.waitFor(() => expect(receiver.stats.messagesReceived).toBe(2));
    const mistake = new Error('the reader failed');
    await expect(
      (async () => {
        for await (const _ of receiver.batches()) throw mistake;
      })(),
    ).rejects.toBe(mistake);
    expect(receiver.error).toBeNull();
    await sender.send(Uint8Array.of(3));
    const next = await receiver.batches().next();
    expect(next.value?.map((message) => message[0])).toEqual([3]);
    const waiting = receiver.batches().next();
    await receiver.close();
    expect(await waiting).toEqual({ done: true, value: undefined });
  });

  it('one reader at a time: the iterator is refused while batches() waits, and the other way round', async () => {
    await using pair = await socketPair();
    const server = framed(pair.server);
    const batches = server.batches();
    const waiting = batches.next();
    await expect(server[Symbol.asyncIterator]().next()).rejects.toBeInstanceOf(InvalidStateError);
    pair.client.write(encodeFrame(Uint8Array.of(7)));
    const first = await waiting;
    expect(first.done).toBe(false);
    expect(first.value?.map((message) => [...message])).toEqual([[7]]);
    await batches.return();
    expect(await batches.next()).toEqual({ done: true, value: undefined });
    const messages = server[Symbol.asyncIterator]();
    const single = messages.next();
    await expect(server.batches().next()).rejects.toBeInstanceOf(InvalidStateError);
    pair.client.write(encodeFrame(Uint8Array.of(8)));
    expect([...((await single).value as Uint8Array)]).toEqual([8]);
  });
});

describe('piecesFrom', () => {
  const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a.buffer, a.byteOffset, a.length).equals(b);

  it('receives a large frame as the views of its chunks and sends pieces without joining them', async () => {
    await using pair = await socketPair();
    const sender = framed(pair.client, { piecesFrom: 100_000 });
    const receiver = framed(pair.server, { piecesFrom: 100_000 });
    const large = Uint8Array.from({ length: 1 << 20 }, (_, index) => (index * 7) & 0xff);
    const receiving = (async () => {
      const messages: (Uint8Array | readonly Uint8Array[])[] = [];
      for await (const message of receiver) {
        messages.push(message);
        if (messages.length === 3) return messages;
      }
      return messages;
    })();
    await sender.send(Uint8Array.of(1));
    await sender.send([large.subarray(0, 1000), large.subarray(1000)]);
    await sender.send(large);
    const [small, first, second] = await receiving;
    expect(small).toBeInstanceOf(Uint8Array);
    expect([...(small as Uint8Array)]).toEqual([1]);
    for (const pieces of [first, second]) {
      expect(Array.isArray(pieces)).toBe(true);
      expect(same(Buffer.concat(pieces as Uint8Array[]), large)).toBe(true);
    }
    expect(receiver.stats.messagesReceived).toBe(3);
  });

  it('refuses piecesFrom beside a codec, or not a positive integer, and pieces that are not bytes', async () => {
    await using pair = await socketPair();
    expect(() => framed(pair.client, { codec, piecesFrom: 10 } as never)).toThrow(InvalidArgumentError);
    expect(() => framed(pair.client, { piecesFrom: 0 })).toThrow(InvalidArgumentError);
    const channel = framed(pair.client, { piecesFrom: 10 });
    await expect(channel.send([Uint8Array.of(1), 'two' as never])).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    await expect(framed(pair.server).send([Uint8Array.of(1)] as never)).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
  });
});

describe('framed read deadlines (fake timers)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('request() leaves no pending entry and no timer when stamp, the timeout option or the message is bad', async () => {
    vi.useFakeTimers();
    const [near] = streamPair();
    const broken: Correlation<Message> = {
      stamp: () => {
        throw new Error('stamp broke');
      },
      replyTo: () => undefined,
    };
    const options = { codec, frameTimeout: null, idleTimeout: null } as const;
    const brokenChannel = framed(near, { ...options, correlation: broken });
    await expect(brokenChannel.request({ kind: 'ask', text: 'x' })).rejects.toThrow('stamp broke');
    expect(brokenChannel.stats.pendingRequests).toBe(0);
    expect(vi.getTimerCount()).toBe(0);

    const channel = framed(near, { ...options, correlation });
    for (const timeout of [-1, Number.NaN, 2 ** 31]) {
      const rejected = channel.request({ kind: 'ask', text: 'x' }, { timeout }); // must not throw
      await expect(rejected).rejects.toThrow(InvalidArgumentError);
    }
    const invalid = { kind: 'bogus', text: 'x' } as unknown as Message;
    await expect(channel.request(invalid)).rejects.toThrow(MessageValidationError);
    expect(channel.stats.pendingRequests).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('one huge chunk of empty frames queues at most one 64 KiB slice of messages past maxQueuedMessages', async () => {
    const [near, far] = streamPair();
    const channel = framed(near, { maxQueuedMessages: 8, idleTimeout: null, frameTimeout: null });
    const count = 256 * 1024; // 1 MiB of 4-byte headers declaring empty payloads, in one chunk
    far.write(new Uint8Array(count * 4));
    await vi.waitFor(() => expect(near.isPaused()).toBe(true));
    expect(channel.stats.messagesReceived).toBeLessThanOrEqual(8 + (64 * 1024) / 4);
    far.end();
    let received = 0;
    for await (const payload of channel) {
      expect(payload.length).toBe(0);
      received++;
    }
    expect(received).toBe(count);
    expect(channel.error).toBeNull();
  });

  it('gives each frame its own 30 s deadline, counted from its first byte', async () => {
    vi.useFakeTimers();
    const [near, far] = streamPair();
    const channel = framed(near, { idleTimeout: null });
    const received: number[] = [];
    const reading = (async () => {
      try {
        for await (const payload of channel) received.push(payload.length);
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    const frame = encodeFrame(new Uint8Array(3));
    far.write(frame.subarray(0, 2));
    await vi.advanceTimersByTimeAsync(20_000);
    far.write(Buffer.concat([frame.subarray(2), frame.subarray(0, 2)]));
    await vi.advanceTimersByTimeAsync(20_000);
    expect(channel.error).toBeNull();
    await vi.advanceTimersByTimeAsync(10_001);
    expect(await reading).toMatchObject({ reason: 'frame', timeout: 30_000 });
    expect(received).toEqual([3]);
  });
});

describe('framing over a @sockkit/core StreamSocket', () => {
  it('decodeFrames reads frames straight from the socket, sent glued and one byte at a time', async () => {
    const frames = ['alpha', '', 'gamma'].map((text) => new TextEncoder().encode(text));
    const wire = encodeFrames(frames);
    await using server = await createServer({ host: '127.0.0.1', port: 0 }, async (conn) => {
      await conn.sendAll(wire);
      for (const byte of wire) await conn.sendAll(Uint8Array.of(byte));
    });
    const address = server.address;
    if (address.family === 'unix') throw new Error('expected a TCP address');
    await using conn = await createConnection({ host: '127.0.0.1', port: address.port }, { timeout: 5_000 });
    const received: string[] = [];
    for await (const payload of decodeFrames(conn)) received.push(new TextDecoder().decode(payload));
    expect(received).toEqual(['alpha', '', 'gamma', 'alpha', '', 'gamma']);
  });

  it('echoes typed messages through makeFile()', async () => {
    await using server = await createServer({ host: '127.0.0.1', port: 0 }, async (conn) => {
      const channel = framed(conn, { codec });
      for await (const message of channel) await channel.send({ ...message, kind: 'reply' });
    });
    const address = server.address;
    if (address.family === 'unix') throw new Error('expected a TCP address');
    await using conn = await createConnection({ host: '127.0.0.1', port: address.port }, { timeout: 5_000 });
    const channel = framed(conn, { codec, correlation });
    const reply = await channel.request({ kind: 'ask', text: 'over core' }, { timeout: 5_000 });
    expect(reply).toMatchObject({ kind: 'reply', text: 'over core' });
    await channel.close();
  });
});
