import { isIP, type Socket } from 'node:net';
import { TLSSocket, connect as tlsConnect } from 'node:tls';
import { log, tlsChannel } from './channels.js';
import { traced } from './diagnostics.js';
import {
  ConnectionResetError,
  InvalidArgumentError,
  SocketClosedError,
  TlsHandshakeTimeoutError,
  toSocketError,
  UntrustedCertificateError,
} from './errors.js';
import { replaceNodeSocket, StreamSocket } from './stream-socket.js';
import {
  type CheckedClientOptions,
  type CheckedServerOptions,
  checkClientOptions,
  checkNameToVerify,
  checkServerOptions,
  type TlsClientOptions,
  type TlsServerOptions,
} from './tls-options.js';
import { nodeAuthorization, recordSession, type TlsAuthorization } from './tls-session.js';
import { checkSignal } from './validate.js';
import { abortReason, Waiter } from './waiter.js';

/** Options of `startTls` for the client side of the handshake (the default). */
export interface StartTlsClientOptions extends TlsClientOptions {
  readonly isServer?: false;
  /** Aborting stops the handshake and closes the connection. */
  readonly signal?: AbortSignal;
}

/** Options of `startTls` for the server side of the handshake: `isServer: true`, as Node's `TLSSocket`. */
export interface StartTlsServerOptions extends TlsServerOptions {
  readonly isServer: true;
  /** Aborting stops the handshake and closes the connection. */
  readonly signal?: AbortSignal;
}

/**
 * Upgrades a connected `StreamSocket` to TLS in place, as STARTTLS protocols do and as Python's
 * `context.wrap_socket(sock, server_side=...)`: the same object then sends and receives through
 * TLS with every verb, and `conn.tls` gives the protocol, cipher, ALPN protocol and the peer's
 * certificate. Bytes received but not yet read become the start of the TLS stream. Call it once
 * the plaintext exchange is done (no `sendAll` in progress).
 *
 * The client side verifies the server's certificate against `ca` (Node's default trust store
 * without it) and the name: `servername`, else the peer's IP address. The server side
 * (`isServer: true`) needs `key` and `cert`; with `requestCert` it verifies the client's
 * certificate and, unless `rejectUnauthorized: false`, refuses one that fails.
 *
 * Rejects with a `TlsError` (`UntrustedCertificateError`, `HostnameMismatchError`,
 * `CertificateExpiredError`, `CertificateRejectedError`, `TlsVersionError`, `TlsProtocolError`),
 * `TlsHandshakeTimeoutError` after `handshakeTimeout` (default 10 s), or a `SocketError` when
 * the connection fails; the connection is then closed, and later calls reject with that error.
 *
 * @example
 * ```ts
 * await conn.sendAll(new TextEncoder().encode('STARTTLS\r\n'));
 * await conn.recv(1024); // the server's go-ahead
 * await startTls(conn, { servername: 'mail.example', ca });
 * console.log(conn.tls?.protocol); // 'TLSv1.3'
 * ```
 */
