import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { until } from '@sockkit/testkit';
import { describe, expect, it } from 'vitest';
import { MAX_IPV4_PAYLOAD } from '../src/constants.ts';
import type { DatagramSource } from '../src/destination.ts';
import { udpEndpoint } from '../src/endpoint.ts';
import {
  DatagramTooLargeError,
  EndpointClosedError,
  InvalidArgumentError,
  InvalidStateError,
  ReceiveTimeoutError,
  RequestTimeoutError,
} from '../src/errors.ts';

// Received payloads are Node Buffers (a Uint8Array subclass): compare with Buffers.
const text = (value: string) => Buffer.from(value);
const fast = { timeout: 20, retries: 2 } as const;

describe('udpEndpoint send and recv', () => {
  it('carries a datagram and reports its sender (sendto / recvfrom)', async () => {
    await using a = await udpEndpoint();
    await using b = await udpEndpoint();
    await a.send(text('hello'), b.address);
    const { data, from } = await b.recv({ timeout: 5000 });
    expect(new TextDecoder().decode(data)).toBe('hello');
    expect(from).toEqual({ family: 'IPv4', host: '127.0.0.1', port: a.address.port });
  });

  it('receives a zero-byte and a 65,507-byte datagram intact', async () => {
    await using a = await udpEndpoint();
    await using b = await udpEndpoint();
    const largest = Buffer.alloc(MAX_IPV4_PAYLOAD).map((_, i) => i * 7);
    await a.send(new Uint8Array(0), b.address);
    await a.send(largest, b.address);
    expect((await b.recv({ timeout: 5000 })).data.byteLength).toBe(0);
    expect((await b.recv({ timeout: 5000 })).data).toEqual(largest);
  });

  it('works over IPv6 loopback', async () => {
    await using a = await udpEndpoint({ type: 'udp6' });
    await using b = await udpEndpoint({ type: 'udp6' });
    await a.send(text('six'), b.address);
    expect((await b.recv({ timeout: 5000 })).from).toEqual({
      family: 'IPv6',
      host: '::1',
      port: a.address.port,
    });
  });

  it('refuses an oversized datagram before sending', async () => {
    await using a = await udpEndpoint({ maxPayload: 100 });
    await expect(a.send(new Uint8Array(101), a.address)).rejects.toThrow(DatagramTooLargeError);
    await expect(a.request(new Uint8Array(90), a.address)).rejects.toThrow(DatagramTooLargeError);
    await using b = await udpEndpoint();
    await expect(b.send(new Uint8Array(MAX_IPV4_PAYLOAD + 1), a.address)).rejects.toMatchObject({
      code: 'SOCKKIT_ERR_DATAGRAM_TOO_LARGE',
      size: 65_508,
      limit: 65_507,
    });
    expect(a.stats.received + b.stats.received).toBe(0);
  });

  it('iterates datagrams in order until closed', async () => {
    const a = await udpEndpoint();
    await using b = await udpEndpoint();
    for (const word of ['one', 'two', 'three']) await b.send(text(word), a.address);
    const seen: string[] = [];
    for await (const { data } of a) {
      seen.push(new TextDecoder().decode(data));
      if (seen.length === 3) void a.close();
    }
    expect(seen).toEqual(['one', 'two', 'three']);
  });

  it("ends an iterator's pending next() on return(), so the next datagram goes to recv", async () => {
    await using a = await udpEndpoint();
    await using typed = await udpEndpoint({
      codec: { encode: (text: string) => Buffer.from(text), decode: String },
    });
    await using b = await udpEndpoint();
    for (const endpoint of [a, typed] as const) {
      const iterator = endpoint[Symbol.asyncIterator]();
      const pending = iterator.next();
      await expect(iterator.return!()).resolves.toEqual({ done: true, value: undefined });
      await expect(pending).resolves.toEqual({ done: true, value: undefined });
      const received = endpoint.recv({ timeout: 5000 });
      await b.send(text('after'), endpoint.address);
      const { data } = await received;
      expect(typeof data === 'string' ? data : Buffer.from(data).toString()).toBe('after');
    }
  });

  it('delivers a burst read in one go in order, to the iterator and to concurrent recvs', async () => {
    await using a = await udpEndpoint();
    const sender = createSocket('udp4');
    // Sent back to back, so the receiver reads them in one poll phase; 64 fit any kernel buffer.
    const sendNumbers = (count: number) =>
      Promise.all(
        Array.from(
          { length: count },
          (_, i) =>
            new Promise<void>((resolve, reject) =>
              sender.send(Uint8Array.of(i), a.address.port, '127.0.0.1', (e) => (e ? reject(e) : resolve())),
            ),
        ),
      );
    try {
      await once(sender.bind(0, '127.0.0.1'), 'listening');
      const iterated: number[] = [];
      const iterating = (async () => {
        for await (const { data } of a) if (iterated.push(data[0]!) === 64) return;
      })();
      await sendNumbers(64);
      await iterating;
      expect(iterated).toEqual(Array.from({ length: 64 }, (_, i) => i));
      const early = [a.recv({ timeout: 5000 }), a.recv({ timeout: 5000 })];
      await sendNumbers(4);
      const late = [a.recv({ timeout: 5000 }), a.recv({ timeout: 5000 })];
      const received = await Promise.all([...early, ...late]);
      expect(received.map(({ data }) => data[0])).toEqual([0, 1, 2, 3]);
    } finally {
      sender.close();
    }
  });

  it('times out a recv and stays usable; close rejects a waiting recv', async () => {
    await using a = await udpEndpoint();
    await expect(a.recv({ timeout: 5 })).rejects.toThrow(ReceiveTimeoutError);
    await a.send(text('still here'), a.address);
    expect((await a.recv({ timeout: 5000 })).data).toEqual(text('still here'));
    const waiting = a.recv();
    await a.close();
    await expect(waiting).rejects.toThrow(EndpointClosedError);
    await expect(a.send(text('x'), a.address)).rejects.toThrow(EndpointClosedError);
    await a.close();
  });

  it('rejects a send whose name was resolving at close, and hands out what was received before', async () => {
    const a = await udpEndpoint();
    await using b = await udpEndpoint();
    await b.send(text('early'), a.address);
    await until(() => a.stats.queued === 1);
    const resolving = a.send(text('x'), { host: 'localhost', port: b.address.port });
    await a.close();
    await expect(resolving).rejects.toThrow(EndpointClosedError);
    expect((await a.recv()).data).toEqual(text('early'));
    await expect(a.recv()).rejects.toThrow(EndpointClosedError);
    expect(b.stats.received).toBe(0);
  });

  it('drops and counts datagrams past the queue bound', async () => {
    await using a = await udpEndpoint({ queue: { maxDatagrams: 4 } });
    await using b = await udpEndpoint();
    for (let i = 0; i < 10; i++) await b.send(Uint8Array.of(i), a.address);
    await until(() => a.stats.received === 10);
    expect(a.stats).toMatchObject({ queued: 4, queueDropped: 6, queueDroppedBytes: 6 });
    expect([...(await a.recv()).data, ...(await a.recv()).data]).toEqual([0, 1]);
  });

  it('delivers a burst to the readers waiting for it, however small the queue', async () => {
    await using a = await udpEndpoint({ queue: { maxDatagrams: 1 } });
    const readers = [0, 1, 2, 3].map(() => a.recv({ timeout: 5000 }));
    const raw = createSocket('udp4');
    try {
      // Sent in one go, so they usually arrive in one poll phase.
      for (let i = 0; i < 4; i++) raw.send(Uint8Array.of(i), a.address.port, '127.0.0.1');
      const received = await Promise.all(readers);
      expect(received.map((datagram) => datagram.data[0])).toEqual([0, 1, 2, 3]);
      expect(a.stats.queueDropped).toBe(0);
    } finally {
      raw.close();
    }
  });

  it('refuses bad options before binding', async () => {
    await expect(udpEndpoint({ queue: { maxDatagrams: 0 } })).rejects.toThrow(InvalidArgumentError);
    await expect(udpEndpoint({ maxAmplification: 0.5 })).rejects.toThrow(InvalidArgumentError);
    await expect(udpEndpoint({ retransmission: { retries: -1 } })).rejects.toThrow(InvalidArgumentError);
    await expect(udpEndpoint({ replyCache: { maxEntries: 0 } })).rejects.toThrow(InvalidArgumentError);
  });
});

