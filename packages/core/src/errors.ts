import { constants } from 'node:os';
import { SockkitError } from './sockkit-error.js';

const errnoByCode = constants.errno as Readonly<Record<string, number | undefined>>;

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

/** A blocking call ran out of time (Python's `TimeoutError`); the socket stays usable. */
export class SocketTimeoutError extends SocketError {
  static override readonly brand: symbol = Symbol.for('@sockkit/core/SocketTimeoutError');
  override readonly name: string = 'SocketTimeoutError';
  override readonly code = 'ETIMEDOUT' as const;
  /** Bytes a timed-out `send`/`sendAll` had already handed over; they cannot be taken back. */
  readonly bytesSent: number;

  constructor(message = 'timed out', options?: SocketErrorOptions & { readonly bytesSent?: number }) {
    super('ETIMEDOUT', message, options);
    this.bytesSent = options?.bytesSent ?? 0;
  }
}

/** Nothing was ready and the socket is non-blocking (timeout 0): Python's `BlockingIOError`. */
export class BlockingIOError extends SocketError {
  static override readonly brand: symbol = Symbol.for('@sockkit/core/BlockingIOError');
  override readonly name: string = 'BlockingIOError';
  override readonly code = 'EAGAIN' as const;
  /** Bytes handed over before the call would have had to wait. */
  readonly bytesSent: number;

  constructor(
    message = 'operation would block (the socket is non-blocking: timeout 0)',
    options?: SocketErrorOptions & { readonly bytesSent?: number },
  ) {
    super('EAGAIN', message, options);
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

/** The socket was closed, before or during the operation (Python's `EBADF`). */
export class SocketClosedError extends SocketError {
  static override readonly brand: symbol = Symbol.for('@sockkit/core/SocketClosedError');
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

type NodeError = Error & { code?: unknown; errno?: unknown };

/**
 * Turns an error from `node:net`/`node:dgram` into the matching typed error, keeping it as
 * `cause`. sockkit errors and errors without a code (programming errors) pass through unchanged.
 */
export function toSocketError(error: unknown): unknown {
  if (!(error instanceof Error) || error instanceof SockkitError) return error;
  const { code, errno } = error as NodeError;
  if (typeof code !== 'string') return error;
  const options = { cause: error };
  switch (code) {
    case 'ECONNREFUSED':
      return new ConnectionRefusedError(error.message, options);
    case 'ECONNRESET':
      return new ConnectionResetError(error.message, options);
    case 'EPIPE':
    case 'ERR_STREAM_WRITE_AFTER_END':
      return new BrokenPipeError(error.message, options);
    case 'EADDRINUSE':
      return new AddressInUseError(error.message, options);
    case 'ETIMEDOUT':
      return new SocketTimeoutError(error.message, options);
    case 'EAGAIN':
    case 'EWOULDBLOCK':
      return new BlockingIOError(error.message, options);
    case 'ERR_SOCKET_CLOSED':
    case 'ERR_STREAM_DESTROYED':
    case 'ERR_SOCKET_DGRAM_NOT_RUNNING':
      return new SocketClosedError(error.message, options);
    default:
      if (code.startsWith('ERR_')) return error;
      return new SocketError(code, error.message, {
        ...options,
        errno: errnoOf(code) || (typeof errno === 'number' ? Math.abs(errno) : 0),
      });
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
