import { createCodec, MessageValidationError } from '@sockkit/framing';
import { until } from '@sockkit/testkit';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { udpEndpoint } from '../src/endpoint.ts';
import { RequestTimeoutError } from '../src/errors.ts';

const Command = z.discriminatedUnion('type', [
  z.object({ type: z.literal('add'), a: z.number(), b: z.number() }),
  z.object({ type: z.literal('sum'), value: z.number() }),
  z.object({ type: z.literal('note'), text: z.string().max(100) }),
]);
const codec = createCodec(Command);

describe('typed datagrams through the framing codec', () => {
  it('sends and receives typed messages, one per datagram, no length prefix', async () => {
    await using a = await udpEndpoint({ codec });
    await using b = await udpEndpoint({ codec });
    await a.send({ type: 'note', text: 'hi' }, b.address);
    const { data, from } = await b.recv({ timeout: 5000 });
    expect(data).toEqual({ type: 'note', text: 'hi' });
    expect(from.port).toBe(a.address.port);
    expect(codec.encode({ type: 'note', text: 'hi' }).byteLength).toBeLessThan(20);
  });

  it('drops and counts datagrams that fail to decode or validate, and keeps receiving', async () => {
    await using typed = await udpEndpoint({ codec });
    await using raw = await udpEndpoint();
    await raw.send(Uint8Array.of(0xc1), typed.address); // never valid MessagePack
    await raw.send(createCodec(z.object({ type: z.string() })).encode({ type: 'unknown' }), typed.address);
    await raw.send(Uint8Array.of(), typed.address);
    await raw.send(codec.encode({ type: 'sum', value: 3 }), typed.address);
    expect((await typed.recv({ timeout: 5000 })).data).toEqual({ type: 'sum', value: 3 });
    expect(typed.stats.decodeErrors).toBe(3);
  });

  it('times out a typed recv that only sees undecodable datagrams', async () => {
    await using typed = await udpEndpoint({ codec });
    await using raw = await udpEndpoint();
    const receiving = typed.recv({ timeout: 50 });
    for (let i = 0; i < 5; i++) await raw.send(Uint8Array.of(0xc1), typed.address);
    await expect(receiving).rejects.toThrow('No datagram received within 50 ms');
  });

  it('refuses to send a message of the wrong shape', async () => {
    await using a = await udpEndpoint({ codec });
    const bad = { type: 'note', text: 'x'.repeat(101) } as const;
    await expect(a.send(bad, a.address)).rejects.toThrow(MessageValidationError);
    await expect(a.request(bad, a.address)).rejects.toThrow(MessageValidationError);
  });

  it('serves typed requests; an undecodable request is counted and never reaches the handler', async () => {
    await using server = await udpEndpoint({ codec });
    const seen: unknown[] = [];
    server.serve((message) => {
      seen.push(message);
      return message.type === 'add' ? { type: 'sum', value: message.a + message.b } : undefined;
    });
    await using client = await udpEndpoint({ codec });
    expect(await client.request({ type: 'add', a: 2, b: 40 }, server.address)).toEqual({
      type: 'sum',
      value: 42,
    });

    await using raw = await udpEndpoint();
    const garbage = Buffer.concat([
      Buffer.from([0xd5, 0x4b, 1, 1, 2, 3, 4, 5, 6, 7, 8]),
      Buffer.from([0xc1]),
    ]);
    await raw.send(garbage, server.address);
    await until(() => server.stats.decodeErrors === 1);
    await expect(
      client.request({ type: 'note', text: 'no reply' }, server.address, { timeout: 10, retries: 1 }),
    ).rejects.toThrow(RequestTimeoutError);
    expect(seen).toHaveLength(2);
    expect(server.stats).toMatchObject({ served: 2, handlerErrors: 0, decodeErrors: 1 });
  });

  it('keeps waiting past a reply that fails to decode, and counts it', async () => {
    await using client = await udpEndpoint({ codec });
    await using server = await udpEndpoint();
    let first = true;
    server.serve(() => {
      if (!first) return codec.encode({ type: 'sum', value: 1 });
      first = false;
      return Uint8Array.of(0xc1);
    });
    // A retransmission after the bad reply finds it in the cache; a new request gets a good one.
    await expect(
      client.request({ type: 'note', text: 'a' }, server.address, { timeout: 50, retries: 1 }),
    ).rejects.toThrow(RequestTimeoutError);
    await until(() => client.stats.decodeErrors === 2);
    expect(server.stats).toMatchObject({ served: 1, cachedReplies: 1 });
    expect(await client.request({ type: 'note', text: 'b' }, server.address)).toEqual({
      type: 'sum',
      value: 1,
    });
  });
});
