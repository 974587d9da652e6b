import { constants } from 'node:os';
import { SockkitError } from './sockkit-error.js';
import { type TlsErrorCode, tlsErrorOf } from './tls-errors.js';

export {
  CertificateError,
  CertificateExpiredError,
  CertificateRejectedError,
  HostnameMismatchError,
  TlsError,
  type TlsErrorCode,
  type TlsErrorOptions,
  TlsHandshakeTimeoutError,
  TlsProtocolError,
  TlsVersionError,
  UntrustedCertificateError,
} from './tls-errors.js';

const errnoByCode = constants.errno as Readonly<Record<string, number | undefined>>;

/** The literal `code` of every error class of `@sockkit/core`, for `switch (error.code)`. */
export type CoreErrorCode =
  | 'SOCKKIT_ERR_INVALID_ARGUMENT'
  | 'SOCKKIT_ERR_INVALID_STATE'
  | 'SOCKKIT_ERR_UNSUPPORTED'
  | 'ETIMEDOUT'
  | 'EAGAIN'
  | 'ECONNREFUSED'
  | 'ECONNRESET'
  | 'EPIPE'
  | 'EADDRINUSE'
  | 'EBADF'
  | TlsErrorCode;

/** Longest text of a received value that an error message quotes. */
const MAX_DESCRIBED = 64;

/** A short printable form of a value for error messages: `"abc"`, `NaN`, `Uint16Array(3)`, `null`. */
export function describe(value: unknown): string {
  if (typeof value === 'string') {
    const quoted = JSON.stringify(value.length > MAX_DESCRIBED ? value.slice(0, MAX_DESCRIBED) : value);
    return value.length > MAX_DESCRIBED ? `${quoted}... (${value.length} characters)` : quoted;
  }
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  if (value === null || typeof value !== 'object') return String(value);
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
  const kind = typeof name === 'string' && name !== '' ? name : 'object';
  if (ArrayBuffer.isView(value)) return `${kind}(${value.byteLength} bytes)`;
  return Array.isArray(value) ? `${kind}(${value.length})` : kind;
}

/**
 * An argument or option a function does not accept: the wrong type, out of range, an unknown
 * option name or a value its type forbids (as undici's `InvalidArgumentError`). Thrown by every
 * sockkit package for every bad argument, before anything is sent, bound or started.
 */
export class InvalidArgumentError extends SockkitError {
  static override readonly brand: symbol = Symbol.for('@sockkit/core/InvalidArgumentError');
  override readonly name: string = 'InvalidArgumentError';
  readonly code = 'SOCKKIT_ERR_INVALID_ARGUMENT' as const;
  /** The argument or option at fault, as the caller wrote it: `timeout`, `options.queue.maxBytes`, `data`. */
  readonly argument: string;
  /** What it must be, in words: `a positive integer`, `a Uint8Array`. */
  readonly expected: string;
  /** A short printable form of the value given (see `describe`), never the value itself. */
  readonly received: string;

  /** `options.message` replaces the generated text (used when wrapping a Node.js argument error). */
  constructor(
    argument: string,
    expected: string,
    received: unknown,
    options?: ErrorOptions & { readonly message?: string },
  ) {
    const shown = describe(received);
    super(options?.message ?? `${argument} must be ${expected}, got ${shown}`, options);
    this.argument = argument;
    this.expected = expected;
    this.received = shown;
  }
}

/**
 * A call the object cannot take in its current state, beyond the socket states that have an
 * errno (`ENOTCONN`, `EISCONN` ...): a second reader of a single-reader iterator, a second
 * handler where one is allowed, `request()` on a channel made without correlation.
 */
export class InvalidStateError extends SockkitError {
  static override readonly brand: symbol = Symbol.for('@sockkit/core/InvalidStateError');
  override readonly name: string = 'InvalidStateError';
  readonly code = 'SOCKKIT_ERR_INVALID_STATE' as const;
}

/**
 * The kind of every timeout of every sockkit package, as Python's `TimeoutError`:
 * `error instanceof TimeoutError` is true for `SocketTimeoutError` (core), `ReadTimeoutError`,
 * `SendTimeoutError`, `RequestTimeoutError` (framing, udp) and `ReceiveTimeoutError` (udp).
 */
