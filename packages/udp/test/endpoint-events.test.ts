import { createSocket } from 'node:dgram';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { createCodec } from '@sockkit/framing';
import { assertNoBytes, recordChannels, runScript, until } from '@sockkit/testkit';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { udpEndpoint } from '../src/endpoint.ts';
import { RequestTimeoutError } from '../src/errors.ts';
import { rawClient, requestEnvelope } from './raw-peer.ts';

const EVENTS = ['sockkit:udp:retransmit', 'sockkit:udp:cachedReply', 'sockkit:udp:drop'];
const REQUEST = 'sockkit:udp:request';
const OPAQUE = ['endpoint', 'error'];
const bytes = (text: string) => new TextEncoder().encode(text);
const from = { family: 'IPv4', host: '127.0.0.1', port: expect.any(Number) };

describe('udp diagnostics channels', () => {
  it('traces request() as a span and announces each retransmission until the timeout', async () => {
    using recording = recordChannels(EVENTS, [REQUEST]);
    await using server = await udpEndpoint();
    server.serve((message) => message);
    await using silent = await udpEndpoint();
    await using client = await udpEndpoint();
    await client.request(bytes('ping'), server.address);
    await expect(
      client.request(bytes('lost'), silent.address, { timeout: 20, retries: 2 }),
    ).rejects.toBeInstanceOf(RequestTimeoutError);
    expect(recording.of(`tracing:${REQUEST}:start`)).toEqual([
      { endpoint: client, to: server.address },
      { endpoint: client, to: silent.address },
    ]);
    expect(recording.of(`tracing:${REQUEST}:asyncEnd`)).toHaveLength(2);
    expect(recording.of(`tracing:${REQUEST}:error`)[0]?.error).toBeInstanceOf(RequestTimeoutError);
    const to = { host: '127.0.0.1', port: silent.address.port };
    expect(recording.of('sockkit:udp:retransmit')).toEqual([
      { endpoint: client, to, id: expect.any(String), attempt: 1 },
      { endpoint: client, to, id: expect.any(String), attempt: 2 },
    ]);
    for (const { message } of recording.events) assertNoBytes(message, OPAQUE);
  });

  it('announces a reply from the cache, a duplicate request and an amplification refusal', async () => {
    using recording = recordChannels(EVENTS);
    await using server = await udpEndpoint();
    let release = () => {};
    server.serve(async (message) => {
      if (message[0] === 2) await new Promise<void>((resolve) => (release = resolve));
      return message;
    });
    using client = await rawClient(server.address.port);
    const full = Buffer.concat([requestEnvelope(1), Buffer.alloc(40, 1)]);
    client.send(full);
    await until(() => client.replies.length === 1);
    client.send(full);
    await until(() => client.replies.length === 2);
    client.send(full.subarray(0, 11));
    await until(() => server.stats.amplificationRefused === 1);
    client.send(requestEnvelope(2));
    await until(() => server.stats.served === 2);
    client.send(requestEnvelope(2));
    await until(() => server.stats.duplicateRequests === 1);
    release();
    expect(recording.of('sockkit:udp:cachedReply')).toEqual([
      { endpoint: server, to: from, id: expect.any(String) },
    ]);
    expect(recording.of('sockkit:udp:drop')).toEqual([
      { endpoint: server, from, reason: 'amplification' },
      { endpoint: server, from, reason: 'duplicateRequest' },
    ]);
  });

  it('announces datagrams dropped by a full queue, by the codec and as unmatched replies', async () => {
    using recording = recordChannels(EVENTS);
    const codec = createCodec(z.object({ text: z.string() }));
    await using typed = await udpEndpoint({ codec, queue: { maxDatagrams: 1 } });
    const sender = createSocket('udp4');
    await once(sender.bind(0, '127.0.0.1'), 'listening');
    try {
      const send = (datagram: Uint8Array) => sender.send(datagram, typed.address.port, '127.0.0.1');
      send(bytes('not msgpack'));
      send(bytes('queue is full'));
      await until(() => typed.stats.queueDropped === 1);
      await expect(typed.recv({ timeout: 50 })).rejects.toThrow();
      // A reply envelope to an endpoint that has sent requests, for an id it never asked.
      await typed
        .request(
          { text: 'x' },
          { host: '127.0.0.1', port: sender.address().port },
          { timeout: 10, retries: 0 },
        )
        .catch(() => {});
      const reply = requestEnvelope(9);
      reply[2] = 0x02;
      send(reply);
      await until(() => typed.stats.unmatchedReplies === 1);
    } finally {
      sender.close();
    }
    expect(recording.of('sockkit:udp:drop').map((event) => event.reason)).toEqual([
      'queueFull',
      'decodeError',
      'unmatchedReply',
    ]);
    for (const { message } of recording.events) assertNoBytes(message, OPAQUE);
  });
});

describe('NODE_DEBUG', () => {
  const script = fileURLToPath(new URL('./fixtures/observed-endpoint.ts', import.meta.url));

  it('prints retransmissions and the timeout under NODE_DEBUG=sockkit:udp, nothing without it', async () => {
    const { stdout, stderr } = await runScript(script, 'sockkit:udp');
    expect(stdout).toBe('');
    expect(stderr).toMatch(
      /^SOCKKIT:UDP \d+: retransmit request [0-9a-f]{16} to 127\.0\.0\.1:\d+ \(attempt 2\)$/m,
    );
    expect(stderr).toMatch(
      /^SOCKKIT:UDP \d+: request [0-9a-f]{16} to 127\.0\.0\.1:\d+ timed out after 2 attempts$/m,
    );
    expect(stderr).not.toContain('secret-payload');
    const quiet = await runScript(script, undefined);
    expect(quiet.stdout + quiet.stderr).toBe('');
  });

  it('sends nothing more for a request a retransmit subscriber aborted, or whose endpoint it closed', async () => {
    const silent = createSocket('udp4');
    let received = 0;
    silent.on('message', () => received++);
    silent.bind(0, '127.0.0.1');
    await once(silent, 'listening');
    const to = { host: '127.0.0.1', port: silent.address().port };
    await using client = await udpEndpoint();
    const controller = new AbortController();
    const onRetransmit = () => controller.abort();
    subscribe('sockkit:udp:retransmit', onRetransmit);
    try {
      const options = { timeout: 20, retries: 4, backoff: { randomFactor: 1 }, signal: controller.signal };
      await expect(client.request(bytes('a'), to, options)).rejects.toThrow(/aborted/);
      await sleep(200); // the rest of the schedule: 40 + 80 + 160 ms
      expect(client.stats).toMatchObject({ retransmissions: 1, timeouts: 0, pending: 0 });
      expect(received).toBe(1); // the first attempt: the abort came before the retransmission went out

      unsubscribe('sockkit:udp:retransmit', onRetransmit);
      const closer = () => void client.close();
      subscribe('sockkit:udp:retransmit', closer);
      try {
        await expect(client.request(bytes('b'), to, { timeout: 20, retries: 4 })).rejects.toThrow(/closed/);
        await sleep(200);
        expect(received).toBe(2);
      } finally {
        unsubscribe('sockkit:udp:retransmit', closer);
      }
    } finally {
      unsubscribe('sockkit:udp:retransmit', onRetransmit);
      silent.close();
    }
  });
});
