import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Correlation } from '../src/channel.ts';
import { createCodec } from '../src/codec.ts';
import { encodeFrame } from '../src/encoder.ts';
import { ChannelClosedError } from '../src/errors.ts';
import { framed } from '../src/framed.ts';
import { socketPair, streamPair } from './connections.ts';

describe('graceful close', () => {
  it('delivers all it sent while the peer’s unread bytes pile up (no reset)', {
    timeout: 20_000,
  }, async () => {
    await using pair = await socketPair();
    const server = framed(pair.server, { maxQueuedMessages: 4 });
    const frame = encodeFrame(new Uint8Array(100));
    for (let index = 0; index < 20_000; index++) pair.client.write(frame); // ~2 MB the server never reads
    await new Promise((resolve) => setTimeout(resolve, 200));
    pair.client.pause();
    let received = 0;
    const errors: unknown[] = [];
    pair.client.on('data', (chunk: Buffer) => {
      received += chunk.length;
    });
    pair.client.on('error', (error) => errors.push(error));
    const ended = once(pair.client, 'close');
    void server.send(new Uint8Array(1 << 20).fill(7));
    const closing = server.close({ timeout: 10_000 });
    setTimeout(() => pair.client.resume(), 300);
    await closing;
    await ended;
    // Closed with those bytes unread, the kernel would reset the connection and drop the rest.
    expect(errors).toEqual([]);
    expect(received).toBe((1 << 20) + 4);
    expect(server.error).toBeNull();
  });

  it('waits for the peer’s end at most the close timeout, then closes', { timeout: 5_000 }, async () => {
    const [near, far] = streamPair(); // the far end never ends its side
    const channel = framed(near);
    far.resume();
    const started = performance.now();
    await channel.close({ timeout: 200 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(150);
    expect(near.destroyed).toBe(true);
    expect(channel.error).toBeNull();
  });

  it('closes as soon as the peer ends its side too', { timeout: 5_000 }, async () => {
    const [near, far] = streamPair();
    const channel = framed(near);
    far.on('end', () => far.end()).resume();
    await channel.close({ timeout: 60_000 });
    expect(near.destroyed).toBe(true);
  });
});

describe('requests after the peer ended', () => {
  const Message = z.object({ id: z.number().int().optional(), text: z.string() });
  type Message = z.infer<typeof Message>;
  const correlation: Correlation<Message> = {
    stamp: (request, id) => ({ ...request, id }),
    replyTo: (message) => message.id,
  };

  it('reject at once, as the requests waiting at the end did', { timeout: 5_000 }, async () => {
    const [near, far] = streamPair();
    const channel = framed(near, { codec: createCodec(Message), correlation, requestTimeout: 60_000 });
    const waiting = channel.request({ text: 'before' });
    far.end();
    await expect(waiting).rejects.toThrow(ChannelClosedError);
    await expect(channel.request({ text: 'after' })).rejects.toThrow('The peer ended the stream');
    await channel.close();
  });
});
