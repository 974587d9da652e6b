/**
 * `npm run bench`: the cases, each run through sockkit and its peers in one process,
 * contenders alternating within every round, medians of ROUNDS rounds (default 9).
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { ratioChartSvg } from '@sockkit/testkit';
import { encodeFrames, FrameFormats } from '../src/index.ts';
import { binaryMessage, encodeOnly, guardCost, sizes, textMessage } from './codec.ts';
import { decoders, encoders, iterableDecoders } from './contenders.ts';
import { echoBars, echoCase, echoRows } from './echo.ts';
import { frameCosts } from './frame-costs.ts';
import { type CaseResult, type Contender, formatCase, runCase } from './harness.ts';
import { smallMessages } from './small-messages.ts';
import { loopback } from './tcp.ts';

const rounds = Number(process.env.ROUNDS ?? 9);
/**
 * `CASES=decode,tcp npm run bench` runs only some groups: decode, encode, tcp (1 MiB frames),
 * tcpcosts (where the 1 MiB default path's time goes), small (32 B messages over TCP), codec, echo
 * (64 B round trips, two processes; writes ../echo-round-trip.svg).
 */
const only = new Set((process.env.CASES ?? 'decode,encode,tcp,tcpcosts,small,codec,echo').split(','));
/** The counts; TCP and codec runs are sized to take about 0.1-0.2 s each. */
const counts = {
  smallFrames: 1_000_000,
  byteAtATimeFrames: 100_000,
  largeFrames: 1_000,
  iterableFrames: 300_000,
  encodedFrames: 1_000_000,
  tcpFrames: 256,
  smallMessages: 1_000_000,
  codecRoundTrips: 50_000,
  echoTrips: 10_000,
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
  /** Its bar's label in the chart (bench-results.svg); goals without one are not charted. */
  readonly label?: string;
}

const results: { result: CaseResult; baseline: string }[] = [];
const goals: Goal[] = [];
const started = Date.now();
const log = (text: string) =>
  process.stderr.write(`${((Date.now() - started) / 1000).toFixed(1)} s ${text}\n`);

async function decodeCases(): Promise<void> {
  const cases = [
    { title: 'decode 32 B frames, 64 KiB chunks', count: counts.smallFrames, size: 32, chunk: CHUNK },
    { title: 'decode 32 B frames, 1 byte at a time', count: counts.byteAtATimeFrames, size: 32, chunk: 1 },
    { title: 'decode 1 MiB frames, 64 KiB chunks', count: counts.largeFrames, size: MiB, chunk: CHUNK },
  ];
  /** [contender, against, ratio, chart label]: `push()` is the API the README shows; `pushEach` (no view per frame) is reported beside it. */
  const goalsOf: Record<string, [string, string, number, string?][]> = {
    [cases[0]!.title]: [
      ['sockkit push', 'it-length-prefixed', 8, 'decode 32 B: push() / it-l-p'],
      ['sockkit pushEach', 'it-length-prefixed', 0],
      ['sockkit pushEach', 'length-prefixed-stream', 1.5],
    ],
    [cases[1]!.title]: [['sockkit pushEach', 'it-length-prefixed', 3]],
    [cases[2]!.title]: [['sockkit pushEach', 'it-length-prefixed', 1.5]],
  };
  for (const { title, count, size, chunk } of cases) {
    const { wire } = frames(count, size);
    const result = await runCase(title, 'frames', count, decoders(cut(wire, chunk)), rounds);
    results.push({ result, baseline: 'it-length-prefixed' });
    for (const [contender, against, ratio, label] of goalsOf[title]!) {
      goals.push({ result, contender, against, ratio, ...(label === undefined ? {} : { label }) });
    }
    log(`done: ${title}`);
  }
  const title = 'decode 32 B frames, async iterable of 64 KiB chunks';
  const { wire } = frames(counts.iterableFrames, 32);
  const chunks = cut(wire, CHUNK);
  const result = await runCase(title, 'frames', counts.iterableFrames, iterableDecoders(chunks), rounds);
  results.push({ result, baseline: 'it-length-prefixed' });
  log(`done: ${title}`);
}

