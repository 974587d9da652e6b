import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { Duplex } from 'node:stream';

/** A connected pair of real sockets over `listen` (`{ host: '127.0.0.1' }`, `{ host: '::1' }` or `{ path }`); dispose closes both. */
export async function socketPair(
  listen: { host: string } | { path: string } = { host: '127.0.0.1' },
): Promise<{ client: Socket; server: Socket } & AsyncDisposable> {
  const listener: Server = createServer();
  listener.listen('path' in listen ? listen.path : { host: listen.host, port: 0 });
  await once(listener, 'listening');
  const address = listener.address();
  const accepted = once(listener, 'connection') as Promise<[Socket]>;
  const client =
    typeof address === 'string' || address === null
      ? connect(String(address))
      : connect({ host: address.address, port: address.port });
  await once(client, 'connect');
  const [server] = await accepted;
  return {
    client,
    server,
    async [Symbol.asyncDispose]() {
      client.destroy();
      server.destroy();
      await new Promise((resolve) => listener.close(resolve));
    },
  };
}

/** Two in-memory Duplex ends joined back to back, for tests that drive timers by hand. */
export function streamPair(): [Duplex, Duplex] {
  const ends: Duplex[] = [];
  const end = (peer: () => Duplex) =>
    new Duplex({
      read() {},
      write(chunk: Uint8Array, _encoding, callback) {
        peer().push(chunk);
        callback();
      },
      final(callback) {
        peer().push(null);
        callback();
      },
    });
  ends.push(
    end(() => ends[1]!),
    end(() => ends[0]!),
  );
  return [ends[0]!, ends[1]!];
}