describe('udpEndpoint request and serve', () => {
  it('answers a request', async () => {
    await using server = await udpEndpoint();
    server.serve((message, from) => text(`${new TextDecoder().decode(message)} from ${from.port}`));
    await using client = await udpEndpoint();
    const reply = await client.request(text('ping'), server.address);
    expect(new TextDecoder().decode(reply)).toBe(`ping from ${client.address.port}`);
    expect(client.stats).toMatchObject({ requests: 1, replies: 1, pending: 0, retransmissions: 0 });
    expect(server.stats).toMatchObject({ served: 1, queued: 0 });
  });

  it('takes one serve handler', async () => {
    await using server = await udpEndpoint();
    server.serve((message) => message);
    expect(() => server.serve((message) => message)).toThrow(InvalidStateError);
    expect(() => server.serve((message) => message)).toThrow('this endpoint already serves a handler');
  });

  it('answers an async handler, and many requests at once', async () => {
    await using server = await udpEndpoint();
    server.serve(async (message) => Uint8Array.of(message[0]! * 2));
    await using client = await udpEndpoint();
    const replies = await Promise.all(
      Array.from({ length: 100 }, (_, i) => client.request(Uint8Array.of(i), server.address)),
    );
    expect(replies.map((reply) => reply[0])).toEqual(Array.from({ length: 100 }, (_, i) => (i * 2) & 0xff));
    expect(client.stats.pending).toBe(0);
  });

  it('counts a throwing handler and keeps serving', async () => {
    await using server = await udpEndpoint();
    server.serve((message) => {
      if (message[0] === 0) throw new Error('bad request');
      if (message[0] === 1) return Promise.reject(new Error('bad async request'));
      return message;
    });
    await using client = await udpEndpoint();
    await expect(client.request(Uint8Array.of(0), server.address, fast)).rejects.toThrow(RequestTimeoutError);
    await expect(client.request(Uint8Array.of(1), server.address, fast)).rejects.toThrow(RequestTimeoutError);
    expect(await client.request(Uint8Array.of(2), server.address)).toEqual(Buffer.of(2));
    expect(server.stats).toMatchObject({ handlerErrors: 2, served: 3, duplicateRequests: 4 });
  });

  it('gives the handler its sender frozen: it cannot redirect the reply or strand the cache entry', async () => {
    await using server = await udpEndpoint();
    const senders: DatagramSource[] = [];
    server.serve(async (message, from) => {
      senders.push(from);
      (from as { port: number }).port = 1; // throws: the async handler's reply is none, counted
      return message;
    });
    await using client = await udpEndpoint();
    await expect(client.request(Uint8Array.of(0), server.address, fast)).rejects.toThrow(RequestTimeoutError);
    expect(senders).toEqual([{ family: 'IPv4', host: '127.0.0.1', port: client.address.port }]);
    expect(Object.isFrozen(senders[0])).toBe(true);
    expect(server.stats).toMatchObject({ served: 1, handlerErrors: 1, duplicateRequests: 2 });
  });

  it('sends exactly retries + 1 datagrams to a silent peer, then RequestTimeoutError', async () => {
    await using client = await udpEndpoint();
    await using silent = await udpEndpoint();
    const error = await client
      .request(text('anyone?'), silent.address, fast)
      .catch((error: unknown) => error);
    expect(error).toBeInstanceOf(RequestTimeoutError);
    expect(error).toMatchObject({
      attempts: 3,
      message: expect.stringMatching(
        `^No reply from 127.0.0.1:${silent.address.port} after 3 attempts \\(\\d+ ms\\)$`,
      ),
    });
    // A silent endpoint does not serve: the requests reach its queue as plain datagrams.
    for (let attempt = 0; attempt < 3; attempt++) await silent.recv({ timeout: 5000 });
    expect(client.stats).toMatchObject({ requests: 1, retransmissions: 2, timeouts: 1, pending: 0 });
  });

  it('refuses a reply above 3x the request (amplification), unless allowed', async () => {
    await using server = await udpEndpoint();
    server.serve(() => new Uint8Array(100));
    await using client = await udpEndpoint();
    await expect(client.request(new Uint8Array(20), server.address, fast)).rejects.toThrow(
      RequestTimeoutError,
    );
    expect(server.stats.amplificationRefused).toBe(1);
    // 11 + 100 <= 3 * (11 + 26): allowed.
    expect((await client.request(new Uint8Array(26), server.address)).byteLength).toBe(100);
    await using generous = await udpEndpoint({ maxAmplification: Number.POSITIVE_INFINITY });
    generous.serve(() => new Uint8Array(1000));
    expect((await client.request(new Uint8Array(0), generous.address)).byteLength).toBe(1000);
  });

  it('aborts a request with its signal and drains the pending table', async () => {
    await using client = await udpEndpoint();
    await using silent = await udpEndpoint();
    const controller = new AbortController();
    const request = client.request(text('x'), silent.address, { signal: controller.signal });
    await silent.recv({ timeout: 5000 });
    controller.abort(new Error('user gave up'));
    await expect(request).rejects.toThrow('user gave up');
    expect(client.stats.pending).toBe(0);
  });

  it('rejects pending requests when the endpoint closes', async () => {
    const client = await udpEndpoint();
    await using silent = await udpEndpoint();
    const request = client.request(text('x'), silent.address);
    await silent.recv({ timeout: 5000 });
    await client.close();
    await expect(request).rejects.toThrow(EndpointClosedError);
    expect(client.stats.pending).toBe(0);
  });

  it('reads envelopes only where they are meant: raw datagrams with the magic reach recv unchanged', async () => {
    const magic = (kind: number, length = 12) =>
      Buffer.alloc(length, 7).fill(Buffer.of(0xd5, 0x4b, kind), 0, 3);
    const asRequest = magic(1);
    const asReply = magic(2);
    const others = [magic(1, 10), magic(9), Buffer.of(0xd5, 0x4b)];
    await using plain = await udpEndpoint();
    await using server = await udpEndpoint();
    server.serve((message) => message);
    await using client = await udpEndpoint();
    await client.request(text('makes client a requester'), server.address);
    await using sender = await udpEndpoint();
    const deliveries = [
      { to: plain, datagrams: [asRequest, asReply, ...others] }, // neither serves nor requests
      { to: server, datagrams: [asReply, ...others] }, // serves, never requested
      { to: client, datagrams: [asRequest, ...others] }, // requested, does not serve
    ];
    for (const { to, datagrams } of deliveries) {
      for (const datagram of datagrams) await sender.send(datagram, to.address);
      for (const datagram of datagrams) expect((await to.recv({ timeout: 5000 })).data).toEqual(datagram);
    }
    expect(server.stats).toMatchObject({ served: 1, duplicateRequests: 0, handlerErrors: 0 });
    expect(client.stats).toMatchObject({ replies: 1, unmatchedReplies: 0 });
  });
});

