/** 1 MiB frames over a TCP loopback connection: a framed channel against raw socket bytes. */
import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';
import { framed } from '../src/index.ts';
import type { Contender } from './harness.ts';

const FRAME = 1024 * 1024;

/** A client and a server `net.Socket` connected over loopback. */
export async function connectedPair(): Promise<{ client: Socket; server: Socket; close(): Promise<void> }> {
  const listener = createServer();
  listener.listen({ host: '127.0.0.1', port: 0 });
  await once(listener, 'listening');
  const { port } = listener.address() as { port: number };
  const accepted = once(listener, 'connection') as Promise<[Socket]>;
  const client = connect({ host: '127.0.0.1', port });
  await once(client, 'connect');
  const [server] = await accepted;
  return {
    client,
    server,
    async close() {
      client.destroy();
      server.destroy();
      await new Promise((resolve) => listener.close(resolve));
    },
  };
}

/** Both contenders move `frames` MiB per run over their own connection, writes waiting for 'drain'. */
export async function loopback(frames: number): Promise<{ contenders: Contender[]; close(): Promise<void> }> {
  const payload = Buffer.alloc(FRAME, 0x5a);
  const raw = await connectedPair();
  const channelPair = await connectedPair();
  const sender = framed(channelPair.client, { idleTimeout: null });
  const receiver = framed(channelPair.server, { idleTimeout: null })[Symbol.asyncIterator]();

  let rawWaiter: (() => void) | null = null;
  let rawReceived = 0;
  raw.server.on('data', (chunk: Buffer) => {
    rawReceived += chunk.length;
    if (rawReceived >= frames * FRAME && rawWaiter !== null) rawWaiter();
  });

  const contenders: Contender[] = [
    {
      name: 'raw socket bytes',
      async run() {
        rawReceived = 0;
        const done = new Promise<void>((resolve) => {
          rawWaiter = resolve;
        });
        for (let index = 0; index < frames; index++) {
          if (!raw.client.write(payload)) await once(raw.client, 'drain');
        }
        await done;
        return rawReceived / FRAME;
      },
    },
    {
      name: 'sockkit framed channel',
      async run() {
        const receiving = (async () => {
          let bytes = 0;
          for (let index = 0; index < frames; index++) {
            const next = await receiver.next();
            if (next.done) throw new Error('channel ended');
            bytes += next.value.length;
          }
          return bytes / FRAME;
        })();
        for (let index = 0; index < frames; index++) await sender.send(payload);
        return receiving;
      },
    },
  ];
  return {
    contenders,
    async close() {
      await sender.close();
      await raw.close();
      await channelPair.close();
    },
  };
}
