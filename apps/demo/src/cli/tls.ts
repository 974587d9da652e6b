import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { OptionSpec } from './command.js';

/** Reads a PEM file named on the command line; a file that cannot be read is a usage error there. */
const pemFile = z.string().transform((path, context) => {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    context.addIssue({ code: 'custom', message: `cannot read ${path}: ${(error as Error).message}` });
    return z.NEVER;
  }
});

/** `--tls-cert` and `--tls-key` of the servers: with both, the server speaks TLS. */
export const tlsServerOptions = {
  'tls-cert': {
    type: 'string',
    placeholder: 'cert.pem',
    description: 'serve TLS with this certificate (PEM), with --tls-key',
  },
  'tls-key': { type: 'string', placeholder: 'key.pem', description: "the certificate's private key (PEM)" },
} as const satisfies Record<string, OptionSpec>;

/** `--tls-ca` of the clients: connect with TLS, trusting this CA (or a self-signed server certificate). */
export const tlsClientOptions = {
  'tls-ca': {
    type: 'string',
    placeholder: 'ca.pem',
    description: 'connect with TLS, trusting this CA or self-signed certificate (PEM)',
  },
} as const satisfies Record<string, OptionSpec>;

export const tlsServerArgs = {
  'tls-cert': pemFile.optional(),
  'tls-key': pemFile.optional(),
};

export const tlsClientArgs = { 'tls-ca': pemFile.optional() };

/** A server's key and certificate. */
export interface ServerTls {
  readonly cert: string;
  readonly key: string;
}

/** Both `--tls-cert` and `--tls-key`, or neither: one without the other is a usage error. */
export function refineServerTls<
  T extends { 'tls-cert'?: string | undefined; 'tls-key'?: string | undefined },
>(args: z.ZodType<T>) {
  return args.refine((given) => (given['tls-cert'] === undefined) === (given['tls-key'] === undefined), {
    message: '--tls-cert and --tls-key go together',
    path: ['tls-cert'],
  });
}

/** The TLS settings a server command got, if any. */
export function serverTlsOf(args: { 'tls-cert'?: string | undefined; 'tls-key'?: string | undefined }) {
  const cert = args['tls-cert'];
  const key = args['tls-key'];
  return cert === undefined || key === undefined ? undefined : { cert, key };
}
