import { constants } from 'node:os';
import { describe, expect, it } from 'vitest';
import {
  AF_INET,
  AF_INET6,
  AF_UNIX,
  DatagramSocket,
  InvalidArgumentError,
  SOCK_DGRAM,
  SOCK_RAW,
  SOCK_RDM,
  SOCK_SEQPACKET,
  SOCK_STREAM,
  StreamSocket,
  socket,
  UnsupportedError,
} from '../src/index.ts';

const { errno } = constants;

describe('socket()', () => {
  it('creates a TCP stream socket by default, as Python', async () => {
    await using tcp = socket();
    expect(tcp).toBeInstanceOf(StreamSocket);
    expect(tcp.family).toBe(AF_INET);
  });

  it('creates stream and datagram sockets of each supported family', async () => {
    await using v6 = socket(AF_INET6, SOCK_STREAM);
    await using unix = socket(AF_UNIX, SOCK_STREAM);
    await using udp = socket(AF_INET, SOCK_DGRAM);
    await using udp6 = socket(AF_INET6, SOCK_DGRAM);
    expect(v6.family).toBe(AF_INET6);
    expect(unix.family).toBe(AF_UNIX);
    expect(udp).toBeInstanceOf(DatagramSocket);
    expect(udp6.family).toBe(AF_INET6);
  });

  it.each([
    ['SOCK_RAW', AF_INET, SOCK_RAW, /raw/i],
    ['SOCK_SEQPACKET', AF_INET, SOCK_SEQPACKET, /SEQPACKET/],
    ['SOCK_RDM', AF_INET, SOCK_RDM, /RDM/],
    ['AF_UNIX + SOCK_DGRAM', AF_UNIX, SOCK_DGRAM, /AF_UNIX with SOCK_DGRAM/],
    ['an unknown family', 99, SOCK_STREAM, /family 99/],
  ])('refuses %s at once with UnsupportedError saying why', (_name, family, type, message) => {
    expect(() => socket(family as never, type as never)).toThrow(UnsupportedError);
    expect(() => socket(family as never, type as never)).toThrow(message);
    expect(() => socket(family as never, type as never)).toThrow(
      expect.objectContaining({ errno: family === 99 ? errno.EAFNOSUPPORT : errno.EPROTONOSUPPORT }),
    );
  });
});

describe('argument validation', () => {
  it('rejects out-of-range ports, empty hosts and mismatched families, saying what is wrong', () => {
    const tcp = socket();
    expect(() => tcp.bind({ host: '127.0.0.1', port: 70000 })).toThrow(InvalidArgumentError);
    expect(() => tcp.bind({ host: '127.0.0.1', port: 70000 })).toThrow(
      /port must be an integer from 0 to 65535, got 70000/,
    );
    expect(() => tcp.bind({ host: '127.0.0.1', port: -1 })).toThrow(InvalidArgumentError);
    expect(() => tcp.bind({ host: '127.0.0.1', port: 1.5 })).toThrow(InvalidArgumentError);
    expect(() => tcp.bind({ host: '', port: 80 })).toThrow(InvalidArgumentError);
    expect(() => tcp.bind({ host: '', port: 80 })).toThrow(/host must be a non-empty string/);
    expect(() => tcp.bind({ host: '::1', port: 0 })).toThrow(/AF_INET socket cannot use the IPv6 address/);
    expect(() => tcp.bind({ path: '/tmp/x' })).toThrow(/needs an AF_UNIX socket/);
    expect(() => tcp.bind(null as never)).toThrow(InvalidArgumentError);
    expect(() => tcp.bind({ host: 'localhost', port: '80' } as never)).toThrow(/port must be a number/);
    expect(() => socket(AF_UNIX).bind({ path: 'x'.repeat(200) })).toThrow(InvalidArgumentError);
  });

  it('rejects port 0 as a connect target', async () => {
    await expect(socket().connect({ host: '127.0.0.1', port: 0 })).rejects.toThrow(InvalidArgumentError);
  });

  it('rejects bad bufsize, data and timeouts', async () => {
    const tcp = socket();
    await expect(tcp.recv(0)).rejects.toThrow(/bufsize must be a positive integer, got 0/);
    await expect(tcp.recv(-5)).rejects.toThrow(InvalidArgumentError);
    await expect(tcp.recv('10' as never)).rejects.toThrow(InvalidArgumentError);
    await expect(tcp.send('text' as never)).rejects.toThrow(/encode text first/);
    await expect(tcp.sendAll([1, 2] as never)).rejects.toThrow(InvalidArgumentError);
    expect(() => tcp.setTimeout(-1)).toThrow(InvalidArgumentError);
    expect(() => tcp.setTimeout('1' as never)).toThrow(InvalidArgumentError);
    // Past 2^31 - 1 ms a Node timer fires after 1 ms: refused, not turned into an instant timeout.
    expect(() => tcp.setTimeout(2 ** 31)).toThrow(/timeout must be from 0 to 2147483647 milliseconds/);
    tcp.setTimeout(2 ** 31 - 1);
    expect(tcp.getTimeout()).toBe(2 ** 31 - 1);
    tcp.setTimeout(Number.POSITIVE_INFINITY);
    expect(tcp.getTimeout()).toBeNull();
    const udp = socket(AF_INET, SOCK_DGRAM);
    await expect(udp.recvFrom(0)).rejects.toThrow(InvalidArgumentError);
    await expect(udp.recvFrom(1, { timeout: 2 ** 31 })).rejects.toThrow(InvalidArgumentError);
    await expect(udp.sendTo('x' as never, { host: '127.0.0.1', port: 9 })).rejects.toThrow(
      InvalidArgumentError,
    );
    await expect(udp.sendTo(new Uint8Array(1), { host: '127.0.0.1', port: 70000 })).rejects.toThrow(
      InvalidArgumentError,
    );
    await udp.close();
  });

  it('keeps timeouts in milliseconds; setBlocking(false) is timeout 0', () => {
    const tcp = socket();
    expect(tcp.getTimeout()).toBeNull();
    tcp.setTimeout(1500);
    expect(tcp.getTimeout()).toBe(1500);
    tcp.setBlocking(false);
    expect(tcp.getTimeout()).toBe(0);
    tcp.setBlocking(true);
    expect(tcp.getTimeout()).toBeNull();
  });
});
