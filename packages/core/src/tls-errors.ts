/**
 * The TLS errors of `@sockkit/core`. A leaf module (errors.ts imports it to type Node's TLS errors
 * in `toSocketError`), so the kinds it joins are named by their `Symbol.for` brands.
 */
import { SockkitError } from './sockkit-error.js';

/** The literal `code` of every TLS error class. */
export type TlsErrorCode =
  | 'SOCKKIT_ERR_TLS_UNTRUSTED_CERTIFICATE'
  | 'SOCKKIT_ERR_TLS_HOSTNAME_MISMATCH'
  | 'SOCKKIT_ERR_TLS_CERTIFICATE_EXPIRED'
  | 'SOCKKIT_ERR_TLS_CERTIFICATE_REJECTED'
  | 'SOCKKIT_ERR_TLS_VERSION'
  | 'SOCKKIT_ERR_TLS_HANDSHAKE_TIMEOUT'
  | 'SOCKKIT_ERR_TLS_PROTOCOL';

/** The brand of errors.ts's `TimeoutError` kind. */
const TIMEOUT_KIND = Symbol.for('@sockkit/core/TimeoutError');

/** Options of every TLS error: the Node error as `cause`, and Node's or OpenSSL's code for it. */
export interface TlsErrorOptions extends ErrorOptions {
  /** `UNABLE_TO_VERIFY_LEAF_SIGNATURE`, `ERR_TLS_CERT_ALTNAME_INVALID`, `ERR_SSL_...`; default: none. */
  readonly tlsCode?: string;
}

/**
 * The kind of every TLS failure, as Python's `ssl.SSLError`: `error instanceof TlsError` is true for
 * each class below. `tlsCode` keeps Node's or OpenSSL's own code, and `cause` the Node error.
 */
export abstract class TlsError extends SockkitError {
  static override readonly brand: symbol = Symbol.for('@sockkit/core/TlsError');
  abstract override readonly code: TlsErrorCode;
  /** Node's or OpenSSL's code (`CERT_HAS_EXPIRED`, `ERR_SSL_WRONG_VERSION_NUMBER`), or `''`. */
  readonly tlsCode: string;

  constructor(message: string, options?: TlsErrorOptions) {
    super(message, options);
    this.tlsCode = options?.tlsCode ?? '';
  }
}

/**
 * The kind of a certificate that failed verification, here or at the peer (Python's
 * `SSLCertVerificationError`).
 */
export abstract class CertificateError extends TlsError {
  static override readonly brand: symbol = Symbol.for('@sockkit/core/CertificateError');
}

/**
 * The peer's certificate does not chain to a trusted CA (unknown or self-signed issuer, a bad
 * signature, a CA that may not issue it ...): `tlsCode` says which, e.g. `UNABLE_TO_VERIFY_LEAF_SIGNATURE`.
 */
export class UntrustedCertificateError extends CertificateError {
  static override readonly brand: symbol = Symbol.for('@sockkit/core/UntrustedCertificateError');
  override readonly name: string = 'UntrustedCertificateError';
  readonly code = 'SOCKKIT_ERR_TLS_UNTRUSTED_CERTIFICATE' as const;
}

/** The peer's certificate is valid but not for the name (or IP address) connected to. */
export class HostnameMismatchError extends CertificateError {
  static override readonly brand: symbol = Symbol.for('@sockkit/core/HostnameMismatchError');
  override readonly name: string = 'HostnameMismatchError';
  readonly code = 'SOCKKIT_ERR_TLS_HOSTNAME_MISMATCH' as const;
}

/** The peer's certificate is outside its validity period: expired (`CERT_HAS_EXPIRED`) or not yet valid. */
export class CertificateExpiredError extends CertificateError {
  static override readonly brand: symbol = Symbol.for('@sockkit/core/CertificateExpiredError');
  override readonly name: string = 'CertificateExpiredError';
  readonly code = 'SOCKKIT_ERR_TLS_CERTIFICATE_EXPIRED' as const;
}

/**
 * The peer refused this side's certificate (a TLS alert: bad certificate, unknown CA, certificate
 * required ...), or a server that requires client certificates got none.
 */
export class CertificateRejectedError extends CertificateError {
  static override readonly brand: symbol = Symbol.for('@sockkit/core/CertificateRejectedError');
  override readonly name: string = 'CertificateRejectedError';
  readonly code = 'SOCKKIT_ERR_TLS_CERTIFICATE_REJECTED' as const;
}