describe('broadcast and multicast on loopback', () => {
  it('delivers to 127.255.255.255 once broadcast is on', async () => {
    await using receiver = await udpEndpoint({ bind: { host: '0.0.0.0' } });
    await using sender = await udpEndpoint();
    const to = { host: '127.255.255.255', port: receiver.address.port };
    await expect(sender.send(text('denied'), to)).rejects.toMatchObject({ code: 'EACCES' });
    sender.setBroadcast(true);
    await sender.send(text('to all'), to);
    expect((await receiver.recv({ timeout: 5000 })).data).toEqual(text('to all'));
  });

  it('joins a group on 127.0.0.1, receives, and leaves', async () => {
    const group = '239.255.77.77';
    await using receiver = await udpEndpoint({ bind: { host: '0.0.0.0' } });
    receiver.join(group, '127.0.0.1');
    await using sender = await udpEndpoint();
    sender.setMulticastInterface('127.0.0.1');
    sender.setMulticastTTL(1);
    sender.setMulticastLoopback(true);
    await sender.send(text('group hello'), { host: group, port: receiver.address.port });
    const { data, from } = await receiver.recv({ timeout: 5000 });
    expect([new TextDecoder().decode(data), from.port]).toEqual(['group hello', sender.address.port]);
    receiver.leave(group, '127.0.0.1');
    // After leaving, a group datagram no longer arrives, while a unicast one sent after it does.
    await sender.send(text('gone'), { host: group, port: receiver.address.port });
    await sender.send(text('unicast'), { host: '127.0.0.1', port: receiver.address.port });
    expect((await receiver.recv({ timeout: 5000 })).data).toEqual(text('unicast'));
  });
});

