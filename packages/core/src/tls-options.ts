import {
  type ConnectionOptions,
  createSecureContext,
  type SecureContext,
  type SecureContextOptions,
  type TlsOptions,
} from 'node:tls';
import { DEFAULT_TLS_HANDSHAKE_TIMEOUT } from './constants.js';
import { InvalidArgumentError } from './errors.js';
import {
  checkBoolean,
  checkFunction,
  checkNonEmptyString,
  checkOneOf,
  checkOptionalDelay,
  checkOptions,
  checkPositiveInteger,
} from './validate.js';

/** What builds a secure context: keys, certificates, trusted CAs, versions, ciphers. */
const contextOptionNames = [
  'ca',
  'cert',
  'key',
  'passphrase',
  'pfx',
  'crl',
  'ciphers',
  'sigalgs',
  'ecdhCurve',
  'dhparam',
  'honorCipherOrder',
  'minVersion',
  'maxVersion',
  'secureOptions',
  'secureProtocol',
  'sessionIdContext',
  'ticketKeys',
  'sessionTimeout',
  'privateKeyEngine',
  'privateKeyIdentifier',
  'clientCertEngine',
] as const satisfies readonly (keyof SecureContextOptions)[];

const clientOptionNames = [
  ...contextOptionNames,
  'secureContext',
  'enableTrace',
  'rejectUnauthorized',
  'ALPNProtocols',
  'servername',
  'checkServerIdentity',
  'session',
  'minDHSize',
] as const satisfies readonly (keyof ConnectionOptions)[];

const serverOptionNames = [
  ...contextOptionNames,
  'secureContext',
  'enableTrace',
  'requestCert',
  'rejectUnauthorized',
  'ALPNProtocols',
  'SNICallback',
] as const satisfies readonly (keyof TlsOptions)[];

/** The handshake deadline sockkit adds, named as Node's `tls.Server` option. */
interface HandshakeDeadline {
  /**
   * Milliseconds the TLS handshake may take (default 10 000; `null` waits forever). A peer that
   * has not finished by then is disconnected with `TlsHandshakeTimeoutError`.
   */
  readonly handshakeTimeout?: number | null;
}

/**
 * Client TLS options: Node's own `tls.connect` names (`ca`, `servername`, `rejectUnauthorized`,
 * `ALPNProtocols`, `minVersion`, `cert`/`key` for a client certificate ...), minus those naming a
 * connection, which sockkit makes.
 */
export interface TlsClientOptions
  extends Pick<ConnectionOptions, (typeof clientOptionNames)[number]>,
    HandshakeDeadline {}

/**
 * Server TLS options: Node's own `tls.createServer` names (`cert`, `key`, `ca`, `requestCert`,
 * `rejectUnauthorized`, `ALPNProtocols`, `SNICallback`, `minVersion` ...).
 */
export interface TlsServerOptions
  extends Pick<TlsOptions, (typeof serverOptionNames)[number]>,
    HandshakeDeadline {}

/** Client options, checked, with the secure context built once. */
export interface CheckedClientOptions {
  readonly connect: ConnectionOptions;
  readonly handshakeTimeout: number | null;
}

/** Server options, checked, with the secure context built once. */
export interface CheckedServerOptions {
  readonly secureContext: SecureContext;
  readonly requestCert: boolean;
  /** Node's default: true. */
  readonly rejectUnauthorized: boolean;
  readonly socket: Pick<TlsOptions, 'enableTrace' | 'ALPNProtocols' | 'SNICallback'>;
  readonly handshakeTimeout: number | null;
}

export function checkClientOptions(
  argument: string,
  options: TlsClientOptions | undefined,
): CheckedClientOptions {
  const { handshakeTimeout, ...connect } = checkOptions(argument, options, [
    ...clientOptionNames,
    'handshakeTimeout',
  ]);
  checkCommon(argument, connect);
  if (connect.servername !== undefined) checkNonEmptyString(`${argument}.servername`, connect.servername);
  if (connect.minDHSize !== undefined) checkPositiveInteger(`${argument}.minDHSize`, connect.minDHSize);
  if (connect.checkServerIdentity !== undefined)
    checkFunction(`${argument}.checkServerIdentity`, connect.checkServerIdentity);
  return {
    connect: { ...connect, secureContext: secureContextOf(argument, connect) },
    handshakeTimeout: checkOptionalDelay(
      `${argument}.handshakeTimeout`,
      handshakeTimeout,
      DEFAULT_TLS_HANDSHAKE_TIMEOUT,
    ),
  };
}

/**
 * Refuses client options for a peer without a host name (`host` undefined: a Unix socket) that
 * name no certificate to accept: Node would check the certificate against `localhost`. Python's
 * `wrap_socket` wants `server_hostname` there too; `servername`, a `checkServerIdentity` or
 * `rejectUnauthorized: false` says what to accept.
 */