export abstract class TimeoutError extends SockkitError {
  static override readonly brand: symbol = Symbol.for('@sockkit/core/TimeoutError');
}

/**
 * The kind of every "already closed" error of every sockkit package: `error instanceof
 * ClosedError` is true for `SocketClosedError` (core), `ChannelClosedError` (framing) and
 * `EndpointClosedError` (udp).
 */
export abstract class ClosedError extends SockkitError {
  static override readonly brand: symbol = Symbol.for('@sockkit/core/ClosedError');
}

/** The positive errno of `os.constants.errno` for a code such as `'ECONNREFUSED'` (0 when unknown). */
export function errnoOf(code: string): number {
  return errnoByCode[code] ?? 0;
}

/** Options of every socket error: the underlying error as `cause`, and an errno when the code has none. */
export interface SocketErrorOptions extends ErrorOptions {
  readonly errno?: number;
}

/**
 * A failed socket operation, as Python's `OSError`: `code` names the condition (`'ECONNREFUSED'`)
 * and `errno` is its positive number from `os.constants.errno` (Node's own `errno` is negative).
 * The subclasses narrow `code` to a literal, so `switch (error.code)` and `instanceof` both work.
 */
export class SocketError extends SockkitError {
  static override readonly brand: symbol = Symbol.for('@sockkit/core/SocketError');
  override readonly name: string = 'SocketError';
  readonly code: string;
  /** Positive errno, as Python reports it; 0 when the condition has none. */
  readonly errno: number;

  constructor(code: string, message = `socket operation failed: ${code}`, options?: SocketErrorOptions) {
    super(message, options);
    this.code = code;
    this.errno = options?.errno ?? errnoOf(code);
  }
}

/** A blocking call ran out of time (Python's `TimeoutError`); the socket stays usable. Of the {@link TimeoutError} kind. */
export class SocketTimeoutError extends SocketError {
  static override readonly brand: symbol = Symbol.for('@sockkit/core/SocketTimeoutError');
  static readonly kinds: readonly symbol[] = [TimeoutError.brand];
  override readonly name: string = 'SocketTimeoutError';
  override readonly code = 'ETIMEDOUT' as const;
  /** Bytes a timed-out `send`/`sendAll` had already handed over; they cannot be taken back. */
  readonly bytesSent: number;

  constructor(message = 'timed out', options?: SocketErrorOptions & { readonly bytesSent?: number }) {
    super('ETIMEDOUT', message, options);
    this.bytesSent = options?.bytesSent ?? 0;
  }
}

/**
 * Nothing was ready and the socket is non-blocking (timeout 0): Python's `BlockingIOError`.
 * `code` is `'EAGAIN'`, or `'EINPROGRESS'` for a connect that goes on in the background (as
 * Python's `connect` raises and `connect_ex` returns).
 */
export class BlockingIOError extends SocketError {
  static override readonly brand: symbol = Symbol.for('@sockkit/core/BlockingIOError');
  override readonly name: string = 'BlockingIOError';
  declare readonly code: 'EAGAIN' | 'EINPROGRESS';
  /** Bytes handed over before the call would have had to wait. */
  readonly bytesSent: number;

  constructor(
    message = 'operation would block (the socket is non-blocking: timeout 0)',
    options?: SocketErrorOptions & { readonly bytesSent?: number; readonly code?: 'EAGAIN' | 'EINPROGRESS' },
  ) {
    super(options?.code ?? 'EAGAIN', message, options);
    this.bytesSent = options?.bytesSent ?? 0;
  }
}

/** Nothing listens at the address (the peer answered the SYN with RST). */
export class ConnectionRefusedError extends SocketError {
  static override readonly brand: symbol = Symbol.for('@sockkit/core/ConnectionRefusedError');
  override readonly name: string = 'ConnectionRefusedError';
  override readonly code = 'ECONNREFUSED' as const;

  constructor(message = 'connection refused: nothing listens at that address', options?: SocketErrorOptions) {
    super('ECONNREFUSED', message, options);
  }
}

