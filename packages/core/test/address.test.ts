import { describe, expect, it } from 'vitest';
import {
  checkAddress,
  connectOptionsOf,
  familyOfAddress,
  formatAddress,
  liveAddress,
  recordedAddress,
  toSocketAddress,
} from '../src/address.ts';
import { AF_INET, AF_INET6, AF_UNIX } from '../src/constants.ts';
import { InvalidArgumentError } from '../src/errors.ts';

describe('addresses', () => {
  it('checkAddress takes { host, port } for IP families and { path } for AF_UNIX', () => {
    expect(checkAddress({ host: '127.0.0.1', port: 0 }, AF_INET, 0)).toEqual({ host: '127.0.0.1', port: 0 });
    expect(checkAddress({ host: '::1', port: 80 }, AF_INET6, 1)).toEqual({ host: '::1', port: 80 });
    expect(checkAddress({ host: 'localhost', port: 80 }, AF_INET6, 1)).toEqual({
      host: 'localhost',
      port: 80,
    });
    expect(checkAddress({ path: '/tmp/s.sock' }, AF_UNIX, 0)).toEqual({ path: '/tmp/s.sock' });
  });

  it.each([
    ['not an object', 'x', AF_INET, /host, port/],
    ['an empty host', { host: '', port: 1 }, AF_INET, /address\.host/],
    ['port 0 where a peer port is needed', { host: '127.0.0.1', port: 0 }, AF_INET, /address\.port/],
    ['port 65536', { host: '127.0.0.1', port: 65_536 }, AF_INET, /address\.port/],
    ['an IPv6 literal on AF_INET', { host: '::1', port: 1 }, AF_INET, /create it with AF_INET6/],
    ['an IPv4 literal on AF_INET6', { host: '127.0.0.1', port: 1 }, AF_INET6, /create it with AF_INET/],
    ['a path on AF_INET', { path: '/tmp/s.sock' }, AF_INET, /needs an AF_UNIX socket/],
    ['a host on AF_UNIX', { host: 'localhost', port: 1 }, AF_UNIX, /needs a \{ path \}/],
    ['a path over 107 bytes', { path: `/${'x'.repeat(107)}` }, AF_UNIX, /at most 107 bytes/],
  ])('checkAddress refuses %s', (_name, address, family, message) => {
    expect(() => checkAddress(address, family, 1)).toThrow(InvalidArgumentError);
    expect(() => checkAddress(address, family, 1)).toThrow(message);
  });

  it('names the family of an address, and formats it for messages', () => {
    expect(familyOfAddress({ path: '/x' })).toBe(AF_UNIX);
    expect(familyOfAddress({ host: '::1', port: 1 })).toBe(AF_INET6);
    expect(familyOfAddress({ host: 'example.test', port: 1 })).toBe(AF_INET);
    expect(formatAddress({ host: '::1', port: 80 })).toBe('[::1]:80');
    expect(formatAddress({ host: '127.0.0.1', port: 80 })).toBe('127.0.0.1:80');
    expect(formatAddress({ path: '/tmp/s.sock' })).toBe('/tmp/s.sock');
    expect(toSocketAddress('::1', 5, 'IPv6')).toEqual({ family: 'IPv6', host: '::1', port: 5 });
    expect(toSocketAddress('10.0.0.1', 5, 'anything else')).toMatchObject({ family: 'IPv4' });
  });

  it("turns Node's address() into a SocketAddress, or falls back to the recorded bind address", () => {
    expect(liveAddress({ address: '127.0.0.1', port: 4000, family: 'IPv4' })).toEqual({
      family: 'IPv4',
      host: '127.0.0.1',
      port: 4000,
    });
    expect(liveAddress('/tmp/s.sock')).toBeUndefined();
    expect(liveAddress({})).toBeUndefined();
    expect(liveAddress(undefined)).toBeUndefined();
    expect(recordedAddress(undefined, AF_INET)).toEqual({ family: 'IPv4', host: '0.0.0.0', port: 0 });
    expect(recordedAddress(undefined, AF_INET6)).toEqual({ family: 'IPv6', host: '::', port: 0 });
    expect(recordedAddress({ host: '127.0.0.1', port: 9 }, AF_INET)).toEqual({
      family: 'IPv4',
      host: '127.0.0.1',
      port: 9,
    });
    expect(recordedAddress(undefined, AF_UNIX)).toEqual({ family: 'unix', path: '' });
    expect(recordedAddress({ path: '/tmp/s.sock' }, AF_UNIX)).toEqual({
      family: 'unix',
      path: '/tmp/s.sock',
    });
  });

  it("builds Node's connect options with the family and the recorded local address", () => {
    expect(connectOptionsOf({ path: '/tmp/s.sock' }, AF_UNIX, undefined, true)).toEqual({
      path: '/tmp/s.sock',
    });
    expect(connectOptionsOf({ host: '::1', port: 80 }, AF_INET6, undefined, false)).toEqual({
      host: '::1',
      port: 80,
      family: 6,
      noDelay: false,
    });
    expect(
      connectOptionsOf({ host: '127.0.0.1', port: 80 }, AF_INET, { host: '127.0.0.2', port: 0 }, true),
    ).toEqual({
      host: '127.0.0.1',
      port: 80,
      family: 4,
      noDelay: true,
      localAddress: '127.0.0.2',
      localPort: 0,
    });
  });
});