export function checkNameToVerify(
  argument: string,
  options: CheckedClientOptions,
  host: string | undefined,
): void {
  const { servername, checkServerIdentity, rejectUnauthorized } = options.connect;
  if (host !== undefined || servername !== undefined || checkServerIdentity !== undefined) return;
  if (rejectUnauthorized === false) return;
  throw new InvalidArgumentError(
    `${argument}.servername`,
    'the name the server certificate must carry (a Unix socket has no host name to check it against)',
    undefined,
  );
}

export function checkServerOptions(
  argument: string,
  options: TlsServerOptions | undefined,
): CheckedServerOptions {
  const {
    handshakeTimeout,
    requestCert,
    rejectUnauthorized,
    enableTrace,
    ALPNProtocols,
    SNICallback,
    ...context
  } = checkOptions(argument, options, [...serverOptionNames, 'handshakeTimeout']);
  checkCommon(argument, { rejectUnauthorized, enableTrace, ALPNProtocols, ...context });
  if (requestCert !== undefined) checkBoolean(`${argument}.requestCert`, requestCert);
  if (SNICallback !== undefined) checkFunction(`${argument}.SNICallback`, SNICallback);
  if (
    context.secureContext === undefined &&
    context.key === undefined &&
    context.pfx === undefined &&
    SNICallback === undefined
  ) {
    throw new InvalidArgumentError(
      `${argument}.key`,
      'a private key (with cert), pfx, or a secureContext',
      undefined,
    );
  }
  return {
    secureContext: secureContextOf(argument, context),
    requestCert: requestCert ?? false,
    rejectUnauthorized: rejectUnauthorized ?? true,
    socket: { enableTrace, ALPNProtocols, SNICallback },
    handshakeTimeout: checkOptionalDelay(
      `${argument}.handshakeTimeout`,
      handshakeTimeout,
      DEFAULT_TLS_HANDSHAKE_TIMEOUT,
    ),
  };
}

/** The checks both sides share; Node checks the types of keys and certificates itself. */
function checkCommon(
  argument: string,
  options: Pick<
    TlsOptions,
    'rejectUnauthorized' | 'enableTrace' | 'minVersion' | 'maxVersion' | 'ALPNProtocols'
  >,
): void {
  for (const name of ['rejectUnauthorized', 'enableTrace'] as const) {
    if (options[name] !== undefined) checkBoolean(`${argument}.${name}`, options[name]);
  }
  for (const name of ['minVersion', 'maxVersion'] as const) {
    if (options[name] !== undefined)
      checkOneOf(`${argument}.${name}`, options[name], ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3']);
  }
  const { ALPNProtocols } = options;
  if (ALPNProtocols !== undefined && !validAlpnProtocols(ALPNProtocols)) {
    throw new InvalidArgumentError(
      `${argument}.ALPNProtocols`,
      'protocol names of 1 to 255 bytes (strings or Uint8Arrays), or their wire form as one Uint8Array',
      ALPNProtocols,
    );
  }
}

/**
 * Whether `protocols` is a list of ALPN names of 1 to 255 bytes, or that list in its wire form
 * (each name behind its length byte). Node 20 and 22 abort the process on an empty name or a
 * malformed wire form (a failed assertion in native code), and throw a TypeError without a code
 * on a wrong type: all of them are refused here first.
 */
function validAlpnProtocols(protocols: unknown): boolean {
  if (protocols instanceof Uint8Array) {
    let at = 0;
    while (at < protocols.length) {
      const length = protocols[at]!;
      if (length === 0) return false;
      at += 1 + length;
    }
    return protocols.length > 0 && at === protocols.length;
  }
  if (!Array.isArray(protocols) || protocols.length === 0) return false;
  return protocols.every((name: unknown) => {
    const length =
      typeof name === 'string' ? Buffer.byteLength(name) : name instanceof Uint8Array ? name.length : 0;
    return length >= 1 && length <= 255;
  });
}

/**
 * The given `secureContext`, or one built from the options now, so a bad key or certificate is an
 * `InvalidArgumentError` before anything connects or listens.
 */
function secureContextOf(
  argument: string,
  options: SecureContextOptions & { readonly secureContext?: SecureContext | undefined },
): SecureContext {
  const given: unknown = options.secureContext;
  if (given !== undefined) {
    // What Node checks only when a connection is wrapped (ERR_TLS_INVALID_CONTEXT): every one would fail.
    if (typeof given !== 'object' || given === null || !('context' in given)) {
      throw new InvalidArgumentError(
        `${argument}.secureContext`,
        'a tls.createSecureContext() result',
        given,
      );
    }
    return given as SecureContext;
  }
  const contextOptions: SecureContextOptions = {};
  for (const name of contextOptionNames) {
    if (options[name] !== undefined) (contextOptions as Record<string, unknown>)[name] = options[name];
  }
  try {
    return createSecureContext(contextOptions);
  } catch (error) {
    throw new InvalidArgumentError(argument, 'options tls.createSecureContext accepts', options, {
      cause: error,
      message: `${argument}: ${error instanceof Error ? error.message : String(error)}`,
    });
  }
}
