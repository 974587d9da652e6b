import { ClosedError, SockkitError, TimeoutError } from '@sockkit/core';

/**
 * The literal `code` of every error class `@sockkit/udp` defines, for `switch (error.code)`. The
 * endpoint also throws `RequestTimeoutError` (`SOCKKIT_ERR_REQUEST_TIMEOUT`, the class of
 * `@sockkit/framing`, one for every request) and core's `InvalidArgumentError`
 * (`SOCKKIT_ERR_INVALID_ARGUMENT`) and `InvalidStateError`; all three are exported here too.
 */
export type UdpErrorCode =
  | 'SOCKKIT_ERR_DATAGRAM_TOO_LARGE'
  | 'SOCKKIT_ERR_RECEIVE_TIMEOUT'
  | 'SOCKKIT_ERR_ENDPOINT_CLOSED';

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

/** `recv` waited for its `timeout` and no datagram arrived. The endpoint stays usable. A `TimeoutError`. */
export class ReceiveTimeoutError extends TimeoutError {
  static override readonly brand: symbol = Symbol.for('@sockkit/udp/ReceiveTimeoutError');
  override readonly name: string = 'ReceiveTimeoutError';
  readonly code = 'SOCKKIT_ERR_RECEIVE_TIMEOUT' as const;
  /** The timeout that passed, in milliseconds. */
  readonly timeout: number;

  constructor(timeout: number, options?: ErrorOptions) {
    super(`No datagram received within ${timeout} ms`, options);
    this.timeout = timeout;
  }
}

/** The endpoint was closed: thrown by calls made after `close()`, and by `recv`/`request` pending when it closed. A `ClosedError`. */
export class EndpointClosedError extends ClosedError {
  static override readonly brand: symbol = Symbol.for('@sockkit/udp/EndpointClosedError');
  override readonly name: string = 'EndpointClosedError';
  readonly code = 'SOCKKIT_ERR_ENDPOINT_CLOSED' as const;

  constructor(message = 'The UDP endpoint is closed', options?: ErrorOptions) {
    super(message, options);
  }
}

// Thrown by the endpoint too, defined once for every sockkit package.
export { InvalidArgumentError, InvalidStateError } from '@sockkit/core';
export { RequestTimeoutError } from '@sockkit/framing';
