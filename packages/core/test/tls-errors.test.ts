import { describe, expect, it } from 'vitest';
import {
  CertificateError,
  CertificateExpiredError,
  CertificateRejectedError,
  HostnameMismatchError,
  SocketError,
  SockkitError,
  TimeoutError,
  TlsError,
  TlsHandshakeTimeoutError,
  TlsProtocolError,
  TlsVersionError,
  toSocketError,
  UntrustedCertificateError,
} from '../src/index.ts';

/** A Node TLS error as `node:tls` makes them: a code, and for OpenSSL's an unreadable message and a `reason`. */
function nodeError(code: string, reason?: string): Error {
  return Object.assign(new Error(`80:error:0A000086:SSL routines::${reason ?? code}:../deps/openssl/x.c:1`), {
    code,
    ...(reason === undefined ? {} : { reason }),
  });
}

describe('toSocketError on node:tls errors', () => {
  it.each([
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', UntrustedCertificateError, 'SOCKKIT_ERR_TLS_UNTRUSTED_CERTIFICATE'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', UntrustedCertificateError, 'SOCKKIT_ERR_TLS_UNTRUSTED_CERTIFICATE'],
    ['SELF_SIGNED_CERT_IN_CHAIN', UntrustedCertificateError, 'SOCKKIT_ERR_TLS_UNTRUSTED_CERTIFICATE'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', HostnameMismatchError, 'SOCKKIT_ERR_TLS_HOSTNAME_MISMATCH'],
    ['CERT_HAS_EXPIRED', CertificateExpiredError, 'SOCKKIT_ERR_TLS_CERTIFICATE_EXPIRED'],
    ['CERT_NOT_YET_VALID', CertificateExpiredError, 'SOCKKIT_ERR_TLS_CERTIFICATE_EXPIRED'],
    ['ERR_SSL_TLSV1_ALERT_UNKNOWN_CA', CertificateRejectedError, 'SOCKKIT_ERR_TLS_CERTIFICATE_REJECTED'],
    [
      'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
      CertificateRejectedError,
      'SOCKKIT_ERR_TLS_CERTIFICATE_REJECTED',
    ],
    ['ERR_SSL_UNSUPPORTED_PROTOCOL', TlsVersionError, 'SOCKKIT_ERR_TLS_VERSION'],
    ['ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', TlsVersionError, 'SOCKKIT_ERR_TLS_VERSION'],
    ['ERR_SSL_WRONG_VERSION_NUMBER', TlsProtocolError, 'SOCKKIT_ERR_TLS_PROTOCOL'],
    ['ERR_SSL_DECRYPTION_FAILED_OR_BAD_RECORD_MAC', TlsProtocolError, 'SOCKKIT_ERR_TLS_PROTOCOL'],
  ] as const)('%s becomes %O', (code, type, sockkitCode) => {
    const cause = nodeError(code, 'the reason');
    const error = toSocketError(cause);
    expect(error).toBeInstanceOf(type);
    expect(error).toBeInstanceOf(TlsError);
    expect(error).toBeInstanceOf(SockkitError);
    expect(error).not.toBeInstanceOf(SocketError);
    expect(error).toMatchObject({
      name: type.name,
      code: sockkitCode,
      tlsCode: code,
      cause,
      message: 'TLS: the reason',
    });
    if (type !== TlsVersionError && type !== TlsProtocolError) expect(error).toBeInstanceOf(CertificateError);
  });

  it('keeps the message of a verification error, which has no reason', () => {
    const cause = Object.assign(new Error('certificate has expired'), { code: 'CERT_HAS_EXPIRED' });
    expect(toSocketError(cause)).toMatchObject({ message: 'certificate has expired' });
  });

  it('leaves other codes to the socket errors', () => {
    expect(toSocketError(nodeError('ECONNRESET'))).toMatchObject({ name: 'ConnectionResetError' });
  });
});

describe('TlsHandshakeTimeoutError', () => {
  it('is a TlsError of the TimeoutError kind, with its deadline', () => {
    const error = new TlsHandshakeTimeoutError(250);
    expect(error).toBeInstanceOf(TlsError);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({
      name: 'TlsHandshakeTimeoutError',
      code: 'SOCKKIT_ERR_TLS_HANDSHAKE_TIMEOUT',
      timeout: 250,
      message: 'the TLS handshake did not finish within 250 ms',
    });
  });

  it('is recognised across copies of the package by its brand', () => {
    const foreign = Object.defineProperty(new Error('x'), Symbol.for('@sockkit/error-brands'), {
      value: new Set([
        Symbol.for('@sockkit/core/HostnameMismatchError'),
        Symbol.for('@sockkit/core/TlsError'),
      ]),
    });
    expect(foreign).toBeInstanceOf(HostnameMismatchError);
    expect(foreign).toBeInstanceOf(TlsError);
    expect(foreign).not.toBeInstanceOf(CertificateExpiredError);
  });
});