async function encodeCase(): Promise<void> {
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

/**
 * glibc settings that keep freed 1 MiB blocks in the heap instead of returning them to the OS
 * (so a fresh frame buffer is not page-faulted in again): the 1 MiB case runs once without them
 * and once, in a child process, with them.
 */
const TUNABLES = 'glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=268435456';
const tuned = process.env.GLIBC_TUNABLES === TUNABLES;

/** The 1 MiB groups (tcp, tcpcosts), then the same again in a child process with {@link TUNABLES}. */
async function tcpCases(): Promise<void> {
  const suffix = tuned ? ', glibc tunables' : '';
  if (only.has('tcp')) {
    await connectionCase(`1 MiB frames over TCP loopback${suffix}`, 'MiB', counts.tcpFrames, loopback, [
      {
        contender: 'sockkit framed channel, piecesFrom',
        ratio: 0.95,
        label: `1 MiB: piecesFrom / raw${suffix}`,
      },
      { contender: 'sockkit framed channel', ratio: 0.9, label: `1 MiB: default / raw${suffix}` },
    ]);
    log(`done: TCP 1 MiB frames${suffix}`);
  }
  if (only.has('tcpcosts')) {
    log(`TCP 1 MiB frames, costs${suffix}: minor page faults and GCs per frame, warm-up included`);
    const costs = (count: number) => frameCosts(count, log);
    await connectionCase(`1 MiB frames, costs of the copy${suffix}`, 'MiB', counts.tcpFrames, costs, []);
    log(`done: TCP 1 MiB frames, costs${suffix}`);
  }
  if (!tuned) await tunedChild();
}

/** Runs the 1 MiB groups again in a child process with {@link TUNABLES}, and takes its results. */
async function tunedChild(): Promise<void> {
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    env: {
      ...process.env,
      GLIBC_TUNABLES: TUNABLES,
      CASES: ['tcp', 'tcpcosts'].filter((group) => only.has(group)).join(','),
      BENCH_JSON: '1',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk;
  });
  const code = await new Promise((resolve) => child.once('close', resolve));
  if (code !== 0) throw new Error(`the glibc tunables run exited with ${code}`);
  const parsed = JSON.parse(output) as {
    results: { result: Omit<CaseResult, 'medians'> & { medians: [string, number][] }; baseline: string }[];
    goals: (Omit<Goal, 'result'> & { title: string })[];
  };
  const byTitle = new Map<string, CaseResult>();
  for (const { result, baseline } of parsed.results) {
    const rebuilt = { ...result, medians: new Map(result.medians) };
    byTitle.set(rebuilt.title, rebuilt);
    results.push({ result: rebuilt, baseline });
  }
  for (const { title, ...goal } of parsed.goals) goals.push({ ...goal, result: byTitle.get(title)! });
}

async function smallMessagesCase(): Promise<void> {
  await connectionCase('32 B messages over TCP loopback', 'msgs', counts.smallMessages, smallMessages, [
    { contender: 'send() per message, batches()', ratio: 0.4, label: '32 B: send() + batches() / raw' },
    { contender: 'send() per message, for await', ratio: 0, label: '32 B: send() + for await / raw' },
  ]);
  log('done: TCP 32 B messages');
}

/** One TCP case: its connections made for the case, raw socket bytes as the baseline. */
async function connectionCase(
  title: string,
  unit: string,
  count: number,
  make: (count: number) => Promise<{ contenders: Contender[]; close(): Promise<void> }>,
  goalsOfCase: readonly { contender: string; ratio: number; label?: string }[],
): Promise<void> {
  const tcp = await make(count);
  try {
    const result = await runCase(title, unit, count, tcp.contenders, rounds);
    results.push({ result, baseline: 'raw socket bytes' });
    for (const goal of goalsOfCase) goals.push({ result, ...goal, against: 'raw socket bytes' });
  } finally {
    await tcp.close();
  }
}

