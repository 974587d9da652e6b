import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CommandError } from '../cli/explain.js';

/** A self-signed certificate and its key, as PEM text and files, removed by `await using`. */
export interface ThrowawayCertificate extends AsyncDisposable {
  readonly cert: string;
  readonly key: string;
  readonly certPath: string;
  readonly keyPath: string;
}

/**
 * A self-signed certificate for localhost and 127.0.0.1, valid for one day, made with the
 * openssl CLI as one would by hand:
 * `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=localhost
 *  -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout key.pem -out cert.pem`.
 * A client trusts it by naming it as its CA (`--tls-ca cert.pem`).
 */
export async function makeThrowawayCertificate(): Promise<ThrowawayCertificate> {
  const dir = await mkdtemp(join(tmpdir(), 'sockkit-cert-'));
  const certPath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  const remove = () => rm(dir, { recursive: true, force: true });
  try {
    await promisify(execFile)('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout',
      keyPath,
      '-out',
      certPath,
    ]);
    return {
      cert: await readFile(certPath, 'utf8'),
      key: await readFile(keyPath, 'utf8'),
      certPath,
      keyPath,
      [Symbol.asyncDispose]: remove,
    };
  } catch (error) {
    await remove();
    if ((error as { code?: unknown }).code === 'ENOENT')
      throw new CommandError(
        'the openssl CLI is not installed',
        'install openssl (apt-get install openssl, brew install openssl)',
        { cause: error },
      );
    throw error;
  }
}
