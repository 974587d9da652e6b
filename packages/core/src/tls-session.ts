import type { X509Certificate } from 'node:crypto';
import { type CipherNameAndProtocol, type DetailedPeerCertificate, TLSSocket } from 'node:tls';

/** Whether the peer's certificate was verified, and if not, why (OpenSSL's code). */
export interface TlsAuthorization {
  /** Whether the peer presented a certificate that verified against the trusted CAs. */
  readonly authorized: boolean;
  /** Why the peer is not authorized (`'UNABLE_TO_VERIFY_LEAF_SIGNATURE'` ...), when it is not. */
  readonly authorizationError: string | undefined;
}

/**
 * The facts of a TLS connection (`conn.tls`), as Python's `SSLSocket.version()`, `cipher()`,
 * `getpeercert()` and `selected_alpn_protocol()`: recorded when its handshake finished, so they
 * stay readable after the connection closes.
 */
export interface TlsSession extends TlsAuthorization {
  /** `'TLSv1.3'`, `'TLSv1.2'` ... */
  readonly protocol: string;
  /** The negotiated cipher suite: `{ name, standardName, version }`. */
  readonly cipher: CipherNameAndProtocol;
  /** The protocol ALPN selected (`'h2'` ...), or `false` when none was. */
  readonly alpnProtocol: string | false;
  /** The peer's certificate with its issuer chain, or `undefined` when it sent none. */
  readonly peerCertificate: DetailedPeerCertificate | undefined;
  /** The peer's certificate as an `X509Certificate`, or `undefined` when it sent none. */
  readonly peerX509Certificate: X509Certificate | undefined;
}

const sessions = new WeakMap<object, TlsSession>();

/** Records the facts of a `TLSSocket` whose handshake just finished. */
export function recordSession(socket: TLSSocket, authorization: TlsAuthorization): TlsSession {
  const certificate = socket.getPeerCertificate(true);
  const session: TlsSession = Object.freeze({
    ...authorization,
    protocol: socket.getProtocol() ?? '',
    cipher: socket.getCipher(),
    alpnProtocol: socket.alpnProtocol || false,
    peerCertificate: Object.keys(certificate).length === 0 ? undefined : certificate,
    peerX509Certificate: socket.getPeerX509Certificate(),
  });
  sessions.set(socket, session);
  return session;
}

/** The session of a Node socket, once its handshake finished; `undefined` for plain TCP. */
export function sessionOf(socket: object | undefined): TlsSession | undefined {
  return socket === undefined ? undefined : sessions.get(socket);
}

/** Node's verdict on the peer's certificate; its `authorizationError` is OpenSSL's code, a string (typed as an Error). */
export function nodeAuthorization(socket: TLSSocket): TlsAuthorization {
  const reason: unknown = socket.authorizationError;
  const code = reason instanceof Error ? ((reason as NodeJS.ErrnoException).code ?? reason.message) : reason;
  return { authorized: socket.authorized, authorizationError: typeof code === 'string' ? code : undefined };
}

/**
 * Records the session of a `TLSSocket` made outside sockkit (`StreamSocket.fromNodeSocket`): now
 * if its handshake finished (both Finished messages exchanged), else when it does, with Node's
 * verdict ({@link nodeAuthorization}). Does nothing for plain sockets.
 */
export function adoptSession(socket: object): void {
  if (!(socket instanceof TLSSocket) || sessions.has(socket)) return;
  // 'secure' ends every handshake, client or server. Node's own listeners (tls.connect's,
  // tls.Server's) were added first: they set `authorized`, or destroy a socket whose peer
  // they refuse, and then there is no session to record.
  const record = () => {
    if (!socket.destroyed) recordSession(socket, nodeAuthorization(socket));
  };
  if (socket.getFinished() !== undefined && socket.getPeerFinished() !== undefined) record();
  else socket.once('secure', record);
}
