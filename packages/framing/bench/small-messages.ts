/**
 * 32 B messages over a TCP loopback connection: one `channel.send()` per message (awaiting every
 * 1,024th), received through `batches()` and through the channel's iterator, against raw socket
 * bytes of the same frames written in 64 KiB batches (the wire's throughput).
 */
import { once } from 'node:events';
import { encodeFrames, FrameFormats } from '../src/index.ts';
import type { Contender } from './harness.ts';
import { benchConnections } from './tcp.ts';

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
  const connections = await benchConnections();
  const { rawClient, sender } = connections;
  const contenders: Contender[] = [
    {
      name: 'raw socket bytes',
      async run() {
        const done = connections.rawReceives(count * frameBytes);
        for (let sent = 0; sent < count; sent += perBatch) {
          const frames = Math.min(perBatch, count - sent);
          const chunk = frames === perBatch ? batch : batch.subarray(0, frames * frameBytes);
          if (!rawClient.write(chunk)) await once(rawClient, 'drain');
        }
        return (await done) / frameBytes;
      },
    },
    {
      name: 'send() per message, batches()',
      async run() {
        const receiving = connections.channelReceivesBatches(count);
        await sendEach();
        return (await receiving) / SIZE;
      },
    },
    {
      name: 'send() per message, for await',
      async run() {
        const receiving = connections.channelReceives(count);
        await sendEach();
        return (await receiving) / SIZE;
      },
    },
  ];
  async function sendEach(): Promise<void> {
    for (let index = 0; index < count; index++) {
      const sent = sender.send(payload);
      if ((index + 1) % AWAIT_EVERY === 0) await sent;
    }
  }
  return { contenders, close: () => connections.close() };
}
