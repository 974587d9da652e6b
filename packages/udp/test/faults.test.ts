import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { until } from '@sockkit/testkit';
import { describe, expect, it } from 'vitest';
import { type UdpEndpoint, udpEndpoint } from '../src/endpoint.ts';
import { RequestTimeoutError } from '../src/errors.ts';
import { envelopeId, faultRoll, LossyRelay } from './lossy-relay.ts';

const index = (payload: Uint8Array) => new DataView(payload.buffer, payload.byteOffset).getUint32(0);
const payloadOf = (i: number) => {
  const payload = new Uint8Array(4);
  new DataView(payload.buffer).setUint32(0, i);
  return payload;
};

/** Runs `count` requests with at most `inFlight` pending at once; returns each one's outcome. */
async function runRequests(
  client: UdpEndpoint,
  to: { host: string; port: number },
  count: number,
  inFlight: number,
  options: Parameters<UdpEndpoint['request']>[2],
): Promise<PromiseSettledResult<Uint8Array>[]> {
  const outcomes: PromiseSettledResult<Uint8Array>[] = new Array(count);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < count; i = next++) {
      outcomes[i] = await client.request(payloadOf(i), to, options).then(
        (value) => ({ status: 'fulfilled', value }),
        (reason: unknown) => ({ status: 'rejected', reason }),
      );
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return outcomes;
}

/** A server whose handler counts its runs per request index and echoes. */
async function countingServer() {
  const server = await udpEndpoint();
  const runs = new Map<number, number>();
  server.serve((message) => {
    const i = index(message);
    runs.set(i, (runs.get(i) ?? 0) + 1);
    return message;
  });
  return { server, runs };
}

describe('under injected faults', () => {
  it('2,000 requests at 10% loss each way: success exactly when some attempt got through both ways', async () => {
    const seed = 5;
    const retries = 3;
    const { server, runs } = await countingServer();
    await using _server = server;
    await using relay = await LossyRelay.start({
      target: server.address,
      seed,
      request: { drop: 0.1 },
      reply: { drop: 0.1 },
    });
    await using client = await udpEndpoint();
    // The prediction needs one timing fact: a reply to the last surviving attempt is read before
    // that attempt's wait ends (a reply to any attempt settles the request while it is pending, so
    // an early retransmission changes nothing). Waits of 100, 200, 400 and 800 ms (x 1-1.5)
    // leave a stalled event loop about a second of slack where it matters; only dropped attempts pay
    // them, so the run stays a few seconds.
    const outcomes = await runRequests(client, relay.address, 2000, 50, {
      timeout: 100,
      retries,
      backoff: { factor: 2, randomFactor: 1.5 },
    });

    expect(relay.exchanges.size).toBe(2000);
    let predictedFailures = 0;
    for (const [id, exchange] of relay.exchanges) {
      const i = index(exchange.payload);
      const survives = (attempt: number) =>
        faultRoll(seed, 'request', id, attempt, 'drop') >= 0.1 &&
        faultRoll(seed, 'reply', id, attempt, 'drop') >= 0.1;
      const predicted = [0, 1, 2, 3].some(survives);
      const outcome = outcomes[i]!;
      expect({ i, status: outcome.status }).toEqual({ i, status: predicted ? 'fulfilled' : 'rejected' });
      if (outcome.status === 'fulfilled') expect(index(outcome.value)).toBe(i);
      else {
        predictedFailures++;
        expect(outcome.reason).toBeInstanceOf(RequestTimeoutError);
        expect(exchange.attempts).toBe(retries + 1);
      }
    }
    // Each attempt fails with probability 1 - 0.9^2 = 0.19; all four with 0.19^4 = 0.13%.
    expect(predictedFailures).toBeLessThanOrEqual(30);
    expect(Math.max(...runs.values())).toBe(1);
    expect(client.stats.pending).toBe(0);
    expect(client.stats.timeouts).toBe(predictedFailures);
    expect(server.stats.cachedReplies).toBeGreaterThan(0);
  });

  it('at 100% loss sends exactly retries + 1 datagrams per request, then RequestTimeoutError', async () => {
    await using server = await udpEndpoint();
    server.serve((message) => message);
    await using relay = await LossyRelay.start({ target: server.address, seed: 1, request: { drop: 1 } });
    await using client = await udpEndpoint();
    const outcomes = await runRequests(client, relay.address, 20, 20, { timeout: 5, retries: 3 });
    for (const outcome of outcomes) {
      expect(outcome.status === 'rejected' && outcome.reason).toBeInstanceOf(RequestTimeoutError);
    }
    expect([...relay.exchanges.values()].map((exchange) => exchange.attempts)).toEqual(new Array(20).fill(4));
    expect(relay.forwarded.request).toBe(0);
    expect(server.stats.received).toBe(0);
    expect(client.stats).toMatchObject({ requests: 20, retransmissions: 60, timeouts: 20, pending: 0 });
  });

  it('duplication, reordering and delay: every request answered, no handler twice', async () => {
    const { server, runs } = await countingServer();
    await using _server = server;
    const faults = { duplicate: 0.3, reorder: 0.2, delay: 0.2, delayMs: 3 };
    await using relay = await LossyRelay.start({
      target: server.address,
      seed: 9,
      request: faults,
      reply: faults,
    });
    await using client = await udpEndpoint();
    const outcomes = await runRequests(client, relay.address, 300, 30, { timeout: 200, retries: 3 });
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(300);
    expect(runs.size).toBe(300);
    expect(Math.max(...runs.values())).toBe(1);
    expect(server.stats.cachedReplies).toBeGreaterThan(0);
    await until(() => client.stats.duplicateReplies === relay.forwarded.reply - 300);
    expect([client.stats.unmatchedReplies, client.stats.lateReplies]).toEqual([0, 0]);
    expect(client.stats.pending).toBe(0);
  });
});

