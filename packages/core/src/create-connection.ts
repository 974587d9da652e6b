import { type AddressInput, familyOfAddress, type HostAddress } from './address.js';
import { InvalidArgumentError } from './errors.js';
import { StreamSocket } from './stream-socket.js';
import { secureClientSide } from './tls.js';
import { checkClientOptions, checkNameToVerify, type TlsClientOptions } from './tls-options.js';
import { checkOptions } from './validate.js';
import type { BlockingOptions } from './waiter.js';

/** Options of `createConnection`. */
export interface CreateConnectionOptions extends BlockingOptions {
  /** Local address to connect from (Python's `source_address`). */
  readonly sourceAddress?: HostAddress;
  /** Read-side high-water mark of the connection in bytes (default 64 KiB). */
  readonly highWaterMark?: number;
  /** Sets `TCP_NODELAY` (default false, as the kernel). */
  readonly noDelay?: boolean;
  /**
   * Connects with TLS: Node's `tls.connect` options (`ca`, `servername`, `cert`/`key`,
   * `rejectUnauthorized`, `ALPNProtocols`, `minVersion` ...) plus `handshakeTimeout` (default
   * 10 s). The certificate must name `address.host` unless `servername` says otherwise (required for a Unix socket `{ path }`). See `startTls`.
   */
  readonly tls?: TlsClientOptions;
}

/**
 * Connects a stream socket to `address`, as Python's `socket.create_connection`: the family
 * follows the address (a path is a Unix socket, an IPv6 literal is IPv6, anything else IPv4),
 * and `timeout` bounds the connect and then stays the socket's timeout, as in Python. With
 * `tls`, it resolves once the TLS handshake is done too (Python's `wrap_socket` after it).
 *
 * @example
 * ```ts
 * await using conn = await createConnection({ host: '127.0.0.1', port: 8081 }, { timeout: 5_000 });
 * await conn.sendAll(new TextEncoder().encode('hello'));
 * ```
 */
export async function createConnection(
  address: AddressInput,
  options?: CreateConnectionOptions,
): Promise<StreamSocket> {
  if (typeof address !== 'object' || address === null) {
    throw new InvalidArgumentError('address', '{ host, port } or { path }', address);
  }
  const {
    timeout = null,
    signal,
    sourceAddress,
    highWaterMark,
    noDelay,
    tls,
  } = checkOptions('options', options, [
    'timeout',
    'signal',
    'sourceAddress',
    'highWaterMark',
    'noDelay',
    'tls',
  ]);
  const host = 'host' in address ? address.host : undefined;
  const secure = tls === undefined ? undefined : checkClientOptions('options.tls', tls);
  if (secure !== undefined) checkNameToVerify('options.tls', secure, host);
  const conn = new StreamSocket(familyOfAddress(address), {
    timeout,
    ...(highWaterMark === undefined ? {} : { highWaterMark }),
  });
  try {
    if (sourceAddress !== undefined) conn.bind(sourceAddress);
    if (noDelay !== undefined) conn.setSockOpt('noDelay', noDelay);
    await conn.connect(address, signal ? { signal } : {});
    if (secure !== undefined) await secureClientSide(conn, secure, host, signal);
    return conn;
  } catch (error) {
    await conn.close();
    throw error;
  }
}
