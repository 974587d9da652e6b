/** 1 MiB frames over a TCP loopback connection: a framed channel against raw socket bytes. */
import { once } from 'node:events';
import { connect, createServer, type OnReadOpts, type Socket } from 'node:net';
import { framed } from '../src/index.ts';
import type { Contender } from './harness.ts';

const FRAME = 1024 * 1024;

/**
 * A client and a server `net.Socket` connected over loopback; `onread` (reads into the caller's
 * buffer) goes to the client, as only a connecting socket takes it (`net.Server` ignores it).
 */
export async function connectedPair(
  onread?: OnReadOpts,
): Promise<{ client: Socket; server: Socket; close(): Promise<void> }> {
  const listener = createServer();
  listener.listen({ host: '127.0.0.1', port: 0 });
  await once(listener, 'listening');
  const { port } = listener.address() as { port: number };
  const accepted = once(listener, 'connection') as Promise<[Socket]>;
  const client = connect({ host: '127.0.0.1', port, ...(onread === undefined ? {} : { onread }) });
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

/**
 * Counts what a receiver got (bytes, frames): `expect(count)` starts from zero and resolves with
 * the count once at least `count` arrived, for a contender to return what arrived, not what it sent.
 */
export function arrivalCounter(): { add(amount: number): void; expect(count: number): Promise<number> } {
  let arrived = 0;
  let waiter: { count: number; resolve: (arrived: number) => void } | null = null;
  return {
    add(amount) {
      arrived += amount;
      if (waiter !== null && arrived >= waiter.count) waiter.resolve(arrived);
    },
    expect(count) {
      arrived = 0;
      return new Promise((resolve) => {
        waiter = { count, resolve };
      });
    },
  };
}

/** Bytes of a received message: one array, or the pieces of a large frame (`piecesFrom`). */
const bytesOf = (message: Uint8Array | readonly Uint8Array[]): number =>
  Array.isArray(message)
    ? message.reduce((sum: number, piece: Uint8Array) => sum + piece.length, 0)
    : (message as Uint8Array).length;

/** A framed channel pair over loopback (with `piecesFrom` when given): its sender and receives. */
export async function channelConnections(piecesFrom?: number) {
  const pair = await connectedPair();
  const options = { idleTimeout: null, ...(piecesFrom === undefined ? {} : { piecesFrom }) };
  const sender = framed(pair.client, options);
  const channel = framed(pair.server, options);
  const receiver = channel[Symbol.asyncIterator]();
  const batches = channel.batches();
  return {
    sender,
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
      await pair.close();
    },
  };
}

/**
 * What a TCP case compares: a raw socket pair counting received bytes, and a framed channel
 * pair (with `piecesFrom` when given).
 */
export async function benchConnections(piecesFrom?: number) {
  const raw = await connectedPair();
  const channel = await channelConnections(piecesFrom);
  const received = arrivalCounter();
  raw.server.on('data', (chunk: Buffer) => received.add(chunk.length));
  return {
    ...channel,
    rawClient: raw.client,
    /** Resolves with the bytes the raw server received once it has `bytes` from now on. */
    rawReceives: (bytes: number): Promise<number> => received.expect(bytes),
    async close() {
      await channel.close();
      await raw.close();
    },
  };
}

/** `name`: sends `frames` copies of the 1 MiB `payload` through `channel`; returns the frames received. */
export function channelContender(
  name: string,
  channel: Pick<Awaited<ReturnType<typeof channelConnections>>, 'sender' | 'channelReceives'>,
  payload: Uint8Array,
  frames: number,
): Contender {
  return {
    name,
    async run() {
      const receiving = channel.channelReceives(frames);
      for (let index = 0; index < frames; index++) await channel.sender.send(payload);
      return (await receiving) / FRAME;
    },
  };
}

/** Writes `frames` copies of `payload` to `sender`, waiting for 'drain'; returns what `arrived` resolves with. */
export async function sendFrames(
  sender: Socket,
  payload: Uint8Array,
  frames: number,
  arrived: Promise<number>,
) {
  for (let index = 0; index < frames; index++) {
    if (!sender.write(payload)) await once(sender, 'drain');
  }
  return arrived;
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
  const { rawClient } = connections;
  const contenders: Contender[] = [
    {
      name: 'raw socket bytes',
      run: async () =>
        (await sendFrames(rawClient, payload, frames, connections.rawReceives(frames * FRAME))) / FRAME,
    },
    channelContender('sockkit framed channel', connections, payload, frames),
    channelContender('sockkit framed channel, piecesFrom', uncopied, payload, frames),
  ];
  return {
    contenders,
    async close() {
      await connections.close();
      await uncopied.close();
    },
  };
}
