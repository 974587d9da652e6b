import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { AF_INET, AF_INET6, InvalidArgumentError, type SocketAddress, toSocketError } from '@sockkit/core';
import { checkHostFamily, checkIntegerIn, checkNonEmptyString } from '@sockkit/core/internals';
import type { UdpType } from './size.js';

/** A datagram's sender: an IP address, its family and a port. */
export type DatagramSource = Extract<SocketAddress, { readonly port: number }>;

/** A sender as Node reports it in a datagram's `rinfo`. */
export interface NodeSender {
  readonly address: string;
  readonly port: number;
  readonly family: string;
}

/** The {@link DatagramSource} of a sender as Node reports it. */
export function sourceOf(from: NodeSender): DatagramSource {
  return { family: from.family === 'IPv6' ? 'IPv6' : 'IPv4', host: from.address, port: from.port };
}

/** Where to send: an IP address (or a name, resolved once per call) and a port. */
export interface Destination {
  readonly host: string;
  readonly port: number;
}

/** A destination as `send` and `request` take it, checked before anything is encoded or sent. */
export function checkDestination(to: Destination): Destination {
  if (typeof to !== 'object' || to === null) throw new InvalidArgumentError('to', '{ host, port }', to);
  checkNonEmptyString('to.host', to.host);
  checkIntegerIn('to.port', to.port, 1, 65535);
  return to;
}

/**
 * An IPv6 literal as Node reports a sender: RFC 5952 text, an IPv4-mapped address in mixed
 * notation (`::ffff:127.0.0.1`), and a zone id only on a link-local address (`fe80::1%eth0`; the
 * kernel reports none elsewhere). Other hosts unchanged.
 */
export function canonicalHost(host: string): string {
  if (isIP(host) !== 6) return host;
  const zoneAt = host.indexOf('%');
  let text: string;
  try {
    text = new URL(`http://[${zoneAt < 0 ? host : host.slice(0, zoneAt)}]`).hostname.slice(1, -1);
  } catch {
    return host;
  }
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(text);
  if (mapped !== null) {
    const high = Number.parseInt(mapped[1]!, 16);
    const low = Number.parseInt(mapped[2]!, 16);
    text = `::ffff:${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
  }
  return zoneAt >= 0 && /^fe[89ab]/.test(text) ? text + host.slice(zoneAt) : text;
}

/** Turns the hosts an endpoint is given into addresses of its family. */
export class HostResolver {
  readonly #family: 4 | 6;
  #lastHost: string | undefined;
  #lastCanonical: string | undefined;

  constructor(type: UdpType) {
    this.#family = type === 'udp6' ? 6 : 4;
  }

  /**
   * `host` in canonical form when it is an IP address, else undefined (a name). The last answer is
   * kept: a client mostly asks one server, and the check is a regular expression.
   * @throws {InvalidArgumentError} for an address of the other family than the endpoint's.
   */
  canonicalLiteral(host: string): string | undefined {
    if (host === this.#lastHost) return this.#lastCanonical;
    if (isIP(host) === 0) return undefined;
    checkHostFamily('to.host', host, this.#family === 6 ? AF_INET6 : AF_INET);
    this.#lastHost = host;
    this.#lastCanonical = canonicalHost(host);
    return this.#lastCanonical;
  }

  /** `host` itself when it is an IP address, else its address from DNS. */
  async resolve(host: string): Promise<string> {
    if (isIP(host) !== 0) return host;
    try {
      return (await lookup(host, { family: this.#family })).address;
    } catch (error) {
      throw toSocketError(error); // ENOTFOUND ... as a SocketError, cause kept
    }
  }
}
