import { type AddressInfo, isIP } from 'node:net';
import { type AddressFamily, AF_INET, AF_INET6, AF_UNIX } from './constants.js';
import { InvalidArgumentError } from './errors.js';
import { checkIntegerIn, checkNonEmptyString } from './validate.js';

/** An address as sockkit reports it: always with its family. */
export type SocketAddress =
  | { readonly family: 'IPv4' | 'IPv6'; readonly host: string; readonly port: number }
  | { readonly family: 'unix'; readonly path: string };

/** An IP address as sockkit reports it (what UDP and TCP sockets give). */
export type IpSocketAddress = Extract<SocketAddress, { readonly family: 'IPv4' | 'IPv6' }>;

/** An IP address to bind to or connect to: a host name or literal and a port. */
export interface HostAddress {
  readonly host: string;
  readonly port: number;
}

/** A Unix socket path. */
export interface PathAddress {
  readonly path: string;
}

/** An address as sockkit accepts it: `{ host, port }` for IP, `{ path }` for Unix sockets. */
export type AddressInput = HostAddress | PathAddress;

/** Linux `sun_path` holds 108 bytes including the terminating NUL. */
const MAX_UNIX_PATH_BYTES = 107;

/** Family of an address: `AF_UNIX` for a path, `AF_INET6` for an IPv6 literal, else `AF_INET`. */
export function familyOfAddress(address: AddressInput): typeof AF_INET | typeof AF_INET6 | typeof AF_UNIX {
  if ('path' in address) return AF_UNIX;
  return isIP(address.host) === 6 ? AF_INET6 : AF_INET;
}

/**
 * Checks an address given by the user against the socket's family and returns it, or throws an
 * `InvalidArgumentError` saying what is wrong. `family` 0 accepts any IP host. `minPort` is 0 for
 * `bind` (any free port) and 1 where a real peer port is needed.
 */
export function checkAddress(
  address: unknown,
  family: number,
  minPort: 0 | 1,
  argument = 'address',
): AddressInput {
  if (typeof address !== 'object' || address === null) {
    throw new InvalidArgumentError(argument, '{ host, port } or { path }', address);
  }
  if ('path' in address) {
    const path = checkNonEmptyString(`${argument}.path`, (address as { path: unknown }).path);
    if (Buffer.byteLength(path) > MAX_UNIX_PATH_BYTES) {
      throw new InvalidArgumentError(`${argument}.path`, `at most ${MAX_UNIX_PATH_BYTES} bytes`, path);
    }
    if (family !== AF_UNIX) {
      throw new InvalidArgumentError(argument, '{ host, port }', address, {
        message: `${argument} { path } needs an AF_UNIX socket`,
      });
    }
    return address as PathAddress;
  }
  const { host, port } = address as { host?: unknown; port?: unknown };
  if (typeof host !== 'string' || host === '') {
    throw new InvalidArgumentError(
      `${argument}.host`,
      "a non-empty string (use '0.0.0.0' or '::' for any local address)",
      host,
    );
  }
  // The port's argument name is built only on failure: checkAddress runs on every sendTo.
  if (!(typeof port === 'number' && Number.isInteger(port) && port >= minPort && port <= 65535)) {
    checkIntegerIn(`${argument}.port`, port, minPort, 65535);
  }
  if (family === AF_UNIX) {
    throw new InvalidArgumentError(argument, '{ path }', address, {
      message: `an AF_UNIX socket needs a { path } ${argument}`,
    });
  }
  checkHostFamily(argument, host, family, '.host');
  return address as HostAddress;
}

/**
 * Refuses an IP literal of the other family than the socket's (`AF_INET` or `AF_INET6`; any
 * other `family` accepts both) with an `InvalidArgumentError` for argument `argument + field`
 * (joined only on failure: this runs on every send) saying which socket to create. Host names
 * pass: they are resolved in the socket's family.
 */
export function checkHostFamily(argument: string, host: string, family: number, field = ''): string {
  // The colon test spares the IP regex on the hot path of sendTo.
  if (family === AF_INET && host.includes(':') && isIP(host) === 6) {
    throw new InvalidArgumentError(argument + field, 'an IPv4 address or a host name', host, {
      message: `an AF_INET socket cannot use the IPv6 address ${host}: create it with AF_INET6`,
    });
  }
  if (family === AF_INET6 && !host.includes(':') && isIP(host) === 4) {
    throw new InvalidArgumentError(argument + field, 'an IPv6 address or a host name', host, {
      message: `an AF_INET6 socket cannot use the IPv4 address ${host}: create it with AF_INET`,
    });
  }
  return host;
}

/** The `SocketAddress` of what Node reports (`address()`, `remoteAddress`, a datagram's `rinfo`). */
export function toSocketAddress(host: string, port: number, family: string): IpSocketAddress {
  return { family: family === 'IPv6' ? 'IPv6' : 'IPv4', host, port };
}

/** A printable form of an address, for messages: `127.0.0.1:80`, `[::1]:80`, `/tmp/x.sock`. */
export function formatAddress(address: AddressInput): string {
  if ('path' in address) return address.path;
  return isIP(address.host) === 6 ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}

/** What Node's `address()` reports, as a {@link SocketAddress}, when it is an IP address with a port. */
export function liveAddress(
  live: AddressInfo | string | null | object | undefined,
): SocketAddress | undefined {
  if (typeof live !== 'object' || live === null || !('port' in live)) return undefined;
  const info = live as AddressInfo;
  return info.port === undefined ? undefined : toSocketAddress(info.address, info.port, info.family);
}

/**
 * The local address of a socket Node has not bound: the address `bind` recorded, or the wildcard
 * address with port 0 (an empty path for a Unix socket).
 */
export function recordedAddress(bound: AddressInput | undefined, family: AddressFamily): SocketAddress {
  if (family === AF_UNIX) return { family: 'unix', path: bound && 'path' in bound ? bound.path : '' };
  const ip = family === AF_INET6 ? 'IPv6' : 'IPv4';
  if (bound !== undefined && 'host' in bound) return { family: ip, host: bound.host, port: bound.port };
  return { family: ip, host: ip === 'IPv6' ? '::' : '0.0.0.0', port: 0 };
}

/** The options of Node's `socket.connect` for `target`, from the socket's family and recorded `bind` address. */
export function connectOptionsOf(
  target: AddressInput,
  family: AddressFamily,
  bound: AddressInput | undefined,
  noDelay: boolean,
) {
  if ('path' in target) return { path: target.path };
  return {
    host: target.host,
    port: target.port,
    family: family === AF_INET6 ? 6 : 4,
    noDelay,
    ...(bound && 'host' in bound ? { localAddress: bound.host, localPort: bound.port } : {}),
  };
}