async function codecCases(): Promise<void> {
  const times = counts.codecRoundTrips;
  const unguarded = 'msgpackr + zod (no guards)';
  const a = await runCase('(a) ~100 B message, guards on/off', 'msgs', times, guardCost(times), rounds);
  results.push({ result: a, baseline: unguarded });
  goals.push({ result: a, contender: 'sockkit createCodec', against: unguarded, ratio: 1.3, atMost: true });
  const b = await runCase('(b) 4 KiB binary field', 'msgs', times, binaryMessage(times), rounds);
  results.push({ result: b, baseline: 'JSON + base64 + zod' });
  goals.push({ result: b, contender: 'sockkit createCodec', against: 'JSON + base64 + zod', ratio: 3 });
  const c = await runCase('(c) ~100 B text-only message', 'msgs', times, textMessage(times), rounds);
  results.push({ result: c, baseline: 'JSON + zod' });
  goals.push({ result: c, contender: 'sockkit createCodec', against: 'JSON + zod', ratio: 0 });
  goals.push({ result: c, contender: 'sockkit createCodec records', against: 'JSON + zod', ratio: 0 });
  const d = await runCase(
    '(d) ~100 B message, encode only',
    'msgs',
    4 * times,
    encodeOnly(4 * times),
    rounds,
  );
  results.push({ result: d, baseline: 'msgpackr pack' });
  goals.push({ result: d, contender: 'sockkit createCodec encode', against: 'msgpackr pack', ratio: 0 });
  log('done: codec');
}

/** The echo goal: framed at most this many times raw node:net's median and p99. */
const ECHO_GOAL = 1.2;
const echoLines: string[] = [];

async function echoCases(): Promise<void> {
  const title = '64 B echo round trip, two processes';
  const result = await echoCase(rounds, counts.echoTrips);
  const svg = ratioChartSvg({
    title: 'Framed 64 B echo round trip over TCP loopback (two processes)',
    caption: `speed vs raw node:net echo (raw latency / latency), ${rounds} rounds of ${counts.echoTrips} trips`,
    bars: echoBars(result, ECHO_GOAL),
  });
  writeFileSync(new URL('../echo-round-trip.svg', import.meta.url), svg);
  const framed = result.figures.get('sockkit framed')!;
  const raw = result.figures.get('raw node:net')!;
  const goal = (what: 'median' | 'p99') => {
    const cost = framed[what] / raw[what];
    return `| ${title}: sockkit framed vs raw node:net, ${what} <= ${ECHO_GOAL}x | ${cost.toFixed(2)}x | ${cost <= ECHO_GOAL ? 'yes' : 'no'} |`;
  };
  echoLines.push(
    '',
    '| case | contender | median µs | p99 µs | median vs raw | p99 vs raw | CPU µs per trip (both processes) | CPU vs raw |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...echoRows(result, title),
    '',
    '| goal | measured | met |',
    '| --- | ---: | :---: |',
    goal('median'),
    goal('p99'),
  );
  log('done: echo');
}

async function main(): Promise<void> {
  log(`rounds: ${rounds}; counts: ${JSON.stringify(counts)}`);
  if (only.has('decode')) await decodeCases();
  if (only.has('encode')) await encodeCase();
  if (only.has('tcp') || only.has('tcpcosts')) await tcpCases();
  if (only.has('small')) await smallMessagesCase();
  if (only.has('codec')) await codecCases();
  if (only.has('echo')) await echoCases();
  if (process.env.BENCH_JSON) {
    console.log(
      JSON.stringify({
        results: results.map(({ result, baseline }) => ({
          result: { ...result, medians: [...result.medians] },
          baseline,
        })),
        goals: goals.map(({ result, ...goal }) => ({ ...goal, title: result.title })),
      }),
    );
    return;
  }
  if (only.has('decode') && only.has('tcp') && only.has('small')) writeChart();

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
    ...echoLines,
  ];
  console.log(lines.join('\n'));
}

/** The charted goals as bench-results.svg beside the README, from this run's medians. */
function writeChart(): void {
  const bars = goals
    .filter((goal) => goal.label !== undefined)
    .map((goal) => ({
      label: goal.label!,
      ratio: goal.result.medians.get(goal.against)! / goal.result.medians.get(goal.contender)!,
      ...(goal.ratio > 0 ? { goal: goal.ratio } : {}),
    }));
  const svg = ratioChartSvg({
    title: `@sockkit/framing: throughput ratios (Node ${process.version}, medians of ${rounds})`,
    caption:
      'sockkit / baseline, the same output both sides; raw = a plain net socket, it-l-p = it-length-prefixed',
    bars,
  });
  writeFileSync(new URL('../bench-results.svg', import.meta.url), svg);
  log('wrote bench-results.svg');
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
