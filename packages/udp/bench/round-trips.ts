/** Echo round trips per second over loopback: raw node:dgram, @sockkit/core, @sockkit/udp request/serve. */
import { AF_INET, DatagramSocket } from '@sockkit/core';
import { udpEndpoint } from '../src/index.ts';
import { closeRaw, loopback, type Measured, PAYLOAD, rawSocket } from './common.ts';

/**
 * Round trips per second of a raw echo, `window` datagrams in flight. With `onSent`, every send
 * takes that callback: the only way Node reports a send's failure, and what sockkit pays per send.
 */
export async function rawRoundTrips(
  window: number,
  ms: number,
  onSent?: (error: Error | null) => void,
): Promise<Measured> {
  const [server, client] = await Promise.all([rawSocket(), rawSocket()]);
  server.on('message', (data, from) => server.send(data, from.port, from.address, onSent));
  const port = server.address().port;
  let count = 0;
  let running = true;
  const done = new Promise<void>((resolve) => {
    let outstanding = window;
    client.on('message', (data) => {
      count++;
      if (running) client.send(data, port, loopback, onSent);
      else if (--outstanding === 0) resolve();
    });
  });
  const start = performance.now();
  for (let i = 0; i < window; i++) client.send(PAYLOAD, port, loopback);
  await new Promise((resolve) => setTimeout(resolve, ms));
  running = false;
  const elapsed = performance.now() - start;
  const measured = { rate: (count / elapsed) * 1000, ops: count };
  await done;
  await Promise.all([closeRaw(server), closeRaw(client)]);
  return measured;
}

/** Round trips per second of an echo over `@sockkit/core`'s DatagramSocket (the layer under the endpoint). */
export async function coreRoundTrips(window: number, ms: number): Promise<Measured> {
  await using server = new DatagramSocket(AF_INET);
  await using client = new DatagramSocket(AF_INET);
  await Promise.all([server.bind({ host: loopback, port: 0 }), client.bind({ host: loopback, port: 0 })]);
  const to = server.getSockName() as { host: string; port: number };
  const echo = (async () => {
    for await (const [data, from] of server)
      await server.sendTo(data, from as { host: string; port: number });
  })();
  let count = 0;
  let running = true;
  const start = performance.now();
  for (let i = 0; i < window; i++) await client.sendTo(PAYLOAD, to);
  while (running) {
    const [data] = await client.recvFrom(65_536);
    count++;
    if (performance.now() - start >= ms) running = false;
    else await client.sendTo(data, to);
  }
  const elapsed = performance.now() - start;
  await server.close();
  await echo;
  return { rate: (count / elapsed) * 1000, ops: count };
}

/** Round trips per second through `request`/`serve`, `window` requests in flight. */
export async function udpRoundTrips(window: number, ms: number): Promise<Measured> {
  await using server = await udpEndpoint();
  server.serve((message) => message);
  await using client = await udpEndpoint();
  let count = 0;
  let running = true;
  const worker = async () => {
    while (running) {
      await client.request(PAYLOAD, server.address);
      count++;
    }
  };
  const start = performance.now();
  const workers = Array.from({ length: window }, worker);
  await new Promise((resolve) => setTimeout(resolve, ms));
  running = false;
  const elapsed = performance.now() - start;
  await Promise.all(workers);
  return { rate: (count / elapsed) * 1000, ops: count };
}
