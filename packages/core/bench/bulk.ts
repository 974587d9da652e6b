import { once } from 'node:events';
import { type AddressInfo, createConnection, createServer } from 'node:net';
import { AF_INET, socket } from '../src/index.ts';

const CHUNK = 64 * 1024;
const payload = Buffer.alloc(CHUNK, 7);

/** Raw node:net: write with backpressure (wait for 'drain'), count bytes in 'data'. Returns MiB/s. */
export async function bulkRaw(mib: number): Promise<number> {
  const total = mib * 1024 * 1024;
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const client = createConnection((server.address() as AddressInfo).port, '127.0.0.1');
  const [conn] = (await once(server, 'connection')) as [import('node:net').Socket];
  await once(client, 'connect');
  const start = performance.now();
  const received = new Promise<void>((resolve) => {
    let count = 0;
    conn.on('data', (chunk: Buffer) => {
      count += chunk.length;
      if (count >= total) resolve();
    });
  });
  for (let sent = 0; sent < total; sent += CHUNK) {
    if (!client.write(payload)) await once(client, 'drain');
  }
  await received;
  const seconds = (performance.now() - start) / 1000;
  client.destroy();
  conn.destroy();
  server.close();
  return mib / seconds;
}

/** sockkit: `sendAll` each 64 KiB chunk, `recv(64 KiB)` until every byte arrived. Returns MiB/s. */
export async function bulkSockkit(mib: number): Promise<number> {
  const total = mib * 1024 * 1024;
  const listener = socket(AF_INET);
  listener.bind({ host: '127.0.0.1', port: 0 });
  await listener.listen();
  const client = socket(AF_INET);
  const [, [conn]] = await Promise.all([
    client.connect(listener.getSockName() as { host: string; port: number }),
    listener.accept(),
  ]);
  const start = performance.now();
  const received = (async () => {
    let count = 0;
    while (count < total) count += (await conn.recv(CHUNK)).length;
  })();
  for (let sent = 0; sent < total; sent += CHUNK) await client.sendAll(payload);
  await received;
  const seconds = (performance.now() - start) / 1000;
  await Promise.all([client.close(), conn.close(), listener.close()]);
  return mib / seconds;
}
