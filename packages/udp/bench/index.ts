/**
 * @sockkit/udp benchmarks, one process: request/serve round trips against a raw node:dgram
 * ping-pong, and one-way receive through the endpoint's async iterator against raw 'message'
 * events. Each round runs the three contenders back to back; the table shows medians of the rates
 * and, as ratio, the median of the per-round ratios (load from other processes hits a round's
 * contenders alike, so paired ratios vary much less than the rates).
 *
 *   npm run bench            (about a minute)
 */
import type { Measured } from './common.ts';
import { coreReceiver, oneWay, rawReceiver, udpReceiver } from './one-way.ts';
import { coreRoundTrips, rawRoundTrips, udpRoundTrips } from './round-trips.ts';

const ROUNDS = 7;
const ROUND_MS = 1000;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

type Contender = 'raw' | 'core' | 'udp';

interface Case {
  readonly name: string;
  readonly goal: number;
  readonly run: Record<Contender, () => Promise<Measured>>;
}

const lost: Record<Contender, number> = { raw: 0, core: 0, udp: 0 };
const oneWayRun = (contender: Contender, receiver: Parameters<typeof oneWay>[0]) => async () => {
  const result = await oneWay(receiver);
  lost[contender] += result.lost;
  return result;
};

const cases: Case[] = [
  {
    name: 'round trips/s, 1 in flight',
    goal: 0.8,
    run: {
      raw: () => rawRoundTrips(1, ROUND_MS),
      core: () => coreRoundTrips(1, ROUND_MS),
      udp: () => udpRoundTrips(1, ROUND_MS),
    },
  },
  {
    name: 'round trips/s, 32 in flight',
    goal: 0.8,
    run: {
      raw: () => rawRoundTrips(32, ROUND_MS),
      core: () => coreRoundTrips(32, ROUND_MS),
      udp: () => udpRoundTrips(32, ROUND_MS),
    },
  },
  {
    name: 'one-way datagrams/s received',
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
  `node ${process.version}, ${ROUNDS} rounds, medians; udp / raw is the median of per-round ratios; 64-byte payloads\n`,
);
console.log(
  '| case | raw node:dgram | @sockkit/core DatagramSocket | @sockkit/udp | udp / raw | goal | udp / raw by CPU time per op |',
);
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const benchCase of cases) {
  const rates: Record<Contender, number[]> = { raw: [], core: [], udp: [] };
  const cpu: Record<Contender, number[]> = { raw: [], core: [], udp: [] };
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? (['raw', 'core', 'udp'] as const) : (['udp', 'core', 'raw'] as const);
    for (const contender of order) {
      const result = await withCpu(benchCase.run[contender]);
      rates[contender].push(result.rate);
      cpu[contender].push(result.cpuPerOp);
    }
  }
  const [raw, core, udp] = [median(rates.raw), median(rates.core), median(rates.udp)];
  const ratio = median(rates.udp.map((rate, round) => rate / rates.raw[round]!));
  const cpuRatio = median(cpu.raw) / median(cpu.udp);
  console.log(
    `| ${benchCase.name} | ${format(raw)} | ${format(core)} | ${format(udp)} | ${ratio.toFixed(2)}x | >= ${benchCase.goal}x ${ratio >= benchCase.goal ? 'met' : 'MISSED'} | ${cpuRatio.toFixed(2)}x |`,
  );
}
console.log(`\none-way datagrams lost in the kernel over all rounds: ${JSON.stringify(lost)}`);
