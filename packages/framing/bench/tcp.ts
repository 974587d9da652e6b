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

/** Bytes of a received message: one array, or the pieces of a large frame (`piecesFrom`). */
const bytesOf = (message: Uint8Array | readonly Uint8Array[]): number =>
  Array.isArray(message)
    ? message.reduce((sum: number, piece: Uint8Array) => sum + piece.length, 0)
    : (message as Uint8Array).length;

/**
 * What a TCP case compares: a raw socket pair counting received bytes, and a framed channel
 * pair (with `piecesFrom` when given).
 */
export async function benchConnections(piecesFrom?: number) {
  const raw = await connectedPair();
  const channelPair = await connectedPair();
  const options = { idleTimeout: null, ...(piecesFrom === undefined ? {} : { piecesFrom }) };
  const sender = framed(channelPair.client, options);
  const channel = framed(channelPair.server, options);
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
        bytes += bytesOf(next.value);
      }
      return bytes;
    },
    /** Takes `count` messages from the channel through `batches()` and returns their bytes. */
    async channelReceivesBatches(count: number): Promise<number> {
      let bytes = 0;
      for (let taken = 0; taken < count; ) {
        const next = await batches.next();
        if (next.done) throw new Error('channel ended');
        for (const message of next.value) bytes += bytesOf(message);
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

/**
 * Every contender moves `frames` MiB per run over its own connection, writes waiting for
 * 'drain': raw bytes, a channel copying each frame into one buffer (the default), and a channel
 * with `piecesFrom` handing each frame over as its chunks, uncopied.
 */
export async function loopback(frames: number): Promise<{ contenders: Contender[]; close(): Promise<void> }> {
  const payload = Buffer.alloc(FRAME, 0x5a);
  const connections = await benchConnections();
  const uncopied = await benchConnections(64 * 1024);
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
    {
      name: 'sockkit framed channel, piecesFrom',
      async run() {
        const receiving = uncopied.channelReceives(frames);
        for (let index = 0; index < frames; index++) await uncopied.sender.send(payload);
        return (await receiving) / FRAME;
      },
    },
  ];
  return {
    contenders,
    async close() {
      await connections.close();
      await uncopied.close();
    },
  };
}
