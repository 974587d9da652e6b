/**
 * `npm run bench`: the cases, each run through sockkit and its peers in one process,
 * contenders alternating within every round, medians of ROUNDS rounds (default 9).
 */
import { encodeFrames, FrameFormats } from '../src/index.ts';
import { binaryMessage, guardCost, sizes, textMessage } from './codec.ts';
import { decoders, encoders } from './contenders.ts';
import { type CaseResult, formatCase, runCase } from './harness.ts';
import { loopback } from './tcp.ts';

const rounds = Number(process.env.ROUNDS ?? 9);
/** Counts scaled down from the where a full-size round would push the run past ~4 minutes. */
const counts = {
  smallFrames: 1_000_000,
  byteAtATimeFrames: Number(process.env.BYTE_FRAMES ?? 20_000),
  largeFrames: Number(process.env.LARGE_FRAMES ?? 200),
  encodedFrames: 1_000_000,
  tcpFrames: 128,
  codecRoundTrips: 50_000,
};

const CHUNK = 64 * 1024;
const MiB = 1024 * 1024;

function frames(count: number, size: number): { payloads: Uint8Array[]; wire: Uint8Array } {
  const source = Uint8Array.from({ length: size }, (_, index) => index & 0xff);
  const payloads = Array.from({ length: count }, () => source);
  return { payloads, wire: encodeFrames(payloads, FrameFormats.varint) };
}

function cut(wire: Uint8Array, size: number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < wire.length; at += size) chunks.push(wire.subarray(at, at + size));
  return chunks;
}

interface Goal {
  readonly result: CaseResult;
  readonly contender: string;
  readonly against: string;
  /** The ratio required: contender at least this many times as fast (or, with `atMost`, no slower than this factor). */
  readonly ratio: number;
  readonly atMost?: boolean;
}

const results: { result: CaseResult; baseline: string }[] = [];
const goals: Goal[] = [];
const started = Date.now();
const log = (text: string) =>
  process.stderr.write(`${((Date.now() - started) / 1000).toFixed(1)} s ${text}\n`);

async function main(): Promise<void> {
  log(`rounds: ${rounds}; counts: ${JSON.stringify(counts)}`);

  {
    const { wire } = frames(counts.smallFrames, 32);
    const result = await runCase(
      'decode 32 B frames, 64 KiB chunks',
      'frames',
      counts.smallFrames,
      decoders(cut(wire, CHUNK)),
      rounds,
    );
    results.push({ result, baseline: 'it-length-prefixed' });
    goals.push({ result, contender: 'sockkit pushEach', against: 'it-length-prefixed', ratio: 8 });
    goals.push({ result, contender: 'sockkit pushEach', against: 'length-prefixed-stream', ratio: 1.5 });
    log('done: 32 B frames');
  }
  {
    const { wire } = frames(counts.byteAtATimeFrames, 32);
    const result = await runCase(
      'decode 32 B frames, 1 byte at a time',
      'frames',
      counts.byteAtATimeFrames,
      decoders(cut(wire, 1)),
      rounds,
    );
    results.push({ result, baseline: 'it-length-prefixed' });
    goals.push({ result, contender: 'sockkit pushEach', against: 'it-length-prefixed', ratio: 3 });
    log('done: one byte at a time');
  }
  {
    const { wire } = frames(counts.largeFrames, MiB);
    const result = await runCase(
      'decode 1 MiB frames, 64 KiB chunks',
      'frames',
      counts.largeFrames,
      decoders(cut(wire, CHUNK)),
      rounds,
    );
    results.push({ result, baseline: 'it-length-prefixed' });
    goals.push({ result, contender: 'sockkit pushEach', against: 'it-length-prefixed', ratio: 1.5 });
    log('done: 1 MiB frames');
  }
  {
    const { payloads } = frames(counts.encodedFrames, 32);
    const result = await runCase(
      'encode 32 B frames',
      'frames',
      counts.encodedFrames,
      encoders(payloads),
      rounds,
    );
    results.push({ result, baseline: 'it-length-prefixed' });
    goals.push({ result, contender: 'sockkit encodeFrames', against: 'it-length-prefixed', ratio: 4 });
    log('done: encode');
  }
  {
    const tcp = await loopback(counts.tcpFrames);
    try {
      const result = await runCase(
        '1 MiB frames over TCP loopback',
        'MiB',
        counts.tcpFrames,
        tcp.contenders,
        rounds,
      );
      results.push({ result, baseline: 'raw socket bytes' });
      goals.push({ result, contender: 'sockkit framed channel', against: 'raw socket bytes', ratio: 0.85 });
    } finally {
      await tcp.close();
    }
    log('done: TCP');
  }
  {
    const times = counts.codecRoundTrips;
    const a = await runCase('(a) ~100 B message, guards on/off', 'msgs', times, guardCost(times), rounds);
    results.push({ result: a, baseline: 'msgpackr + zod (no guards)' });
    goals.push({
      result: a,
      contender: 'sockkit createCodec',
      against: 'msgpackr + zod (no guards)',
      ratio: 1.3,
      atMost: true,
    });
    const b = await runCase('(b) 4 KiB binary field', 'msgs', times, binaryMessage(times), rounds);
    results.push({ result: b, baseline: 'JSON + base64 + zod' });
    goals.push({ result: b, contender: 'sockkit createCodec', against: 'JSON + base64 + zod', ratio: 3 });
    const c = await runCase('(c) ~100 B text-only message', 'msgs', times, textMessage(times), rounds);
    results.push({ result: c, baseline: 'JSON + zod' });
    goals.push({ result: c, contender: 'sockkit createCodec', against: 'JSON + zod', ratio: 0 });
    goals.push({ result: c, contender: 'sockkit createCodec records', against: 'JSON + zod', ratio: 0 });
    log('done: codec');
  }

  const lines = [
    `Node ${process.version}, ${rounds} rounds, medians; contenders alternate within each round.`,
    '',
    '| case | contender | median ms | throughput | vs baseline |',
    '| --- | --- | ---: | ---: | ---: |',
    ...results.flatMap(({ result, baseline }) => formatCase(result, baseline)),
    '',
    '| goal | measured | met |',
    '| --- | ---: | :---: |',
    ...goals.map(formatGoal),
    '',
    `Encoded sizes (bytes): ${JSON.stringify(sizes())}`,
  ];
  console.log(lines.join('\n'));
}

function formatGoal({ result, contender, against, ratio, atMost }: Goal): string {
  const speedup = result.medians.get(against)! / result.medians.get(contender)!;
  const title = `${result.title}: ${contender} vs ${against}`;
  if (atMost) {
    const cost = 1 / speedup;
    return `| ${title}: cost <= ${ratio}x | ${cost.toFixed(2)}x | ${cost <= ratio ? 'yes' : 'no'} |`;
  }
  if (ratio === 0) return `| ${title} (reported) | ${speedup.toFixed(2)}x | - |`;
  return `| ${title} >= ${ratio}x | ${speedup.toFixed(2)}x | ${speedup >= ratio ? 'yes' : 'no'} |`;
}

await main();