describe('more request and serve edges', () => {
  it('answers over IPv6 loopback, with the source check on ::1', async () => {
    await using server = await udpEndpoint({ type: 'udp6' });
    server.serve((message) => message);
    await using client = await udpEndpoint({ type: 'udp6' });
    expect(await client.request(text('six'), { host: '0:0:0:0:0:0:0:1', port: server.address.port })).toEqual(
      text('six'),
    );
    expect(client.stats).toMatchObject({ replies: 1, spoofedReplies: 0 });
  });

  it('gets replies over IPv6 from an IPv4-mapped address and from ::1 with a zone id', async () => {
    await using server4 = await udpEndpoint();
    server4.serve((message) => message);
    await using server6 = await udpEndpoint({ type: 'udp6' });
    server6.serve((message) => message);
    // An IPv6 socket on IPv4 loopback; Node reports its peers' replies as ::ffff:127.0.0.1.
    await using client4 = await udpEndpoint({ type: 'udp6', bind: { host: '::ffff:127.0.0.1', port: 0 } });
    const mapped = { host: '::ffff:127.0.0.1', port: server4.address.port };
    expect(await client4.request(text('mapped'), mapped)).toEqual(text('mapped'));
    expect(await client4.request(text('hex'), { ...mapped, host: '::ffff:7f00:1' })).toEqual(text('hex'));
    expect(client4.stats).toMatchObject({ replies: 2, spoofedReplies: 0 });
    // The kernel reports no zone for a sender that is not link-local.
    await using client6 = await udpEndpoint({ type: 'udp6' });
    const zoned = { host: '::1%1', port: server6.address.port };
    expect(await client6.request(text('zoned'), zoned)).toEqual(text('zoned'));
    expect(client6.stats).toMatchObject({ replies: 1, spoofedReplies: 0 });
  });

  it('resolves a host name once, then checks replies against the address', async () => {
    await using server = await udpEndpoint();
    server.serve((message) => message);
    await using client = await udpEndpoint();
    const to = { host: 'localhost', port: server.address.port };
    expect(await client.request(text('by name'), to)).toEqual(text('by name'));
    await client.send(text('plain'), to);
    expect((await server.recv({ timeout: 5000 })).data).toEqual(text('plain'));
    expect(client.stats.spoofedReplies).toBe(0);
  });

  it('rejects a request whose send fails, and leaves nothing pending', async () => {
    await using client = await udpEndpoint();
    await expect(client.request(text('x'), { host: '127.255.255.255', port: 9 })).rejects.toMatchObject({
      code: 'EACCES',
    });
    expect(client.stats.pending).toBe(0);
  });

  it('counts a reply over maxPayload as a handler error, and sends nothing', async () => {
    await using server = await udpEndpoint({ maxPayload: 100, maxAmplification: Number.POSITIVE_INFINITY });
    server.serve(() => new Uint8Array(90));
    await using client = await udpEndpoint();
    await expect(client.request(text('x'), server.address, fast)).rejects.toThrow(RequestTimeoutError);
    expect(server.stats).toMatchObject({ handlerErrors: 1, served: 1 });
  });

  it('lets two endpoints share a multicast port with reuseAddress', async () => {
    const group = '239.255.77.78';
    await using first = await udpEndpoint({ bind: { host: '0.0.0.0', reuseAddress: true } });
    const { port } = first.address;
    await using second = await udpEndpoint({ bind: { host: '0.0.0.0', port, reuseAddress: true } });
    for (const member of [first, second]) member.join(group, '127.0.0.1');
    await using sender = await udpEndpoint();
    sender.setMulticastInterface('127.0.0.1');
    await sender.send(text('both'), { host: group, port });
    expect((await first.recv({ timeout: 5000 })).data).toEqual(text('both'));
    expect((await second.recv({ timeout: 5000 })).data).toEqual(text('both'));
  });
});

