import { execFile } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll } from 'vitest';
import { tempDir } from './temp.ts';

const run = promisify(execFile);

/** A key and certificate, as PEM text and as files (for Python's `ssl`, `openssl s_client` ...). */
export interface KeyPair {
  readonly key: string;
  readonly cert: string;
  readonly keyPath: string;
  readonly certPath: string;
}

/** The certificates of a TLS test, made fresh in a temp dir (removed by `await using`). */
export interface TestCertificates extends AsyncDisposable {
  /** The trusted CA. */
  readonly ca: KeyPair;
  /** For localhost, 127.0.0.1 and ::1, issued by `ca`. */
  readonly server: KeyPair;
  /** A client certificate issued by `ca`. */
  readonly client: KeyPair;
  /** For localhost, 127.0.0.1 and ::1, issued by `ca`, expired yesterday. */
  readonly expired: KeyPair;
  /** Issued by `ca` for `wrong.example` only. */
  readonly wrongName: KeyPair;
  /** For localhost and 127.0.0.1, issued by another CA nobody trusts. */
  readonly untrusted: KeyPair;
  /** A client certificate issued by that other CA. */
  readonly untrustedClient: KeyPair;
}

const SERVER_NAMES = 'DNS:localhost,IP:127.0.0.1,IP:::1';

/**
 * Makes a CA and the certificates a TLS test needs with the `openssl` CLI (P-256 keys, so it
 * takes some tens of milliseconds), in a temp dir.
 */
export async function makeCertificates(): Promise<TestCertificates> {
  const dir = await tempDir('sockkit-tls-');
  const file = (name: string) => join(dir.path, name);
  const pair = async (name: string): Promise<KeyPair> => ({
    key: await readFile(file(`${name}.key`), 'utf8'),
    cert: await readFile(file(`${name}.pem`), 'utf8'),
    keyPath: file(`${name}.key`),
    certPath: file(`${name}.pem`),
  });
  const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  const makeCa = async (name: string) => {
    await run('openssl', [
      'req',
      '-x509',
      ...newKey,
      '-keyout',
      file(`${name}.key`),
      '-out',
      file(`${name}.pem`),
      '-days',
      '2',
      '-subj',
      `/CN=sockkit test ${name}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]);
  };
  /** A leaf issued by `issuer`, valid for `days` (negative: expired). */
  const makeLeaf = async (name: string, issuer: string, extensions: string, days: number) => {
    await writeFile(file(`${name}.ext`), `basicConstraints=CA:FALSE\n${extensions}\n`);
    await run('openssl', [
      'req',
      ...newKey,
      '-keyout',
      file(`${name}.key`),
      '-out',
      file(`${name}.csr`),
      '-subj',
      `/CN=${name}`,
    ]);
    await run('openssl', [
      'x509',
      '-req',
      '-in',
      file(`${name}.csr`),
      '-CA',
      file(`${issuer}.pem`),
      '-CAkey',
      file(`${issuer}.key`),
      '-set_serial',
      String(randomInt(1, 2 ** 47)),
      '-days',
      String(days),
      '-extfile',
      file(`${name}.ext`),
      '-out',
      file(`${name}.pem`),
    ]);
  };
  const serverExt = (names: string) => `subjectAltName=${names}\nextendedKeyUsage=serverAuth`;
  const clientExt = 'extendedKeyUsage=clientAuth';
  try {
    await Promise.all([makeCa('ca'), makeCa('other-ca')]);
    await Promise.all([
      makeLeaf('server', 'ca', serverExt(SERVER_NAMES), 2),
      makeLeaf('client', 'ca', clientExt, 2),
      makeLeaf('expired', 'ca', serverExt(SERVER_NAMES), -1),
      makeLeaf('wrong-name', 'ca', serverExt('DNS:wrong.example'), 2),
      makeLeaf('untrusted', 'other-ca', serverExt(SERVER_NAMES), 2),
      makeLeaf('untrusted-client', 'other-ca', clientExt, 2),
    ]);
    return {
      ca: await pair('ca'),
      server: await pair('server'),
      client: await pair('client'),
      expired: await pair('expired'),
      wrongName: await pair('wrong-name'),
      untrusted: await pair('untrusted'),
      untrustedClient: await pair('untrusted-client'),
      [Symbol.asyncDispose]: () => dir[Symbol.asyncDispose](),
    };
  } catch (error) {
    await dir[Symbol.asyncDispose]();
    if ((error as { code?: unknown }).code === 'ENOENT')
      throw new Error(
        'TLS tests need the openssl CLI: as root, apt-get update && apt-get install -y openssl',
      );
    throw error;
  }
}

/** The certificates of one test file, made before its first test and removed after its last. */
export type SuiteCertificates = Omit<TestCertificates, typeof Symbol.asyncDispose>;

/**
 * {@link makeCertificates} for the whole test file: registers `beforeAll`/`afterAll` hooks and
 * returns an object whose key pairs are those made by the hook (reading one before it ran throws).
 */
export function suiteCertificates(): SuiteCertificates {
  let made: TestCertificates | undefined;
  beforeAll(async () => {
    made = await makeCertificates();
  });
  afterAll(async () => {
    await made?.[Symbol.asyncDispose]();
  });
  const certificates = (): TestCertificates => {
    if (made === undefined) throw new Error('suiteCertificates: read before its beforeAll hook ran');
    return made;
  };
  const names = ['ca', 'server', 'client', 'expired', 'wrongName', 'untrusted', 'untrustedClient'] as const;
  const pairs = names.map((name) => [name, { enumerable: true, get: () => certificates()[name] }]);
  return Object.defineProperties({}, Object.fromEntries(pairs)) as SuiteCertificates;
}
