import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { connect, createServer, type TLSSocket } from 'node:tls';
import type { TestCertificates } from '@sockkit/testkit';
import { createConnection, createServer as serve } from '../src/index.ts';
import { type Latency, rawTrips, summarize } from './echo.ts';

const CHUNK = 64 * 1024;
const payload = Buffer.alloc(CHUNK, 7);
const SIZE = 64;
const message = Buffer.alloc(SIZE, 1);

/** A raw node:tls server and a connected, secured client; `onConnection` gets the server's side. */
async function rawPair(certs: TestCertificates, onConnection: (conn: TLSSocket) => void) {
  const served: TLSSocket[] = [];
  const server = createServer({ key: certs.server.key, cert: certs.server.cert }, (conn) => {
    served.push(conn);
    conn.setNoDelay(true);
    onConnection(conn);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const client = connect({
    port: (server.address() as AddressInfo).port,
    host: '127.0.0.1',
    servername: 'localhost',
    ca: certs.ca.cert,
  });
  client.setNoDelay(true);
  await once(client, 'secureConnect');
  return {
    client,
    close() {
      client.destroy();
      for (const conn of served) conn.destroy();
      server.close();
    },
  };
}

/** A sockkit TLS server running `handler`, and a connected client. */
async function sockkitPair(certs: TestCertificates, handler: Parameters<typeof serve>[1]) {
  const server = await serve({ host: '127.0.0.1', port: 0 }, handler, {
    noDelay: true,
    idleTimeout: null,
    tls: { key: certs.server.key, cert: certs.server.cert },
  });
  const client = await createConnection(
    { host: 'localhost', port: (server.address as { port: number }).port },
    { noDelay: true, tls: { ca: certs.ca.cert } },
  );
  return {
    client,
    async close() {
      await client.close();
      await server.close();
    },
  };
}

/** Raw node:tls: write with 'drain', count bytes in the server's 'data'. Returns MiB/s. */
export async function tlsBulkRaw(certs: TestCertificates, mib: number): Promise<number> {
  const total = mib * 1024 * 1024;
  let done: () => void = () => {};
  const received = new Promise<void>((resolve) => {
    done = resolve;
  });
  const pair = await rawPair(certs, (conn) => {
    let count = 0;
    conn.on('data', (chunk: Buffer) => {
      count += chunk.length;
      if (count >= total) done();
    });
  });
  const start = performance.now();
  for (let sent = 0; sent < total; sent += CHUNK) {
    if (!pair.client.write(payload)) await once(pair.client, 'drain');
  }
  await received;
  const seconds = (performance.now() - start) / 1000;
  pair.close();
  return mib / seconds;
}

/** sockkit TLS: `sendAll` each 64 KiB chunk; the handler `recv`s until every byte arrived. Returns MiB/s. */
export async function tlsBulkSockkit(certs: TestCertificates, mib: number): Promise<number> {
  const total = mib * 1024 * 1024;
  let done: () => void = () => {};
  const received = new Promise<void>((resolve) => {
    done = resolve;
  });
  const pair = await sockkitPair(certs, async (conn) => {
    let count = 0;
    while (count < total) count += (await conn.recv(CHUNK)).length;
    done();
  });
  const start = performance.now();
  for (let sent = 0; sent < total; sent += CHUNK) await pair.client.sendAll(payload);
  await received;
  const seconds = (performance.now() - start) / 1000;
  await pair.close();
  return mib / seconds;
}

/** Raw node:tls: the server echoes in 'data'; the client sends the next message when 64 bytes came back. */
export async function tlsEchoRaw(certs: TestCertificates, trips: number): Promise<Latency> {
  const pair = await rawPair(certs, (conn) => conn.on('data', (chunk) => conn.write(chunk)));
  const samples = await rawTrips(pair.client, trips);
  pair.close();
  return summarize(samples);
}

/** sockkit TLS: a handler echoing with recv/sendAll; the client does sendAll then recv. */
export async function tlsEchoSockkit(certs: TestCertificates, trips: number): Promise<Latency> {
  const pair = await sockkitPair(certs, async (conn) => {
    for (;;) {
      const chunk = await conn.recv(SIZE * 16);
      if (chunk.length === 0) return;
      await conn.sendAll(chunk);
    }
  });
  const samples = new Float64Array(trips);
  for (let trip = 0; trip < trips; trip++) {
    const sentAt = performance.now();
    await pair.client.sendAll(message);
    for (let got = 0; got < SIZE; ) got += (await pair.client.recv(SIZE)).length;
    samples[trip] = performance.now() - sentAt;
  }
  await pair.close();
  return summarize(samples);
}