export function startTls(
  conn: StreamSocket,
  options?: StartTlsClientOptions | StartTlsServerOptions,
): Promise<void> {
  try {
    if (!(conn instanceof StreamSocket))
      throw new InvalidArgumentError('conn', 'a connected StreamSocket', conn);
    if (options !== undefined && (typeof options !== 'object' || options === null)) {
      throw new InvalidArgumentError('options', 'an options object', options);
    }
    const { isServer, signal, ...tls } = options ?? {};
    checkSignal('options.signal', signal);
    if (isServer !== undefined && typeof isServer !== 'boolean') {
      throw new InvalidArgumentError('options.isServer', 'a boolean', isServer);
    }
    if (isServer === true)
      return secureServerSide(conn, checkServerOptions('options', tls as TlsServerOptions), signal);
    const checked = checkClientOptions('options', tls);
    const peer = conn.getPeerName();
    const host = 'host' in peer ? peer.host : undefined;
    checkNameToVerify('options', checked, host);
    return secureClientSide(conn, checked, host, signal);
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * The client side of the handshake over `conn`. `host` is the name the certificate must carry
 * when `servername` is not given (the host `createConnection` was given, or the peer's address);
 * it is also sent as SNI unless it is an IP address.
 */
export function secureClientSide(
  conn: StreamSocket,
  options: CheckedClientOptions,
  host: string | undefined,
  signal?: AbortSignal,
): Promise<void> {
  const { connect } = options;
  const servername = connect.servername ?? (host !== undefined && isIP(host) === 0 ? host : undefined);
  const wrap = (socket: Socket) =>
    tlsConnect({
      ...connect,
      socket,
      ...(host === undefined ? {} : { host }),
      ...(servername ? { servername } : {}),
    });
  return handshake(conn, {
    wrap,
    ready: 'secureConnect',
    timeout: options.handshakeTimeout,
    signal,
    authorize: nodeAuthorization,
  });
}

/** The server side of the handshake over `conn` (an accepted connection, or a STARTTLS one). */
export function secureServerSide(
  conn: StreamSocket,
  options: CheckedServerOptions,
  signal?: AbortSignal,
): Promise<void> {
  const { secureContext, requestCert, rejectUnauthorized } = options;
  const wrap = (socket: Socket) =>
    new TLSSocket(socket, {
      ...options.socket,
      isServer: true,
      secureContext,
      requestCert,
      rejectUnauthorized,
    });
  return handshake(conn, {
    wrap,
    ready: 'secure',
    timeout: options.handshakeTimeout,
    signal,
    authorize: (socket) => {
      const authorization = authorizeClient(socket, requestCert, rejectUnauthorized);
      serveLikeTlsServer(socket);
      return authorization;
    },
  });
}

/**
 * Node's standalone server-side `TLSSocket` keeps TLS errors after the handshake to itself (a
 * `_tlsError` event, no `'error'`, the connection left open) until "control is released", which
 * `tls.Server` does for its own sockets once secured: do the same, so garbage after the handshake
 * fails the connection with its `TlsProtocolError`.
 */
function serveLikeTlsServer(socket: TLSSocket): void {
  (socket as unknown as { _releaseControl?(): unknown })._releaseControl?.();
}

/**
 * Swaps `conn`'s Node socket for `wrap`'s TLS socket and waits for `ready` within `timeout`. On
 * failure the TLS socket is destroyed with the typed error, which `conn` keeps as its failure.
 */
function handshake(conn: StreamSocket, side: HandshakeSide): Promise<void> {
  return traced(
    tlsChannel,
    () => ({ socket: conn, isServer: side.ready === 'secure' }),
    () => untracedHandshake(conn, side),
  );
}

/** One side's part in a handshake: how it wraps the socket, the event that ends it, its checks. */
interface HandshakeSide {
  readonly wrap: (socket: Socket) => TLSSocket;
  readonly ready: 'secure' | 'secureConnect';
  readonly timeout: number | null;
  readonly signal: AbortSignal | undefined;
  readonly authorize: (socket: TLSSocket) => TlsAuthorization;
}

async function untracedHandshake(
  conn: StreamSocket,
  { wrap, ready, timeout, signal, authorize }: HandshakeSide,
): Promise<void> {
  if (signal?.aborted) throw abortReason(signal);
  const socket = replaceNodeSocket(conn, wrap) as TLSSocket;
  const waiter = new Waiter<void>(timeout, signal, () => new TlsHandshakeTimeoutError(timeout ?? 0));
  const onReady = () => waiter.resolve();
  const onError = (error: Error) => waiter.reject(toSocketError(error));
  // The end of stream counts too: with allowHalfOpen (as sockkit's sockets are) no 'close' follows it.
  const onClose = () =>
    waiter.reject(
      conn.closed
        ? new SocketClosedError('the socket was closed during the TLS handshake')
        : new ConnectionResetError('the peer closed the connection during the TLS handshake'),
    );
  socket.once(ready, onReady).once('error', onError).once('close', onClose).once('end', onClose);
  try {
    await waiter.promise;
    const session = recordSession(socket, authorize(socket));
    log?.(
      'TLS %s %s (%s) as the %s',
      session.protocol,
      session.cipher.name,
      session.authorized ? 'peer verified' : 'peer not verified',
      ready === 'secure' ? 'server' : 'client',
    );
  } catch (error) {
    log?.('TLS handshake failed: %s', error);
    socket.destroy(error instanceof Error ? error : undefined);
    throw error;
  } finally {
    socket.off(ready, onReady).off('error', onError).off('close', onClose).off('end', onClose);
  }
}

/** What Node's standalone server-side `TLSSocket` reports about the client's certificate check. */
type VerifiableHandle = { readonly ssl?: { verifyError?(): (Error & { code?: string }) | null } };

/**
 * Node's standalone server-side `TLSSocket` (unlike `tls.Server`'s) never checks the result of
 * verifying a client certificate, nor sets `authorized`: both are done here, as `tls.Server` does,
 * from the handle's verification result. Without that result, a required check fails closed.
 */
function authorizeClient(
  socket: TLSSocket,
  requestCert: boolean,
  rejectUnauthorized: boolean,
): TlsAuthorization {
  if (!requestCert) return { authorized: false, authorizationError: undefined };
  const ssl = (socket as unknown as VerifiableHandle).ssl;
  if (typeof ssl?.verifyError !== 'function') {
    if (rejectUnauthorized)
      throw new UntrustedCertificateError('TLS: cannot check the client certificate on this Node.js');
    return { authorized: false, authorizationError: 'UNABLE_TO_VERIFY' };
  }
  const failure = ssl.verifyError();
  if (failure === null) return { authorized: true, authorizationError: undefined };
  if (rejectUnauthorized) throw toSocketError(failure);
  return { authorized: false, authorizationError: failure.code ?? failure.message };
}

/** Checked server TLS settings of `createServer`, with its handshake counters. */
export class TlsAcceptor {
  readonly #options: CheckedServerOptions;
  #failures = 0;
  #timeouts = 0;

  constructor(argument: string, options: TlsServerOptions) {
    this.#options = checkServerOptions(argument, options);
  }

  /** Handshakes that failed, other than by the deadline or the server's own close. */
  get failures(): number {
    return this.#failures;
  }

  /** Handshakes cut off by `handshakeTimeout`. */
  get timeouts(): number {
    return this.#timeouts;
  }

  /** Secures an accepted connection; resolves with the error when the handshake failed (counted). */
  async secure(conn: StreamSocket, signal: AbortSignal): Promise<unknown> {
    try {
      await secureServerSide(conn, this.#options, signal);
      return undefined;
    } catch (error) {
      if (error instanceof TlsHandshakeTimeoutError) this.#timeouts += 1;
      else if (!conn.closed) this.#failures += 1;
      return error;
    }
  }
}
