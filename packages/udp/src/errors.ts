import { SockkitError } from '@sockkit/core';

/** Where a datagram was going or came from, for error messages. */
interface Peer {
  readonly host: string;
  readonly port: number;
}

const formatPeer = (peer: Peer): string =>
  peer.host.includes(':') ? `[${peer.host}]:${peer.port}` : `${peer.host}:${peer.port}`;

/** A payload larger than the endpoint may send: the IP limit of its family or its `maxPayload`. Checked before sending. */
export class DatagramTooLargeError extends SockkitError {
  static override readonly brand: symbol = Symbol.for('@sockkit/udp/DatagramTooLargeError');
  override readonly name: string = 'DatagramTooLargeError';
  readonly code = 'SOCKKIT_ERR_DATAGRAM_TOO_LARGE' as const;
  /** Size of the datagram that was refused, in bytes (envelope included for `request` and `serve`). */
  readonly size: number;
  /** The limit it exceeded, in bytes. */
  readonly limit: number;

  constructor(size: number, limit: number, options?: ErrorOptions) {
    super(`Datagram of ${size} bytes exceeds the limit of ${limit} bytes`, options);
    this.size = size;
    this.limit = limit;
  }
}

/** `request` got no matching reply after its last retransmission. */
export class RequestTimeoutError extends SockkitError {
  static override readonly brand: symbol = Symbol.for('@sockkit/udp/RequestTimeoutError');
  override readonly name: string = 'RequestTimeoutError';
  readonly code = 'SOCKKIT_ERR_UDP_REQUEST_TIMEOUT' as const;
  /** How many times the request was sent (`retries + 1`). */
  readonly attempts: number;

  constructor(to: Peer, attempts: number, options?: ErrorOptions) {
    super(`No reply from ${formatPeer(to)} after ${attempts} attempt${attempts === 1 ? '' : 's'}`, options);
    this.attempts = attempts;
  }
}

/** `recv` waited for its `timeout` and no datagram arrived. The endpoint stays usable. */
export class ReceiveTimeoutError extends SockkitError {
  static override readonly brand: symbol = Symbol.for('@sockkit/udp/ReceiveTimeoutError');
  override readonly name: string = 'ReceiveTimeoutError';
  readonly code = 'SOCKKIT_ERR_RECEIVE_TIMEOUT' as const;

  constructor(timeout: number, options?: ErrorOptions) {
    super(`No datagram received within ${timeout} ms`, options);
  }
}

/** The endpoint was closed: thrown by calls made after `close()`, and by `recv`/`request` pending when it closed. */
export class EndpointClosedError extends SockkitError {
  static override readonly brand: symbol = Symbol.for('@sockkit/udp/EndpointClosedError');
  override readonly name: string = 'EndpointClosedError';
  readonly code = 'SOCKKIT_ERR_ENDPOINT_CLOSED' as const;

  constructor(message = 'The UDP endpoint is closed', options?: ErrorOptions) {
    super(message, options);
  }
}

/** An option out of its range (a negative timeout, a zero queue bound, ...), reported when the call is made. */
export class InvalidOptionError extends SockkitError {
  static override readonly brand: symbol = Symbol.for('@sockkit/udp/InvalidOptionError');
  override readonly name: string = 'InvalidOptionError';
  readonly code = 'SOCKKIT_ERR_INVALID_OPTION' as const;
  /** The option's name, e.g. `retries` or `queue.maxBytes`. */
  readonly option: string;

  constructor(option: string, expected: string, actual: unknown, options?: ErrorOptions) {
    super(`Option ${option} must be ${expected}, got ${String(actual)}`, options);
    this.option = option;
  }
}