describe('spoofed replies', () => {
  async function bound(host: string, port = 0): Promise<Socket> {
    const socket = createSocket('udp4');
    await once(socket.bind(port, host), 'listening');
    return socket;
  }

  it('accepts none of 10,000 replies with a wrong id, port or address, and counts them all', async () => {
    await using client = await udpEndpoint();
    const server = await bound('127.0.0.1');
    const serverPort = server.address().port;
    const otherPort = await bound('127.0.0.1');
    const otherHost = await bound('127.0.0.2', serverPort);
    try {
      const requests: Buffer[] = [];
      const allArrived = new Promise<void>((resolve) =>
        server.on('message', (request: Buffer) => requests.push(request) === 10 && resolve()),
      );
      const pending = Array.from({ length: 10 }, (_, i) =>
        client.request(
          payloadOf(i),
          { host: '127.0.0.1', port: serverPort },
          { timeout: 60_000, retries: 0 },
        ),
      );
      await allArrived;
      const replyTo = (request: Buffer) => {
        const reply = Buffer.concat([request.subarray(0, 11), Buffer.from('spoof')]);
        reply[2] = 2;
        return reply;
      };
      const senders = [server, otherPort, otherHost];
      for (let batch = 0; batch < 50; batch++) {
        for (let n = 0; n < 200; n++) {
          const kind = n % 3;
          const reply = replyTo(requests[n % 10]!);
          if (kind === 0) reply.writeUInt32BE(0xdead0000 + batch * 200 + n, 3);
          senders[kind]!.send(reply, client.address.port, '127.0.0.1');
        }
        const counted = (batch + 1) * 200;
        await until(() => client.stats.unmatchedReplies + client.stats.spoofedReplies === counted);
      }
      expect(client.stats).toMatchObject({
        replies: 0,
        pending: 10,
        unmatchedReplies: 3350,
        spoofedReplies: 6650,
      });
      for (const request of requests)
        server.send(
          Buffer.concat([replyTo(request).subarray(0, 11), request.subarray(11)]),
          client.address.port,
          '127.0.0.1',
        );
      const replies = await Promise.all(pending);
      expect(replies.map(index)).toEqual(requests.map((request) => index(request.subarray(11))));
      expect(client.stats).toMatchObject({ replies: 10, pending: 0 });
      expect(requests.every((request) => envelopeId(request) !== undefined)).toBe(true);
    } finally {
      for (const socket of [server, otherPort, otherHost]) socket.close();
    }
  });
  it('accepts no reply whose id differs from the pending one only past the bits it is keyed by', async () => {
    await using client = await udpEndpoint();
    const server = await bound('127.0.0.1');
    try {
      const arrived = once(server, 'message') as Promise<[Buffer]>;
      const to = { host: '127.0.0.1', port: server.address().port };
      const reply = client.request(payloadOf(1), to, { timeout: 60_000, retries: 0 });
      const [request] = await arrived;
      const answer = (flip: (datagram: Buffer) => void) => {
        const datagram = Buffer.from(request);
        datagram[2] = 2;
        flip(datagram);
        server.send(datagram, client.address.port, '127.0.0.1');
      };
      // The pending table is keyed by the id's first 30 bits; these differ in the other 34 only.
      answer((d) => {
        d[6]! ^= 1;
      });
      answer((d) => {
        d[10]! ^= 0x80;
      });
      await until(() => client.stats.unmatchedReplies === 2);
      expect(client.stats).toMatchObject({ replies: 0, pending: 1 });
      answer(() => {});
      expect(index(await reply)).toBe(index(request.subarray(11)));
      expect(client.stats).toMatchObject({ replies: 1, pending: 0, unmatchedReplies: 2 });
    } finally {
      server.close();
    }
  });
});
