/**
 * Where the default path's time goes for 1 MiB frames: raw sockets carrying the same bytes, each
 * doing one part of what the channel does to a frame (copy it, allocate its own buffer, both),
 * beside the channel itself, and the read straight into each frame's buffer that `net`'s
 * `onread` option allows (connecting sockets only: `net.Server` ignores it). Each contender's
 * minor page faults and GCs per frame are logged to stderr, as they explain the times.
 */
import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';
import { PerformanceObserver } from 'node:perf_hooks';
import type { Contender } from './harness.ts';
import { benchConnections } from './tcp.ts';

const FRAME = 1024 * 1024;

/** What a raw receiver does with each frame's bytes as its chunks arrive. */
type Assembly = 'copy into one reused buffer' | 'fresh buffer, not written' | 'copy into a fresh buffer';

/** A client socket connected to an accepted one over loopback; `onread` goes to the client. */
async function socketPair(onread?: { buffer: () => Uint8Array; callback: (bytes: number) => boolean }) {
  const listener = createServer();
  listener.listen({ host: '127.0.0.1', port: 0 });
  await once(listener, 'listening');
  const { port } = listener.address() as { port: number };
  const accepted = once(listener, 'connection') as Promise<[Socket]>;
  const client = connect({ host: '127.0.0.1', port, ...(onread === undefined ? {} : { onread }) });
  await once(client, 'connect');
  const [server] = await accepted;
  const close = async () => {
    client.destroy();
    server.destroy();
    await new Promise((resolve) => listener.close(resolve));
  };
  return { client, server, close };
}

/** Counts received bytes; `run` resolves once `frames` frames' worth arrived. */
function byteCounter() {
  let received = 0;
  let waiter: { bytes: number; resolve: () => void } | null = null;
  return {
    add(bytes: number) {
      received += bytes;
      if (waiter !== null && received >= waiter.bytes) waiter.resolve();
    },
    expect(bytes: number): Promise<void> {
      received = 0;
      return new Promise((resolve) => {
        waiter = { bytes, resolve };
      });
    },
  };
}

/** Writes `frames` copies of `payload`, waiting for 'drain', and waits for them to arrive. */
async function sendFrames(sender: Socket, payload: Buffer, frames: number, arrived: Promise<void>) {
  for (let index = 0; index < frames; index++) {
    if (!sender.write(payload)) await once(sender, 'drain');
  }
  await arrived;
  return frames;
}

/** A raw receiver that puts each frame's bytes into a buffer as `assembly` says. */
async function rawAssembler(assembly: Assembly | null, payload: Buffer, frames: number) {
  const pair = await socketPair();
  const counter = byteCounter();
  const reused = Buffer.allocUnsafe(FRAME);
  let frame: Buffer | null = null;
  let used = 0;
  pair.server.on('data', (chunk: Buffer) => {
    for (let from = 0; assembly !== null && from < chunk.length; ) {
      frame ??= assembly === 'copy into one reused buffer' ? reused : Buffer.allocUnsafe(FRAME);
      const take = Math.min(FRAME - used, chunk.length - from);
      if (assembly !== 'fresh buffer, not written') chunk.copy(frame, used, from, from + take);
      used += take;
      from += take;
      if (used === FRAME) {
        frame = null;
        used = 0;
      }
    }
    counter.add(chunk.length);
  });
  const contender: Contender = {
    name: assembly === null ? 'raw socket bytes' : `raw + ${assembly} per frame`,
    run: () => sendFrames(pair.client, payload, frames, counter.expect(frames * FRAME)),
  };
  return { contender, close: pair.close };
}

/** Reads straight into each frame's own fresh buffer (`onread` with a buffer per read). */
async function rawOnread(payload: Buffer, frames: number) {
  const counter = byteCounter();
  let frame = Buffer.allocUnsafe(FRAME);
  let used = 0;
  const pair = await socketPair({
    buffer: () => frame.subarray(used),
    callback: (bytes) => {
      used += bytes;
      if (used === FRAME) {
        frame = Buffer.allocUnsafe(FRAME);
        used = 0;
      }
      counter.add(bytes);
      return true;
    },
  });
  const contender: Contender = {
    name: "raw, read into each frame's fresh buffer (onread)",
    run: () => sendFrames(pair.server, payload, frames, counter.expect(frames * FRAME)),
  };
  return { contender, close: pair.close };
}

/** Wraps `contender` to count the minor page faults and GCs of its runs. */
function counted(contender: Contender, gcs: { count: number }) {
  const totals = { frames: 0, faults: 0, gcs: 0 };
  const run = async () => {
    const faults = process.resourceUsage().minorPageFault;
    const collections = gcs.count;
    const done = await contender.run();
    totals.faults += process.resourceUsage().minorPageFault - faults;
    totals.gcs += gcs.count - collections;
    totals.frames += done;
    return done;
  };
  return { contender: { name: contender.name, run }, totals };
}

export async function frameCosts(
  frames: number,
  log: (text: string) => void,
): Promise<{ contenders: Contender[]; close(): Promise<void> }> {
  const payload = Buffer.alloc(FRAME, 0x5a);
  const parts = [
    await rawAssembler(null, payload, frames),
    await rawAssembler('copy into one reused buffer', payload, frames),
    await rawAssembler('fresh buffer, not written', payload, frames),
    await rawAssembler('copy into a fresh buffer', payload, frames),
    await rawOnread(payload, frames),
  ];
  const channel = await benchConnections();
  const channelContender: Contender = {
    name: 'sockkit framed channel',
    async run() {
      const receiving = channel.channelReceives(frames);
      for (let index = 0; index < frames; index++) await channel.sender.send(payload);
      return (await receiving) / FRAME;
    },
  };
  const gcs = { count: 0 };
  const observer = new PerformanceObserver((list) => {
    gcs.count += list.getEntries().length;
  });
  observer.observe({ entryTypes: ['gc'] });
  const wrapped = [...parts.map((part) => part.contender), channelContender].map((c) => counted(c, gcs));
  return {
    contenders: wrapped.map(({ contender }) => contender),
    async close() {
      observer.disconnect();
      for (const { contender, totals } of wrapped) {
        const per = (value: number) => (value / totals.frames).toFixed(3);
        log(`  ${contender.name}: ${per(totals.faults)} minor page faults, ${per(totals.gcs)} GCs per frame`);
      }
      for (const part of parts) await part.close();
      await channel.close();
    },
  };
}
