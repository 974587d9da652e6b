import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { AF_INET, SOCK_DGRAM, socket } from '../src/index.ts';

const datagram = Buffer.alloc(64, 2);

/** Raw node:dgram: the server answers each datagram in 'message'; the client sends the next on reply. Round trips/s. */
export async function udpRaw(trips: number): Promise<number> {
  const server = createSocket('udp4');
  server.on('message', (message, from) => server.send(message, from.port, from.address));
  server.bind(0, '127.0.0.1');
  await once(server, 'listening');
  const client = createSocket('udp4');
  const { port } = server.address();
  const start = performance.now();
  await new Promise<void>((resolve) => {
    let done = 0;
    client.on('message', () => {
      if (++done === trips) return resolve();
      client.send(datagram, port, '127.0.0.1');
    });
    client.send(datagram, port, '127.0.0.1');
  });
  const seconds = (performance.now() - start) / 1000;
  client.close();
  server.close();
  return trips / seconds;
}

/** sockkit: a `recvFrom`/`sendTo` loop answers until closed; the client does `sendTo` then `recvFrom`. Round trips/s. */
export async function udpSockkit(trips: number): Promise<number> {
  const server = socket(AF_INET, SOCK_DGRAM);
  await server.bind({ host: '127.0.0.1', port: 0 });
  const address = server.getSockName();
  // The classic loop: `data, address = recvfrom(...)`, `sendto(data, address)`, until closed.
  const serving = (async () => {
    for (;;) {
      const received = await server.recvFrom(1024).catch(() => undefined);
      if (received === undefined) return;
      await server.sendTo(received[0], received[1]);
    }
  })();
  const client = socket(AF_INET, SOCK_DGRAM);
  const start = performance.now();
  for (let trip = 0; trip < trips; trip++) {
    await client.sendTo(datagram, address);
    await client.recvFrom(1024);
  }
  const seconds = (performance.now() - start) / 1000;
  await Promise.all([client.close(), server.close()]);
  await serving;
  return trips / seconds;
}
