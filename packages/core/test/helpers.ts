import { join } from 'node:path';
import { tempDir } from '@sockkit/testkit';
import { type AddressFamily, AF_INET, AF_INET6, AF_UNIX, type StreamSocket, socket } from '../src/index.ts';

export interface Pair extends AsyncDisposable {
  readonly listener: StreamSocket;
  readonly client: StreamSocket;
  readonly conn: StreamSocket;
}

/** A listener on loopback (port 0, or a Unix socket in a temp dir) with one connected and accepted pair. */
export async function connectedPair(family: AddressFamily = AF_INET): Promise<Pair> {
  const dir = family === AF_UNIX ? await tempDir() : undefined;
  const listener = socket(family);
  listener.bind(
    dir ? { path: join(dir.path, 's.sock') } : { host: family === AF_INET6 ? '::1' : '127.0.0.1', port: 0 },
  );
  await listener.listen(8);
  const client = socket(family);
  const address = listener.getSockName();
  const [, [conn]] = await Promise.all([
    client.connect('path' in address ? { path: address.path } : { host: address.host, port: address.port }),
    listener.accept({ timeout: 5_000 }),
  ]);
  return {
    listener,
    client,
    conn,
    async [Symbol.asyncDispose]() {
      await Promise.all([client.close(), conn.close(), listener.close()]);
      await dir?.[Symbol.asyncDispose]();
    },
  };
}

/** A port nothing listens on: bound, read, released. */
export async function closedPort(): Promise<number> {
  const probe = socket();
  probe.bind({ host: '127.0.0.1', port: 0 });
  await probe.listen();
  const address = probe.getSockName();
  await probe.close();
  return 'port' in address ? address.port : 0;
}

/** Reads until end of stream and returns everything received. */
export async function recvAll(conn: StreamSocket): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const chunk of conn) parts.push(chunk);
  return Buffer.concat(parts);
}

export const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
export const text = (data: Uint8Array): string => new TextDecoder().decode(data);
