/**
 * Where the default path's time goes for 1 MiB frames: raw sockets carrying the same bytes, each
 * doing one part of what the channel does to a frame (copy it, allocate its own buffer, both),
 * beside the channel itself, and the read straight into each frame's buffer that `net`'s
 * `onread` option allows. Only a connecting socket takes `onread` (`net.Server` ignores it), so
 * that contender alone sends from the accepted socket to the client; and as it reads no length
 * header (it knows every frame is 1 MiB), it is an upper bound for a decoder reading that way.
 * Each contender's minor page faults and GCs per frame are logged to stderr, as they explain the
 * times. Every contender returns the frames that arrived (raw: received bytes / 1 MiB).
 */
import { PerformanceObserver } from 'node:perf_hooks';
import type { Contender } from './harness.ts';
import { arrivalCounter, channelConnections, channelContender, connectedPair, sendFrames } from './tcp.ts';

const FRAME = 1024 * 1024;

/** What a raw receiver does with each frame's bytes as its chunks arrive. */
type Assembly =
  | 'copy into one reused buffer'
  | 'fresh buffer per frame, not written'
  | 'copy into a fresh buffer per frame';

/** Raw socket bytes: counts the bytes received and returns them in frames. */
async function rawBytes(payload: Buffer, frames: number) {
  const pair = await connectedPair();
  const received = arrivalCounter();
  pair.server.on('data', (chunk: Buffer) => received.add(chunk.length));
  const contender: Contender = {
    name: 'raw socket bytes',
    run: async () =>
      (await sendFrames(pair.client, payload, frames, received.expect(frames * FRAME))) / FRAME,
  };
  return { contender, close: pair.close };
}

/** A raw receiver that puts each frame's bytes into a buffer as `assembly` says, counting completed frames. */
async function rawAssembler(assembly: Assembly, payload: Buffer, frames: number) {
  const pair = await connectedPair();
  const completed = arrivalCounter();
  const reused = Buffer.allocUnsafe(FRAME);
  let frame: Buffer | null = null;
  let used = 0;
  pair.server.on('data', (chunk: Buffer) => {
    for (let from = 0; from < chunk.length; ) {
      frame ??= assembly === 'copy into one reused buffer' ? reused : Buffer.allocUnsafe(FRAME);
      const take = Math.min(FRAME - used, chunk.length - from);
      if (assembly !== 'fresh buffer per frame, not written') chunk.copy(frame, used, from, from + take);
      used += take;
      from += take;
      if (used === FRAME) {
        frame = null;
        used = 0;
        completed.add(1);
      }
    }
  });
  const contender: Contender = {
    name: `raw + ${assembly}`,
    run: () => sendFrames(pair.client, payload, frames, completed.expect(frames)),
  };
  return { contender, close: pair.close };
}

/**
 * Reads straight into each frame's own fresh buffer (`onread` with a buffer per read): the
 * accepted socket sends, the client reads, and no length header is read (an upper bound).
 */
async function rawOnread(payload: Buffer, frames: number) {
  const completed = arrivalCounter();
  let frame = Buffer.allocUnsafe(FRAME);
  let used = 0;
  const pair = await connectedPair({
    buffer: () => frame.subarray(used),
    callback: (bytes) => {
      used += bytes;
      if (used === FRAME) {
        frame = Buffer.allocUnsafe(FRAME);
        used = 0;
        completed.add(1);
      }
      return true;
    },
  });
  const contender: Contender = {
    name: 'raw, onread into a fresh buffer per frame',
    run: () => sendFrames(pair.server, payload, frames, completed.expect(frames)),
  };
  return { contender, close: pair.close };
}

/**
 * Counts GCs: the observer gets `gc` entries some time after each collection, so `count()` first
 * lets pending callbacks run (one `setImmediate`), then takes the entries not yet delivered.
 */
function gcCounter() {
  let collections = 0;
  const observer = new PerformanceObserver((list) => {
    collections += list.getEntries().length;
  });
  observer.observe({ entryTypes: ['gc'] });
  return {
    async count(): Promise<number> {
      await new Promise((resolve) => setImmediate(resolve));
      collections += observer.takeRecords().length;
      return collections;
    },
    stop: () => observer.disconnect(),
  };
}

/** Wraps `contender` to count the minor page faults and GCs of its runs. */
function counted(contender: Contender, gcs: ReturnType<typeof gcCounter>) {
  const totals = { frames: 0, faults: 0, gcs: 0 };
  const run = async () => {
    const collections = await gcs.count();
    const faults = process.resourceUsage().minorPageFault;
    const done = await contender.run();
    totals.faults += process.resourceUsage().minorPageFault - faults;
    totals.gcs += (await gcs.count()) - collections;
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
    await rawBytes(payload, frames),
    await rawAssembler('copy into one reused buffer', payload, frames),
    await rawAssembler('fresh buffer per frame, not written', payload, frames),
    await rawAssembler('copy into a fresh buffer per frame', payload, frames),
    await rawOnread(payload, frames),
  ];
  const channel = await channelConnections();
  const contenders = [
    ...parts.map((part) => part.contender),
    channelContender('sockkit framed channel', channel, payload, frames),
  ];
  const gcs = gcCounter();
  const wrapped = contenders.map((contender) => counted(contender, gcs));
  return {
    contenders: wrapped.map(({ contender }) => contender),
    async close() {
      gcs.stop();
      for (const { contender, totals } of wrapped) {
        const per = (value: number) => (value / totals.frames).toFixed(3);
        log(`  ${contender.name}: ${per(totals.faults)} minor page faults, ${per(totals.gcs)} GCs per frame`);
      }
      for (const part of parts) await part.close();
      await channel.close();
    },
  };
}
