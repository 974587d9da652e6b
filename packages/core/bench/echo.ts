import { once } from 'node:events';
import { type AddressInfo, createConnection, createServer, type Socket } from 'node:net';
import { createConnection as connect, createServer as serve } from '../src/index.ts';

const SIZE = 64;
const message = Buffer.alloc(SIZE, 1);

export interface Latency {
  /** Microseconds. */
  readonly median: number;
  readonly p99: number;
}

export function summarize(samples: Float64Array): Latency {
  samples.sort();
  const at = (q: number) =>
    (samples[Math.min(samples.length - 1, Math.floor(samples.length * q))] ?? 0) * 1000;
  return { median: at(0.5), p99: at(0.99) };
}

/** Raw node:net: the server echoes in 'data'; the client sends the next message when 64 bytes came back. */
export async function echoRaw(trips: number): Promise<Latency> {
  const served: Socket[] = [];
  const server = createServer({ noDelay: true }, (conn) => {
    served.push(conn);
    conn.on('data', (chunk) => conn.write(chunk));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const client = createConnection({
    port: (server.address() as AddressInfo).port,
    host: '127.0.0.1',
    noDelay: true,
  });
  await once(client, 'connect');
  const samples = await rawTrips(client, trips);
  client.destroy();
  for (const conn of served) conn.destroy();
  server.close();
  return summarize(samples);
}

/** Raw round trips over `client` (a net or TLS socket to an echo): the next 64 bytes go once 64 came back. */
export function rawTrips(client: Socket, trips: number): Promise<Float64Array> {
  const samples = new Float64Array(trips);
  return new Promise((resolve) => {
    let trip = 0;
    let got = 0;
    let sentAt = performance.now();
    client.on('data', (chunk: Buffer) => {
      got += chunk.length;
      if (got < SIZE) return;
      got -= SIZE;
      samples[trip++] = performance.now() - sentAt;
      if (trip === trips) return resolve(samples);
      sentAt = performance.now();
      client.write(message);
    });
    client.write(message);
  });
}

/** sockkit: a `createServer` handler echoing with recv/sendAll; the client does sendAll then recv. */
export async function echoSockkit(trips: number): Promise<Latency> {
  const server = await serve(
    { host: '127.0.0.1', port: 0 },
    async (conn) => {
      for (;;) {
        const chunk = await conn.recv(SIZE * 16);
        if (chunk.length === 0) return;
        await conn.sendAll(chunk);
      }
    },
    // The raw server has no idle timer either: same work on both sides.
    { noDelay: true, idleTimeout: null },
  );
  const client = await connect(server.address as { host: string; port: number }, { noDelay: true });
  const samples = new Float64Array(trips);
  for (let trip = 0; trip < trips; trip++) {
    const sentAt = performance.now();
    await client.sendAll(message);
    for (let got = 0; got < SIZE; ) got += (await client.recv(SIZE)).length;
    samples[trip] = performance.now() - sentAt;
  }
  await client.close();
  await server.close();
  return summarize(samples);
}
