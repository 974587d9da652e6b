import { isIP } from 'node:net';
import type { SocketAddress } from '@sockkit/core';
import { z } from 'zod';
import { formatBytes } from './output.js';

/** Validators for the arguments the commands share; their messages end up in usage errors. */

/** Where servers listen and clients connect unless told otherwise: loopback only. */
export const DEFAULT_HOST = '127.0.0.1';

export const hostArg = z.string().min(1, 'must not be empty');

/** A port to listen on or bind: 0 asks the kernel for any free one. */
export const portArg = z.coerce
  .number({ error: 'must be a port number' })
  .int('must be a whole number')
  .min(0, 'must be between 0 and 65535')
  .max(65535, 'must be between 0 and 65535');

/** Why 0 is no port to connect or send to. */
const PEER_PORT_RANGE = 'must be between 1 and 65535 (0, any free port, is for servers to listen on)';

/** A port to connect or send to: 0 only makes sense for a listener. */
export const peerPortArg = z.coerce
  .number({ error: 'must be a port number' })
  .int('must be a whole number')
  .min(1, PEER_PORT_RANGE)
  .max(65535, PEER_PORT_RANGE);

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
  if (port === 0) {
    context.addIssue({ code: 'custom', message: `${text}: the port ${PEER_PORT_RANGE}` });
    return z.NEVER;
  }
  return { host, port };
});

const sizeUnits: Readonly<Record<string, number>> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** A size as {@link sizeArg} reads it back, in the largest unit that divides it: 1048576 -> `1MiB`. */
export function sizeText(bytes: number): string {
  for (const [unit, factor] of [
    ['GiB', 1024 ** 3],
    ['MiB', 1024 ** 2],
    ['KiB', 1024],
  ] as const) {
    if (bytes >= factor && bytes % factor === 0) return `${bytes / factor}${unit}`;
  }
  return String(bytes);
}

/**
 * A number of bytes, with an optional binary unit: `65536`, `64KiB` (or `64K`), `16MiB`, `4GiB`.
 * Decimal units (`KB`, `MB`) are refused rather than guessed at.
 */
export function sizeArg(min: number, max = Number.MAX_SAFE_INTEGER) {
  const range =
    max === Number.MAX_SAFE_INTEGER
      ? `must be at least ${formatBytes(min)}`
      : `must be between ${formatBytes(min)} and ${formatBytes(max)}`;
  return z
    .string()
    .transform((text, context) => {
      const match = /^(\d+(?:\.\d+)?) ?(?:([kmg])(?:ib)?|(b))?$/i.exec(text.trim());
      if (!match) {
        context.addIssue({
          code: 'custom',
          message: `must be a size such as 65536, 64KiB or 16MiB, got '${text}'`,
        });
        return z.NEVER;
      }
      const unit = (match[2] ?? match[3] ?? '').toLowerCase();
      return Math.floor(Number(match[1]) * (sizeUnits[unit] ?? 1));
    })
    .pipe(z.number().min(min, range).max(max, range));
}

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
