import { constants } from 'node:os';
import { describe, expect, it } from 'vitest';
import {
  AddressInUseError,
  AF_INET,
  AF_INET6,
  BlockingIOError,
  ConnectionRefusedError,
  DatagramSocket,
  InvalidArgumentError,
  InvalidStateError,
  SOCK_DGRAM,
  SocketClosedError,
  SocketError,
  SocketTimeoutError,
  socket,
  UnsupportedError,
} from '../src/index.ts';
import { onDatagrams } from '../src/internals.ts';
import { bytes, text } from './helpers.ts';

async function boundUdp(family: typeof AF_INET | typeof AF_INET6 = AF_INET, options = {}) {
  const udp = new DatagramSocket(family, options);
  await udp.bind({ host: family === AF_INET6 ? '::1' : '127.0.0.1', port: 0 });
  const address = udp.getSockName();
  return { udp, address };
}

describe('DatagramSocket', () => {
  it.each([
    ['IPv4', AF_INET],
    ['IPv6', AF_INET6],
  ] as const)('exchanges datagrams with sendTo/recvFrom over %s', async (_name, family) => {
    const { udp: receiver, address } = await boundUdp(family);
    await using _receiver = receiver;
    await using sender = socket(family, SOCK_DGRAM);
    expect(await sender.sendTo(bytes('ping'), address)).toBe(4);
    const [data, from] = await receiver.recvFrom(1024, { timeout: 5_000 });
    expect(text(data)).toBe('ping');
    expect(from).toMatchObject({ port: (sender.getSockName() as { port: number }).port });
    await receiver.sendTo(bytes('pong'), from);
    const reply = await sender.recvFrom(1024, { timeout: 5_000 });
    expect(text(reply[0])).toBe('pong');
    expect(reply.truncated).toBe(false);
  });

  it('truncates a datagram longer than bufsize and reports it', async () => {
    const { udp: receiver, address } = await boundUdp();
    await using _receiver = receiver;
    await using sender = socket(AF_INET, SOCK_DGRAM);
    await sender.sendTo(bytes('0123456789'), address);
    const result = await receiver.recvFrom(4, { timeout: 5_000 });
    expect(text(result[0])).toBe('0123');
    expect(result.truncated).toBe(true);
    expect(result.size).toBe(10);
  });

  it('bounds its queue in datagrams and bytes and counts what it drops', async () => {
    const { udp: receiver, address } = await boundUdp(AF_INET, {
      maxQueuedDatagrams: 3,
      maxQueuedBytes: 1000,
    });
    await using _receiver = receiver;
    await using sender = socket(AF_INET, SOCK_DGRAM);
    for (let i = 0; i < 5; i++) await sender.sendTo(new Uint8Array(100).fill(i), address);
    await sender.sendTo(new Uint8Array(10).fill(9), address);
    // The last datagram marks when everything sent has arrived.
    await waitFor(() => receiver.stats.received === 6);
    expect(receiver.stats).toMatchObject({
      received: 6,
      dropped: 3,
      droppedBytes: 210,
      queued: 3,
      queuedBytes: 300,
    });
    const first = await receiver.recvFrom(1024);
    expect(first[0][0]).toBe(0);
    const big = await boundUdp(AF_INET, { maxQueuedBytes: 150 });
    await using _big = big.udp;
    await sender.sendTo(new Uint8Array(100), big.address);
    await sender.sendTo(new Uint8Array(100), big.address);
    await sender.sendTo(new Uint8Array(1), big.address);
    await waitFor(() => big.udp.stats.received === 3);
    expect(big.udp.stats).toMatchObject({ dropped: 1, droppedBytes: 100, queued: 2, queuedBytes: 101 });
  });

  it('times out, refuses to block at timeout 0, and rejects pending calls at close', async () => {
    const { udp } = await boundUdp();
    await expect(udp.recvFrom(10, { timeout: 0 })).rejects.toBeInstanceOf(BlockingIOError);
    await expect(udp.recvFrom(10, { timeout: 20 })).rejects.toBeInstanceOf(SocketTimeoutError);
    await expect(udp.recvFrom(10, { signal: AbortSignal.abort() })).rejects.toMatchObject({
      name: 'AbortError',
    });
    const pending = udp.recvFrom(10);
    await Promise.all([udp.close(), udp.close()]);
    await expect(pending).rejects.toBeInstanceOf(SocketClosedError);
    await expect(udp.recvFrom(10)).rejects.toBeInstanceOf(SocketClosedError);
  });

  it('refuses sendTo and trySendTo with EISCONN while a connect is under way', async () => {
    const { udp: server, address } = await boundUdp();
    await using _server = server;
    await using client = new DatagramSocket(AF_INET);
    await client.bind({ host: '127.0.0.1', port: 0 }); // a bound socket looks literals up at once
    const connecting = client.connect(address);
    await expect(client.sendTo(bytes('x'), address)).rejects.toMatchObject({
      name: 'SocketError',
      code: 'EISCONN',
    });
    expect(() => client.trySendTo(bytes('x'), address)).toThrow(
      expect.objectContaining({ name: 'SocketError', code: 'EISCONN' }),
    );
    await connecting;
    await client.send(bytes('after'));
    const [data] = await server.recvFrom(100, { timeout: 5_000 });
    expect(text(data)).toBe('after');
  });

  it('send/recv after connect talk to the default peer only', async () => {
    const { udp: server, address } = await boundUdp();
    await using _server = server;
    await using client = new DatagramSocket(AF_INET);
    await expect(client.send(bytes('x'))).rejects.toMatchObject({ code: 'EDESTADDRREQ' });
    await client.connect(address);
    expect(client.getPeerName()).toEqual(address);
    await expect(client.sendTo(bytes('x'), address)).rejects.toMatchObject({ code: 'EISCONN' });
    await client.send(bytes('hello'));
    const [data, from] = await server.recvFrom(100, { timeout: 5_000 });
    expect(text(data)).toBe('hello');
    await server.sendTo(bytes('back'), from);
    expect(text(await client.recv(100, { timeout: 5_000 }))).toBe('back');
  });

  it('iterates received datagrams until closed', async () => {
    const { udp: receiver, address } = await boundUdp();
    await using sender = socket(AF_INET, SOCK_DGRAM);
    for (const word of ['a', 'b', 'c']) await sender.sendTo(bytes(word), address);
    const seen: string[] = [];
    for await (const [data] of receiver) {
      seen.push(text(data));
      if (seen.length === 3) await receiver.close();
    }
    expect(seen).toEqual(['a', 'b', 'c']);
  });

  it('drains the queue without promises: onReadable cues, tryRecvFrom returns undefined when empty', async () => {
    const { udp: receiver, address } = await boundUdp();
    await using _receiver = receiver;
    await using sender = socket(AF_INET, SOCK_DGRAM);
    expect(receiver.tryRecvFrom(1024)).toBeUndefined();
    const words: string[] = [];
    let cues = 0;
    const all = new Promise<void>((resolve) => {
      const stop = receiver.onReadable(() => {
        cues++;
        for (let d = receiver.tryRecvFrom(3); d !== undefined; d = receiver.tryRecvFrom(3)) {
          words.push(`${text(d[0])}${d.truncated ? '~' : ''}`);
        }
        if (words.length === 3) {
          stop();
          resolve();
        }
      });
    });
    expect(() => receiver.onReadable(() => {})).toThrow(InvalidStateError);
    for (const word of ['a', 'bb', 'cccc']) expect(sender.trySendTo(bytes(word), address)).toBe(word.length);
    await all;
    expect(words).toEqual(['a', 'bb', 'ccc~']);
    expect(cues).toBeGreaterThanOrEqual(1);
    expect(receiver.stats).toMatchObject({ received: 3, queued: 0, dropped: 0 });
    await receiver.close();
    expect(() => receiver.tryRecvFrom(1024)).toThrow(SocketClosedError);
  });

  it('cues onReadable only for a queued datagram, not one handed to a waiting read or dropped', async () => {
    const { udp: receiver, address } = await boundUdp(AF_INET, { maxQueuedBytes: 10 });
    await using _receiver = receiver;
    await using sender = socket(AF_INET, SOCK_DGRAM);
    let cues = 0;
    let cued = () => {};
    receiver.onReadable(() => {
      cues++;
      cued();
    });
    const nextCue = () => new Promise<void>((resolve) => (cued = resolve));
    const waiting = receiver.recvFrom(16, { timeout: 5_000 });
    await sender.sendTo(bytes('a'), address);
    expect(text((await waiting)[0])).toBe('a');
    let cue = nextCue();
    await sender.sendTo(bytes('b'), address);
    await cue;
    // Over maxQueuedBytes: dropped. The next one is queued after it (one sender, in order on loopback).
    cue = nextCue();
    await sender.sendTo(bytes('c'.repeat(20)), address);
    await sender.sendTo(bytes('d'), address);
    await cue;
    expect(cues).toBe(2);
    expect(receiver.stats).toMatchObject({ received: 4, dropped: 1, queued: 2 });
  });

  it('turns a throwing onReadable listener or trySendTo handler into the next read error, not a crash', async () => {
    const { udp, address } = await boundUdp();
    await using _udp = udp;
    await using sender = socket(AF_INET, SOCK_DGRAM);
    let listener: () => unknown = () => {};
    let cued = () => {};
    udp.onReadable(() => {
      cued();
      return listener();
    });
    const nextCue = () => new Promise<void>((resolve) => (cued = resolve));
    let cue = nextCue();
    listener = () => {
      throw new Error('listener threw');
    };
    await sender.sendTo(bytes('one'), address);
    await cue;
    // The queued datagram first, then the listener's error, then the socket works on.
    expect(text(udp.tryRecvFrom(16)![0])).toBe('one');
    expect(() => udp.tryRecvFrom(16)).toThrow('listener threw');
    expect(udp.tryRecvFrom(16)).toBeUndefined();
    cue = nextCue();
    listener = () => Promise.reject(new Error('listener rejected'));
    await sender.sendTo(bytes('two'), address);
    await cue;
    expect(text((await udp.recvFrom(16, { timeout: 5_000 }))[0])).toBe('two');
    await expect(udp.recvFrom(16, { timeout: 5_000 })).rejects.toThrow('listener rejected');
    listener = () => {};
    const broadcast = { host: '127.255.255.255', port: address.port };
    udp.trySendTo(bytes('x'), broadcast, () => {
      throw new Error('handler threw');
    });
    await expect(udp.recvFrom(16, { timeout: 5_000 })).rejects.toThrow('handler threw');
    await sender.sendTo(bytes('three'), address);
    expect(text((await udp.recvFrom(16, { timeout: 5_000 }))[0])).toBe('three');
  });

  it.each([
    ['IPv4', AF_INET, ['127.0.0.1', '127.0.0.2'], 'localhost'],
    ['IPv6', AF_INET6, ['::1', '::1'], '0:0:0:0:0:0:0:1'],
  ] as const)(
    'sends each datagram to its own host and port, literal or name (%s)',
    async (_name, family, hosts, other) => {
      const { udp: sender } = await boundUdp(family);
      await using _sender = sender;
      await using first = new DatagramSocket(family);
      await first.bind({ host: hosts[0], port: 0 });
      const firstPort = first.getSockName().port;
      await using second = new DatagramSocket(family);
      await second.bind({ host: hosts[1], port: 0 });
      const secondPort = second.getSockName().port;
      // Alternating peers, then another spelling of the first host (a name, or a long form).
      await sender.sendTo(bytes('a1'), { host: hosts[0], port: firstPort });
      await sender.sendTo(bytes('b1'), { host: hosts[1], port: secondPort });
      await sender.sendTo(bytes('a2'), { host: other, port: firstPort });
      sender.trySendTo(bytes('b2'), { host: hosts[1], port: secondPort });
      await sender.sendTo(bytes('a3'), { host: hosts[0], port: firstPort });
      const received = async (receiver: DatagramSocket, count: number) => {
        const texts: string[] = [];
        for (let i = 0; i < count; i++)
          texts.push(text((await receiver.recvFrom(64, { timeout: 5_000 }))[0]));
        return texts;
      };
      expect(await received(first, 3)).toEqual(['a1', 'a2', 'a3']);
      expect(await received(second, 2)).toEqual(['b1', 'b2']);
      expect(first.tryRecvFrom(64)).toBeUndefined();
    },
  );

  it('reports send failures: sendTo rejects itself, trySendTo calls onError or fails the next read', async () => {
    const { udp, address } = await boundUdp();
    await using _udp = udp;
    const broadcast = { host: '127.255.255.255', port: address.port };
    await expect(udp.sendTo(bytes('x'), broadcast)).rejects.toMatchObject({ code: 'EACCES' });
    const reported = new Promise((resolve) => udp.trySendTo(bytes('x'), broadcast, resolve));
    expect(await reported).toMatchObject({ code: 'EACCES' });
    // Without a handler the error waits for the next read, as the kernel reports ICMP errors.
    const cued = new Promise<void>((resolve) => udp.onReadable(resolve));
    udp.trySendTo(bytes('x'), broadcast);
    await cued;
    expect(() => udp.tryRecvFrom(1024)).toThrow(expect.objectContaining({ code: 'EACCES' }));
    expect(udp.tryRecvFrom(1024)).toBeUndefined();
    udp.trySendTo(bytes('x'), broadcast);
    await expect(udp.recvFrom(1024, { timeout: 5_000 })).rejects.toMatchObject({ code: 'EACCES' });
    // The socket stays usable.
    await udp.sendTo(bytes('still here'), address);
    expect(text((await udp.recvFrom(1024, { timeout: 5_000 }))[0])).toBe('still here');
  });

  it('hands a trySendTo failure to one shared handler with the context given to that send', async () => {
    const { udp, address } = await boundUdp();
    await using _udp = udp;
    const broadcast = { host: '127.255.255.255', port: address.port };
    const failed: [string, unknown][] = [];
    let done: () => void;
    const both = new Promise<void>((resolve) => {
      done = resolve;
    });
    const onError = (error: unknown, context: string) => {
      failed.push([context, (error as SocketError).code]);
      if (failed.length === 2) done();
    };
    udp.trySendTo(bytes('x'), broadcast, onError, 'first');
    udp.trySendTo(bytes('y'), broadcast, onError, 'second');
    await both;
    expect(failed).toEqual([
      ['first', 'EACCES'],
      ['second', 'EACCES'],
    ]);
  });

  it('trySendTo takes the bytes at once, before the implicit bind and before a name resolves', async () => {
    const { udp: receiver, address } = await boundUdp();
    await using _receiver = receiver;
    const byName = { host: 'localhost', port: address.port };
    await using unbound = socket(AF_INET, SOCK_DGRAM);
    const buffer = Buffer.from('aaa');
    unbound.trySendTo(buffer, address);
    buffer.write('bbb');
    unbound.trySendTo(buffer, byName);
    buffer.write('zzz');
    const received = [];
    for (let i = 0; i < 2; i++) received.push(text((await receiver.recvFrom(16, { timeout: 5_000 }))[0]));
    expect(received.sort()).toEqual(['aaa', 'bbb']);
  });

  it('hands every datagram to a sink before the queue, and socket errors too (onDatagrams)', async () => {
    const { udp, address } = await boundUdp();
    await using _udp = udp;
    await using sender = socket(AF_INET, SOCK_DGRAM);
    const seen: [string, number][] = [];
    const errors: unknown[] = [];
    let wake: () => void = () => {};
    onDatagrams(udp, {
      datagram: (data, from) => {
        seen.push([text(data), from.port]);
        if (data.length === 5) throw new Error('sink threw');
        wake();
      },
      error: (error) => {
        errors.push(error);
        wake();
      },
    });
    expect(() => udp.onReadable(() => {})).toThrow(InvalidStateError);
    const next = () =>
      new Promise<void>((resolve) => {
        wake = resolve;
      });
    let arrived = next();
    await sender.sendTo(bytes('one'), address);
    await arrived;
    arrived = next();
    await sender.sendTo(bytes('throw'), address);
    await arrived;
    arrived = next();
    udp.trySendTo(bytes('x'), { host: '127.255.255.255', port: address.port });
    await arrived;
    const port = (sender.getSockName() as { port: number }).port;
    expect(seen).toEqual([
      ['one', port],
      ['throw', port],
    ]);
    expect(errors).toEqual([
      expect.objectContaining({ message: 'sink threw' }),
      expect.objectContaining({ code: 'EACCES' }),
    ]);
    expect(udp.stats).toMatchObject({ received: 2, queued: 0, dropped: 0 });
    expect(udp.tryRecvFrom(1024)).toBeUndefined();
  });

  it('reports an ICMP error on a connected socket to the next read, waiting or not', async () => {
    // A port with nothing bound: the kernel answers a datagram with ICMP port unreachable.
    const { udp: gone, address } = await boundUdp();
    await gone.close();
    await using udp = new DatagramSocket(AF_INET);
    await udp.connect(address);
    const waiting = udp.recv(1024, { timeout: 5_000 });
    await udp.send(bytes('anyone?'));
    await expect(waiting).rejects.toThrow(ConnectionRefusedError);
    // Nobody reading: the error waits as the socket's pending error, and onReadable cues a drain.
    const cued = new Promise<void>((resolve) => udp.onReadable(resolve));
    await udp.send(bytes('anyone?'));
    await cued;
    expect(() => udp.tryRecvFrom(1024)).toThrow(ConnectionRefusedError);
    expect(udp.tryRecvFrom(1024)).toBeUndefined();
  });

  it('refuses a datagram over the IP limit before sending anything', async () => {
    await using v4 = new DatagramSocket(AF_INET);
    await using v6 = new DatagramSocket(AF_INET6);
    const to4 = { host: '127.0.0.1', port: 9 };
    await expect(v4.sendTo(new Uint8Array(65_508), to4)).rejects.toMatchObject({ code: 'EMSGSIZE' });
    expect(() => v4.trySendTo(new Uint8Array(65_508), to4)).toThrow(
      expect.objectContaining({ code: 'EMSGSIZE' }),
    );
    await expect(v6.sendTo(new Uint8Array(65_528), { host: '::1', port: 9 })).rejects.toThrow(SocketError);
    const { udp: receiver, address } = await boundUdp();
    await using _receiver = receiver;
    expect(await v4.sendTo(new Uint8Array(65_507), address)).toBe(65_507);
    expect((await receiver.recvFrom(65_536, { timeout: 5_000 })).size).toBe(65_507);
  });

  it('fails every call after close with SocketClosedError, never a bare Node error', async () => {
    const { udp } = await boundUdp();
    await udp.connect({ host: '127.0.0.1', port: 9 });
    await udp.close();
    const calls: Array<() => unknown> = [
      () => udp.getSockName(),
      () => udp.getPeerName(),
      () => udp.setSockOpt('broadcast', true),
      () => udp.setSockOpt('receiveBufferSize', 4096),
      () => udp.getSockOpt('sendBufferSize'),
      () => udp.addMembership('239.255.1.1'),
      () => udp.onReadable(() => {}),
      () => udp.tryRecvFrom(10),
      () => udp.trySendTo(bytes('x'), { host: '127.0.0.1', port: 9 }),
    ];
    for (const call of calls) expect(call).toThrow(SocketClosedError);
    await expect(udp.send(bytes('x'))).rejects.toThrow(SocketClosedError);
    await expect(udp.recv(10)).rejects.toThrow(SocketClosedError);
    await expect(udp.bind({ host: '127.0.0.1', port: 0 })).rejects.toThrow(SocketClosedError);
  });

  it('rejects a failed bind on that call only: no stale error for the next read, and it may bind again', async () => {
    const { udp: taken, address } = await boundUdp();
    await using _taken = taken;
    await using udp = new DatagramSocket(AF_INET);
    await expect(udp.bind(address)).rejects.toBeInstanceOf(AddressInUseError);
    expect(udp.tryRecvFrom(16)).toBeUndefined();
    const both = [udp.bind({ host: '127.0.0.1', port: 0 }), udp.bind({ host: '127.0.0.1', port: 0 })];
    await expect(both[1]).rejects.toMatchObject({ code: 'EINVAL' });
    await both[0];
    await taken.sendTo(bytes('after'), udp.getSockName());
    expect(text((await udp.recvFrom(16, { timeout: 5_000 }))[0])).toBe('after');
  });

  it('reports an option the kernel refuses at bind time to bind, or to the next read, not as a crash', async () => {
    // 192.0.2.1 (TEST-NET-1) is no local interface: setting it is refused, and nothing is sent there.
    await using explicit = new DatagramSocket(AF_INET);
    explicit.setSockOpt('multicastInterface', '192.0.2.1');
    await expect(explicit.bind({ host: '127.0.0.1', port: 0 })).rejects.toMatchObject({
      code: 'EADDRNOTAVAIL',
    });
    const { udp: receiver, address } = await boundUdp();
    await using _receiver = receiver;
    await using implicit = new DatagramSocket(AF_INET);
    implicit.setSockOpt('multicastInterface', '192.0.2.1');
    await implicit.sendTo(bytes('bound by sending'), address);
    await expect(implicit.recvFrom(16, { timeout: 5_000 })).rejects.toMatchObject({ code: 'EADDRNOTAVAIL' });
    expect(text((await receiver.recvFrom(32, { timeout: 5_000 }))[0])).toBe('bound by sending');
  });

  it('close() rejects a bind or connect still in progress instead of leaving it pending forever', async () => {
    const binding = new DatagramSocket(AF_INET);
    const bound = binding.bind({ host: '127.0.0.1', port: 0 });
    await binding.close();
    await expect(bound).rejects.toBeInstanceOf(SocketClosedError);
    const connecting = new DatagramSocket(AF_INET);
    const connected = connecting.connect({ host: '127.0.0.1', port: 9 });
    await expect(connecting.connect({ host: '127.0.0.1', port: 9 })).rejects.toMatchObject({
      code: 'EALREADY',
    });
    await connecting.close();
    await expect(connected).rejects.toBeInstanceOf(SocketClosedError);
  });

  it('refuses a second connect with EISCONN', async () => {
    const { udp: peer, address } = await boundUdp();
    await using _peer = peer;
    await using udp = new DatagramSocket(AF_INET);
    await udp.connect(address);
    await expect(udp.connect(address)).rejects.toMatchObject({ name: 'SocketError', code: 'EISCONN' });
  });

  it('sets broadcast, TTL, multicast and buffer options, before and after bind', async () => {
    await using udp = new DatagramSocket(AF_INET);
    udp.setSockOpt('broadcast', true);
    udp.setSockOpt('multicastTTL', 4);
    udp.setSockOpt('multicastLoopback', false);
    udp.setSockOpt('reuseAddress', true);
    udp.setSockOpt('receiveBufferSize', 65536);
    await udp.bind({ host: '127.0.0.1', port: 0 });
    udp.setSockOpt('ttl', 32);
    udp.setSockOpt('sendBufferSize', 65536);
    expect(udp.getSockOpt('broadcast')).toBe(true);
    expect(udp.getSockOpt('multicastTTL')).toBe(4);
    expect(udp.getSockOpt('ttl')).toBe(32);
    expect(udp.getSockOpt('receiveBufferSize')).toBeGreaterThanOrEqual(65536);
    expect(() => udp.setSockOpt('reuseAddress', false)).toThrow(SocketError);
    expect(() => udp.setSockOpt('ttl', 0)).toThrow(InvalidArgumentError);
    expect(() => udp.setSockOpt('ttl', 256)).toThrow(InvalidArgumentError);
    // Multicast TTL 0 is valid: multicast that never leaves this host.
    udp.setSockOpt('multicastTTL', 0);
    expect(udp.getSockOpt('multicastTTL')).toBe(0);
    expect(() => udp.setSockOpt('multicastTTL', 256)).toThrow(InvalidArgumentError);
    expect(() => udp.setSockOpt('multicastTTL', 1.5)).toThrow(InvalidArgumentError);
    expect(() => udp.setSockOpt('broadcast', 1 as never)).toThrow(InvalidArgumentError);
    expect(() => udp.setSockOpt('noDelay' as never, true as never)).toThrow(
      expect.objectContaining({ name: 'UnsupportedError', errno: constants.errno.ENOPROTOOPT }),
    );
    expect(() => udp.getSockOpt('linger' as never)).toThrow(UnsupportedError);
    expect(() => udp.addMembership('')).toThrow(InvalidArgumentError);
  });

  it('joins and leaves a multicast group on the loopback interface, and maps failures to SocketError', async () => {
    await using udp = new DatagramSocket(AF_INET);
    await udp.bind({ host: '0.0.0.0', port: 0 });
    udp.addMembership('239.255.0.1', '127.0.0.1');
    udp.dropMembership('239.255.0.1', '127.0.0.1');
    expect(() => udp.dropMembership('239.255.0.1', '127.0.0.1')).toThrow(SocketError);
  });
});

/** Waits for a condition that socket events make true (datagrams on loopback arrive within a few ticks). */
async function waitFor(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}
