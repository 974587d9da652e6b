/**
 * @sockkit/udp benchmarks, one process: request/serve round trips against a raw node:dgram
 * ping-pong, and one-way receive through the endpoint's async iterator against raw 'message'
 * events. Each round runs the contenders in short slices, interleaved in alternating order; the
 * table shows medians of the rates and, as ratio, the median of the per-round ratios (load from
 * other processes hits a round's contenders alike, so paired ratios vary much less than the
 * rates). It writes the ratios as a chart, `benchmark.svg` beside the README.
 *
 *   npm run bench            (about three minutes)
 */
import { writeFileSync } from 'node:fs';
import { type RatioBar, ratioChartSvg } from '@sockkit/testkit';
import type { Measured } from './common.ts';
import { coreReceiver, oneWay, rawReceiver, udpReceiver } from './one-way.ts';
import { coreRoundTrips, rawRoundTrips, udpRoundTrips } from './round-trips.ts';

const ROUNDS = 9;
/** Each round runs every contender in this many short slices, interleaved, so a burst of load from another process hits the contenders of a round alike. */
const SLICES = 4;
const ROUND_MS = 250;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;

type Contender = 'raw' | 'rawCallback' | 'core' | 'udp';

interface Case {
  readonly name: string;
  /** The chart's label: what of udp's is measured against what of raw node:dgram. */
  readonly chart: string;
  readonly goal: number;
  /** `rawCallback`: the raw echo with a no-op callback on every send (round trips only). */
  readonly run: Record<Exclude<Contender, 'rawCallback'>, () => Promise<Measured>> & {
    readonly rawCallback?: () => Promise<Measured>;
  };
}

/** The send callback of the `rawCallback` contender. */
const ignoreSent = () => {};

const lost: Record<Contender, number> = { raw: 0, rawCallback: 0, core: 0, udp: 0 };
const oneWayRun = (contender: Contender, receiver: Parameters<typeof oneWay>[0]) => async () => {
  const result = await oneWay(receiver);
  lost[contender] += result.lost;
  return result;
};

const cases: Case[] = [
  {
    name: 'round trips/s, 1 in flight',
    chart: 'request/serve vs raw ping-pong, 1 in flight',
    goal: 0.8,
    run: {
      raw: () => rawRoundTrips(1, ROUND_MS),
      rawCallback: () => rawRoundTrips(1, ROUND_MS, ignoreSent),
      core: () => coreRoundTrips(1, ROUND_MS),
      udp: () => udpRoundTrips(1, ROUND_MS),
    },
  },
  {
    name: 'round trips/s, 32 in flight',
    chart: 'request/serve vs raw ping-pong, 32 in flight',
    goal: 0.8,
    run: {
      raw: () => rawRoundTrips(32, ROUND_MS),
      rawCallback: () => rawRoundTrips(32, ROUND_MS, ignoreSent),
      core: () => coreRoundTrips(32, ROUND_MS),
      udp: () => udpRoundTrips(32, ROUND_MS),
    },
  },
  {
    name: 'one-way datagrams/s received',
    chart: "receive via the iterator vs raw 'message'",
    goal: 0.9,
    run: {
      raw: oneWayRun('raw', rawReceiver),
      core: oneWayRun('core', coreReceiver),
      udp: oneWayRun('udp', udpReceiver),
    },
  },
];

/** Runs `run` and also reports the process CPU time (user + system) per operation, in µs. */
async function withCpu(run: () => Promise<Measured>): Promise<{ rate: number; cpuPerOp: number }> {
  const before = process.cpuUsage();
  const { rate, ops } = await run();
  const cpu = process.cpuUsage(before);
  return { rate, cpuPerOp: (cpu.user + cpu.system) / ops };
}

const format = (value: number) => Math.round(value).toLocaleString('en-US');
console.log(
  `node ${process.version}, ${ROUNDS} rounds of ${SLICES} interleaved slices, medians; udp / raw is the median of per-round ratios; 64-byte payloads\n`,
);
console.log(
  '| case | raw node:dgram | raw, sends with a callback | @sockkit/core DatagramSocket | @sockkit/udp | raw with callbacks / raw | udp / raw | goal | udp / raw by CPU time per op |',
);
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
/** The median of the per-round ratios of `ours` to `raw`. */
const pairedRatio = (ours: number[], raw: number[]) => median(ours.map((rate, round) => rate / raw[round]!));
const bars: RatioBar[] = [];
for (const benchCase of cases) {
  const rates: Record<Contender, number[]> = { raw: [], rawCallback: [], core: [], udp: [] };
  const cpu: Record<Contender, number[]> = { raw: [], rawCallback: [], core: [], udp: [] };
  const contenders = (['raw', 'rawCallback', 'core', 'udp'] as const).filter(
    (contender) => benchCase.run[contender] !== undefined,
  );
  for (let round = 0; round < ROUNDS; round++) {
    const slices: Record<Contender, { rate: number; cpuPerOp: number }[]> = {
      raw: [],
      rawCallback: [],
      core: [],
      udp: [],
    };
    for (let slice = 0; slice < SLICES; slice++) {
      const order = slice % 2 === 0 ? contenders : [...contenders].reverse();
      for (const contender of order) slices[contender].push(await withCpu(benchCase.run[contender]!));
    }
    for (const contender of contenders) {
      rates[contender].push(mean(slices[contender].map((slice) => slice.rate)));
      cpu[contender].push(mean(slices[contender].map((slice) => slice.cpuPerOp)));
    }
  }
  const withCallback = rates.rawCallback.length === 0 ? undefined : rates.rawCallback;
  const ratio = pairedRatio(rates.udp, rates.raw);
  const cpuRatio = median(cpu.raw) / median(cpu.udp);
  bars.push({ label: benchCase.chart, ratio, goal: benchCase.goal });
  console.log(
    `| ${benchCase.name} | ${format(median(rates.raw))} | ${withCallback ? format(median(withCallback)) : '-'} | ${format(median(rates.core))} | ${format(median(rates.udp))} | ${withCallback ? `${pairedRatio(withCallback, rates.raw).toFixed(2)}x` : '-'} | ${ratio.toFixed(2)}x | >= ${benchCase.goal}x ${ratio >= benchCase.goal ? 'met' : 'MISSED'} | ${cpuRatio.toFixed(2)}x |`,
  );
}
console.log(`\none-way datagrams lost in the kernel over all rounds: ${JSON.stringify(lost)}`);

const chart = new URL('../benchmark.svg', import.meta.url);
writeFileSync(
  chart,
  ratioChartSvg({
    title: '@sockkit/udp vs raw node:dgram (rate ratio, higher is better)',
    caption: `loopback, 64-byte payloads, one process, median of ${ROUNDS} paired rounds, node ${process.version}`,
    bars,
  }),
);
console.log(`chart written to ${chart.pathname}`);
