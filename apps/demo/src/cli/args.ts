import { isIP } from 'node:net';
import type { SocketAddress } from '@sockkit/core';
import { z } from 'zod';

/** Validators for the arguments the commands share; their messages end up in usage errors. */

/** Where servers listen and clients connect unless told otherwise: loopback only. */
export const DEFAULT_HOST = '127.0.0.1';

export const hostArg = z.string().min(1, 'must not be empty');

export const portArg = z.coerce
  .number({ error: 'must be a port number' })
  .int('must be a whole number')
  .min(0, 'must be between 0 and 65535')
  .max(65535, 'must be between 0 and 65535');

/** A timeout in milliseconds. */
export const timeoutArg = z.coerce
  .number({ error: 'must be a number of milliseconds' })
  .int('must be a whole number of milliseconds')
  .positive('must be positive');

export function countArg(min: number, max: number) {
  return z.coerce
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(min, `must be between ${min} and ${max}`)
    .max(max, `must be between ${min} and ${max}`);
}

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** `host:port`, `[ipv6]:port` or a bare `port` (loopback): what a user types to name a peer. */
export const hostPortArg = z.string().transform((text, context): HostPort => {
  const match =
    /^(?:\[(?<v6>[^\]]+)\]|(?<host>[^:]+)):(?<port>\d+)$/.exec(text) ?? /^(?<port>\d+)$/.exec(text);
  const port = Number(match?.groups?.port);
  const host = match?.groups?.v6 ?? match?.groups?.host ?? DEFAULT_HOST;
  if (!match || port > 65535 || (match.groups?.v6 !== undefined && isIP(host) !== 6)) {
    context.addIssue({ code: 'custom', message: `expected host:port, [ipv6]:port or a port, got '${text}'` });
    return z.NEVER;
  }
  return { host, port };
});

/** Shows an address the way a user would type it back. */
export function formatHostPort({ host, port }: HostPort): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The `{ host, port }` of an IP address (servers here never listen on Unix sockets). */
export function hostPortOf(address: SocketAddress): HostPort {
  if (address.family === 'unix') throw new TypeError(`expected an IP address, got ${address.path}`);
  return { host: address.host, port: address.port };
}

/** Shows an address from `accept()` or `getSockName()`. */
export function formatAddress(address: SocketAddress): string {
  return address.family === 'unix' ? address.path : formatHostPort(address);
}
