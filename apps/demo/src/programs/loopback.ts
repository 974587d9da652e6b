import { type StreamSocket, socket } from '@sockkit/core';

/**
 * A connected pair of TCP sockets on 127.0.0.1 with an ephemeral port, the classic way:
 * one side binds, listens and accepts, the other connects. Dispose closes all three.
 */
export async function loopbackPair(): Promise<
  { readonly client: StreamSocket; readonly server: StreamSocket } & AsyncDisposable
> {
  const listener = socket();
  listener.bind({ host: '127.0.0.1', port: 0 });
  await listener.listen(1);
  const client = socket();
  const [[server]] = await Promise.all([listener.accept(), client.connect(listener.getSockName())]);
  return {
    client,
    server,
    async [Symbol.asyncDispose]() {
      await Promise.all([client.close(), server.close(), listener.close()]);
    },
  };
}