/** The peer reset the connection (RST): bytes in flight are lost. */
export class ConnectionResetError extends SocketError {
  static override readonly brand: symbol = Symbol.for('@sockkit/core/ConnectionResetError');
  override readonly name: string = 'ConnectionResetError';
  override readonly code = 'ECONNRESET' as const;

  constructor(message = 'connection reset by peer', options?: SocketErrorOptions) {
    super('ECONNRESET', message, options);
  }
}

/** Writing to a connection whose write side is shut down, locally or by a peer that is gone. */
export class BrokenPipeError extends SocketError {
  static override readonly brand: symbol = Symbol.for('@sockkit/core/BrokenPipeError');
  override readonly name: string = 'BrokenPipeError';
  override readonly code = 'EPIPE' as const;

  constructor(
    message = 'broken pipe: the connection can no longer be written',
    options?: SocketErrorOptions,
  ) {
    super('EPIPE', message, options);
  }
}

/** Another socket already holds the address (raised by `listen`, where Node binds). */
export class AddressInUseError extends SocketError {
  static override readonly brand: symbol = Symbol.for('@sockkit/core/AddressInUseError');
  override readonly name: string = 'AddressInUseError';
  override readonly code = 'EADDRINUSE' as const;

  constructor(message = 'address already in use', options?: SocketErrorOptions) {
    super('EADDRINUSE', message, options);
  }
}

/** The socket was closed, before or during the operation (Python's `EBADF`). Of the {@link ClosedError} kind. */
export class SocketClosedError extends SocketError {
  static override readonly brand: symbol = Symbol.for('@sockkit/core/SocketClosedError');
  static readonly kinds: readonly symbol[] = [ClosedError.brand];
  override readonly name: string = 'SocketClosedError';
  override readonly code = 'EBADF' as const;

  constructor(message = 'socket is closed', options?: SocketErrorOptions) {
    super('EBADF', message, options);
  }
}

/**
 * Something the kernel API offers but Node cannot provide (raw sockets, `SOCK_SEQPACKET`, an
 * option Node does not expose). `errno` says which kernel condition it stands for
 * (`EPROTONOSUPPORT`, `ENOPROTOOPT` ...).
 */
export class UnsupportedError extends SocketError {
  static override readonly brand: symbol = Symbol.for('@sockkit/core/UnsupportedError');
  override readonly name: string = 'UnsupportedError';
  override readonly code = 'SOCKKIT_ERR_UNSUPPORTED' as const;

  constructor(message = 'not supported by Node.js', options?: SocketErrorOptions) {
    super('SOCKKIT_ERR_UNSUPPORTED', message, { errno: errnoOf('EOPNOTSUPP'), ...options });
  }
}

type NodeError = Error & { code?: unknown; errno?: unknown; info?: { code?: unknown } };

/** Node.js codes of a bad argument that slipped past sockkit's own checks. */
const nodeArgumentCodes = new Set([
  'ERR_INVALID_ARG_TYPE',
  'ERR_INVALID_ARG_VALUE',
  'ERR_OUT_OF_RANGE',
  'ERR_MISSING_ARGS',
  'ERR_INVALID_IP_ADDRESS',
  'ERR_INVALID_ADDRESS_FAMILY',
  'ERR_SOCKET_BAD_PORT',
  'ERR_SOCKET_BAD_BUFFER_SIZE',
  'ERR_SOCKET_BAD_TYPE',
]);

/** Node.js state codes and the errno the kernel API reports for the same condition. */
const nodeStateErrno: Readonly<Record<string, string>> = {
  ERR_STREAM_WRITE_AFTER_END: 'EPIPE',
  ERR_SOCKET_CONNECTION_TIMEOUT: 'ETIMEDOUT',
  ERR_SOCKET_CLOSED: 'EBADF',
  ERR_STREAM_DESTROYED: 'EBADF',
  ERR_SOCKET_DGRAM_NOT_RUNNING: 'EBADF',
  ERR_SOCKET_DGRAM_IS_CONNECTED: 'EISCONN',
  ERR_SOCKET_DGRAM_NOT_CONNECTED: 'ENOTCONN',
  ERR_SOCKET_ALREADY_BOUND: 'EINVAL',
  ERR_SERVER_ALREADY_LISTEN: 'EINVAL',
  ERR_SOCKET_CLOSED_BEFORE_CONNECTION: 'ECONNABORTED',
  ERR_STREAM_PREMATURE_CLOSE: 'ECONNABORTED',
};