/** The two sides share no protocol version (`minVersion`/`maxVersion`, or an old peer). */
export class TlsVersionError extends TlsError {
  static override readonly brand: symbol = Symbol.for('@sockkit/core/TlsVersionError');
  override readonly name: string = 'TlsVersionError';
  readonly code = 'SOCKKIT_ERR_TLS_VERSION' as const;
}

/** The handshake did not finish within `handshakeTimeout`; the connection was closed. Of the `TimeoutError` kind. */
export class TlsHandshakeTimeoutError extends TlsError {
  static override readonly brand: symbol = Symbol.for('@sockkit/core/TlsHandshakeTimeoutError');
  static readonly kinds: readonly symbol[] = [TIMEOUT_KIND];
  override readonly name: string = 'TlsHandshakeTimeoutError';
  readonly code = 'SOCKKIT_ERR_TLS_HANDSHAKE_TIMEOUT' as const;
  /** The deadline, in milliseconds. */
  readonly timeout: number;

  constructor(timeout: number, options?: TlsErrorOptions) {
    super(`the TLS handshake did not finish within ${timeout} ms`, options);
    this.timeout = timeout;
  }
}

/**
 * Any other TLS failure: bytes that are not TLS (a plaintext peer, garbage after the handshake),
 * a record that fails to decrypt, no shared cipher, an alert from the peer.
 */
export class TlsProtocolError extends TlsError {
  static override readonly brand: symbol = Symbol.for('@sockkit/core/TlsProtocolError');
  override readonly name: string = 'TlsProtocolError';
  readonly code = 'SOCKKIT_ERR_TLS_PROTOCOL' as const;
}

/** OpenSSL's certificate verification codes (`X509_V_ERR_*` without the prefix), as Node reports them. */
const verificationCodes = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_CRL',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECRYPT_CRL_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'CERT_SIGNATURE_FAILURE',
  'CRL_SIGNATURE_FAILURE',
  'CRL_NOT_YET_VALID',
  'CRL_HAS_EXPIRED',
  'ERROR_IN_CERT_NOT_BEFORE_FIELD',
  'ERROR_IN_CERT_NOT_AFTER_FIELD',
  'ERROR_IN_CRL_LAST_UPDATE_FIELD',
  'ERROR_IN_CRL_NEXT_UPDATE_FIELD',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_CHAIN_TOO_LONG',
  'CERT_REVOKED',
  'INVALID_CA',
  'PATH_LENGTH_EXCEEDED',
  'INVALID_PURPOSE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
]);

/** Alerts (and the local condition) by which a peer refuses this side's certificate. */
const rejectionCodes = new Set([
  'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE',
  'ERR_SSL_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_REVOKED',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN',
  'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
  'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
  'ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE',
]);

const versionCodes = new Set([
  'ERR_SSL_UNSUPPORTED_PROTOCOL',
  'ERR_SSL_NO_PROTOCOLS_AVAILABLE',
  'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION',
  'ERR_SSL_VERSION_TOO_LOW',
  'ERR_SSL_VERSION_TOO_HIGH',
]);

/**
 * The typed form of a TLS error from `node:tls` (a certificate verification code, a hostname
 * mismatch, an `ERR_SSL_*` from OpenSSL), or `undefined` when `code` is not one.
 */
export function tlsErrorOf(error: Error, code: string): TlsError | undefined {
  const options = { cause: error, tlsCode: code };
  // OpenSSL's message leads with its queue position and source file; `reason` is the readable part.
  const reason = (error as { reason?: unknown }).reason;
  const message = typeof reason === 'string' && reason !== '' ? `TLS: ${reason}` : error.message;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' || code === 'HOSTNAME_MISMATCH')
    return new HostnameMismatchError(message, options);
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID')
    return new CertificateExpiredError(message, options);
  if (verificationCodes.has(code)) return new UntrustedCertificateError(message, options);
  if (rejectionCodes.has(code)) return new CertificateRejectedError(message, options);
  if (versionCodes.has(code)) return new TlsVersionError(message, options);
  if (code.startsWith('ERR_SSL_')) return new TlsProtocolError(message, options);
  return undefined;
}
