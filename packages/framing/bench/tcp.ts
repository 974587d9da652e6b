/** 1 MiB frames over a TCP loopback connection: a framed channel against raw socket bytes. */
import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';
import { framed } from '../src/index.ts';
import type { Contender } from './harness.ts';

const FRAME = 1024 * 1024;

/** A client and a server `net.Socket` connected over loopback. */
async function connectedPair(): Promise<{ client: Socket; server: Socket; close(): Promise<void> }> {
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

/** What a TCP case compares: a raw socket pair counting received bytes, and a framed channel pair. */
export async function benchConnections() {
  const raw = await connectedPair();
  const channelPair = await connectedPair();
  const sender = framed(channelPair.client, { idleTimeout: null });
  const channel = framed(channelPair.server, { idleTimeout: null });
  const receiver = channel[Symbol.asyncIterator]();
  const batches = channel.batches();
  let received = 0;
  let waiter: { bytes: number; resolve: (received: number) => void } | null = null;
  raw.server.on('data', (chunk: Buffer) => {
    received += chunk.length;
    if (waiter !== null && received >= waiter.bytes) waiter.resolve(received);
  });
  return {
    rawClient: raw.client,
    sender,
    /** Resolves with the bytes the raw server received once it has `bytes` from now on. */
    rawReceives(bytes: number): Promise<number> {
      received = 0;
      return new Promise((resolve) => {
        waiter = { bytes, resolve };
      });
    },
    /** Takes `count` messages from the channel and returns their bytes. */
    async channelReceives(count: number): Promise<number> {
      let bytes = 0;
      for (let index = 0; index < count; index++) {
        const next = await receiver.next();
        if (next.done) throw new Error('channel ended');
        bytes += next.value.length;
      }
      return bytes;
    },
    /** Takes `count` messages from the channel through `batches()` and returns their bytes. */
    async channelReceivesBatches(count: number): Promise<number> {
      let bytes = 0;
      for (let taken = 0; taken < count; ) {
        const next = await batches.next();
        if (next.done) throw new Error('channel ended');
        for (const message of next.value) bytes += message.length;
        taken += next.value.length;
      }
      return bytes;
    },
    async close() {
      await sender.close();
      await raw.close();
      await channelPair.close();
    },
  };
}

/** Both contenders move `frames` MiB per run over their own connection, writes waiting for 'drain'. */
export async function loopback(frames: number): Promise<{ contenders: Contender[]; close(): Promise<void> }> {
  const payload = Buffer.alloc(FRAME, 0x5a);
  const connections = await benchConnections();
  const { rawClient, sender } = connections;
  const contenders: Contender[] = [
    {
      name: 'raw socket bytes',
      async run() {
        const done = connections.rawReceives(frames * FRAME);
        for (let index = 0; index < frames; index++) {
          if (!rawClient.write(payload)) await once(rawClient, 'drain');
        }
        return (await done) / FRAME;
      },
    },
    {
      name: 'sockkit framed channel',
      async run() {
        const receiving = connections.channelReceives(frames);
        for (let index = 0; index < frames; index++) await sender.send(payload);
        return (await receiving) / FRAME;
      },
    },
  ];
  return { contenders, close: () => connections.close() };
}
