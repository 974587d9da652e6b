/**
 * 32 B messages over a TCP loopback connection: one `channel.send()` per message (awaiting every
 * 1,024th), received through the channel's iterator, against raw socket bytes of the same frames
 * written in 64 KiB batches (the wire's throughput).
 */
import { once } from 'node:events';
import { encodeFrames, FrameFormats, framed } from '../src/index.ts';
import type { Contender } from './harness.ts';
import { connectedPair } from './tcp.ts';

const SIZE = 32;
const AWAIT_EVERY = 1024;
const BATCH = 64 * 1024;

export async function smallMessages(
  count: number,
): Promise<{ contenders: Contender[]; close(): Promise<void> }> {
  const payload = Buffer.alloc(SIZE, 0x5a);
  const frameBytes = SIZE + 4;
  const perBatch = Math.floor(BATCH / frameBytes);
  const batch = encodeFrames(
    Array.from({ length: perBatch }, () => payload),
    FrameFormats.uint32BE,
  );
  const raw = await connectedPair();
  const channelPair = await connectedPair();
  const sender = framed(channelPair.client, { idleTimeout: null });
  const receiver = framed(channelPair.server, { idleTimeout: null })[Symbol.asyncIterator]();

  let rawWaiter: (() => void) | null = null;
  let rawReceived = 0;
  raw.server.on('data', (chunk: Buffer) => {
    rawReceived += chunk.length;
    if (rawReceived >= count * frameBytes && rawWaiter !== null) rawWaiter();
  });

  const contenders: Contender[] = [
    {
      name: 'raw socket bytes',
      async run() {
        rawReceived = 0;
        const done = new Promise<void>((resolve) => {
          rawWaiter = resolve;
        });
        for (let sent = 0; sent < count; sent += perBatch) {
          const frames = Math.min(perBatch, count - sent);
          const chunk = frames === perBatch ? batch : batch.subarray(0, frames * frameBytes);
          if (!raw.client.write(chunk)) await once(raw.client, 'drain');
        }
        await done;
        return rawReceived / frameBytes;
      },
    },
    {
      name: 'sockkit send() per message',
      async run() {
        const receiving = (async () => {
          let received = 0;
          for (let index = 0; index < count; index++) {
            const next = await receiver.next();
            if (next.done) throw new Error('channel ended');
            received += next.value.length / SIZE;
          }
          return received;
        })();
        for (let index = 0; index < count; index++) {
          const sent = sender.send(payload);
          if ((index + 1) % AWAIT_EVERY === 0) await sent;
        }
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