/**
 * Turns an error from `node:net`/`node:dgram`/`node:tls` into the matching typed error, keeping it
 * as `cause`: no Node.js `ERR_*` error reaches a caller unwrapped (a TLS failure becomes a
 * {@link TlsError}, a bad argument {@link InvalidArgumentError}, any other `ERR_*` a {@link SocketError} with the errno of the
 * condition, `EINVAL` when there is none). sockkit errors and errors without a code
 * (programming errors) pass through unchanged.
 */
export function toSocketError(error: unknown): unknown {
  if (!(error instanceof Error) || error instanceof SockkitError) return error;
  const { code, errno, info } = error as NodeError;
  if (typeof code !== 'string') return error;
  const tls = tlsErrorOf(error, code);
  if (tls !== undefined) return tls;
  if (nodeArgumentCodes.has(code)) {
    const argument = /"([^"]+)"/.exec(error.message)?.[1] ?? 'argument';
    const received = /Received (.+)$/s.exec(error.message)?.[1];
    return new InvalidArgumentError(argument, 'a value Node.js accepts', received, {
      cause: error,
      message: error.message,
    });
  }
  // ERR_SOCKET_BUFFER_SIZE and the like wrap the system error in `info`.
  const condition = code.startsWith('ERR_')
    ? (nodeStateErrno[code] ?? (typeof info?.code === 'string' ? info.code : 'EINVAL'))
    : code;
  return typedSocketError(condition, error, typeof errno === 'number' ? Math.abs(errno) : 0);
}

/** The class of the errno `code`, for the Node error `error`; `errno` when the code has no number here. */
function typedSocketError(code: string, error: Error, errno: number): SocketError {
  const options = { cause: error };
  switch (code) {
    case 'ECONNREFUSED':
      return new ConnectionRefusedError(error.message, options);
    case 'ECONNRESET':
      return new ConnectionResetError(error.message, options);
    case 'EPIPE':
      return new BrokenPipeError(error.message, options);
    case 'EADDRINUSE':
      return new AddressInUseError(error.message, options);
    case 'ETIMEDOUT':
      return new SocketTimeoutError(error.message, options);
    case 'EAGAIN':
    case 'EWOULDBLOCK':
      return new BlockingIOError(error.message, options);
    case 'EBADF':
      return new SocketClosedError(error.message, options);
    default:
      return new SocketError(code, error.message, { ...options, errno: errnoOf(code) || errno });
  }
}

/** The `UnsupportedError` (errno `ENOPROTOOPT`) of a socket option Node cannot honour on `kind` sockets. */
export function unsupportedOption(name: string, kind: 'stream' | 'datagram'): UnsupportedError {
  return new UnsupportedError(
    `option ${JSON.stringify(name)} is not available on ${kind} sockets in Node.js`,
    {
      errno: errnoOf('ENOPROTOOPT'),
    },
  );
}

/** Where a stream socket is in its life. */
export type StreamSocketState = 'fresh' | 'connecting' | 'connected' | 'listening' | 'closed';

/**
 * The error of calling `verb` on a stream socket in `state` when it needs `expected`, as the
 * kernel reports it: `SocketClosedError` once closed (EBADF), `ENOTCONN`, `EINVAL` or `EISCONN`.
 */
export function notReadyError(
  state: StreamSocketState,
  verb: string,
  expected: StreamSocketState,
): SocketError {
  if (state === 'closed') return new SocketClosedError(`cannot ${verb}: socket is closed`);
  if (expected === 'connected') return new SocketError('ENOTCONN', `cannot ${verb}: socket is not connected`);
  if (expected === 'listening') return new SocketError('EINVAL', `cannot ${verb}: call listen() first`);
  return new SocketError(
    state === 'connected' ? 'EISCONN' : 'EINVAL',
    `cannot ${verb}: socket is already ${state}`,
  );
}
