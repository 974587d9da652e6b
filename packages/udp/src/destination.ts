import { isIP } from 'node:net';
import { InvalidArgumentError } from '@sockkit/core';
import { checkIntegerIn, checkNonEmptyString } from '@sockkit/core/internals';
import type { Destination } from './endpoint.js';

/** A destination as `send` and `request` take it, checked before anything is encoded or sent. */
export function checkDestination(to: Destination): Destination {
  if (typeof to !== 'object' || to === null) throw new InvalidArgumentError('to', '{ host, port }', to);
  checkNonEmptyString('to.host', to.host);
  checkIntegerIn('to.port', to.port, 1, 65535);
  return to;
}

/** RFC 5952 text of an IPv6 literal (what the kernel reports as a sender); other hosts unchanged. */
export function canonicalHost(host: string): string {
  if (isIP(host) !== 6) return host;
  try {
    return new URL(`http://[${host}]`).hostname.slice(1, -1);
  } catch {
    return host;
  }
}