describe('source checks', () => {
  it('takes a reply only from the address and port the request went to', async () => {
    await using client = await udpEndpoint();
    const server = createSocket('udp4');
    const impostor = createSocket('udp4');
    await Promise.all([
      once(server.bind(0, '127.0.0.1'), 'listening'),
      once(impostor.bind(0, '127.0.0.1'), 'listening'),
    ]);
    try {
      const reply = client.request(text('q'), { host: '127.0.0.1', port: server.address().port });
      const [request] = (await once(server, 'message')) as [Buffer];
      const answer = Buffer.from(request);
      answer[2] = 2;
      impostor.send(answer, client.address.port, '127.0.0.1');
      await until(() => client.stats.spoofedReplies === 1);
      server.send(answer, client.address.port, '127.0.0.1');
      expect(await reply).toEqual(text('q'));
      server.send(answer, client.address.port, '127.0.0.1');
      await until(() => client.stats.duplicateReplies === 1);
      expect(client.stats).toMatchObject({ replies: 1, spoofedReplies: 1, duplicateReplies: 1, pending: 0 });
    } finally {
      server.close();
      impostor.close();
    }
  });
});

describe('replies that come too late or were never asked for', () => {
  it('counts a reply after the timeout as late, and one with an unknown id as unmatched', async () => {
    await using client = await udpEndpoint();
    const server = createSocket('udp4');
    await once(server.bind(0, '127.0.0.1'), 'listening');
    try {
      const to = { host: '127.0.0.1', port: server.address().port };
      const request = client.request(text('slow'), to, { timeout: 5, retries: 0 });
      const [datagram] = (await once(server, 'message')) as [Buffer];
      await expect(request).rejects.toThrow(RequestTimeoutError);
      const reply = Buffer.from(datagram);
      reply[2] = 2;
      const unknown = Buffer.from(reply);
      unknown.writeUInt32BE(0x12345678, 3);
      server.send(reply, client.address.port, '127.0.0.1');
      server.send(unknown, client.address.port, '127.0.0.1');
      await until(() => client.stats.lateReplies + client.stats.unmatchedReplies === 2);
      expect(client.stats).toMatchObject({ lateReplies: 1, unmatchedReplies: 1, replies: 0, pending: 0 });
    } finally {
      server.close();
    }
  });
});

describe('request signals', () => {
  it('aborts every request sharing one signal, after another one settled', async () => {
    await using client = await udpEndpoint();
    await using server = await udpEndpoint();
    server.serve((message) => (message[0] === 0 ? message : undefined));
    const controller = new AbortController();
    const options = { signal: controller.signal };
    expect(await client.request(Uint8Array.of(0), server.address, options)).toEqual(Buffer.of(0));
    const first = client.request(Uint8Array.of(1), server.address, options);
    const second = client.request(Uint8Array.of(2), server.address, options);
    await until(() => server.stats.served === 3);
    controller.abort(new Error('stop both'));
    await expect(first).rejects.toThrow('stop both');
    await expect(second).rejects.toThrow('stop both');
    expect(client.stats.pending).toBe(0);
  });
});

describe('request and send destinations', () => {
  it('refuses an address of the other family before sending anything, naming to.host', async () => {
    await using client4 = await udpEndpoint();
    await using client6 = await udpEndpoint({ type: 'udp6' });
    await expect(client4.request(text('x'), { host: '::1', port: 9 })).rejects.toThrow(
      'an AF_INET socket cannot use the IPv6 address ::1',
    );
    await expect(client6.request(text('x'), { host: '127.0.0.1', port: 9 })).rejects.toThrow(
      InvalidArgumentError,
    );
    expect([client4.stats.requests, client6.stats.requests]).toEqual([0, 0]);
    await expect(client4.send(text('x'), { host: '::1', port: 9 })).rejects.toMatchObject({
      argument: 'to.host',
    });
  });
});
