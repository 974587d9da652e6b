/**
 * sockkit vs raw node:net / node:dgram doing the same work, in one process:
 * - bulk: N MiB (default 1024) in 64 KiB chunks, sendAll/recv vs write+drain/'data';
 * - echo: 64-byte request/response round trips, median and p99 latency;
 * - udp: 64-byte datagram ping-pong round trips per second.
 * Contenders alternate in order each round; the table shows medians over rounds.
 * Usage: npm run bench -- [bulkMiB] [rounds]
 */
import { bulkRaw, bulkSockkit } from './bulk.ts';
import { echoRaw, echoSockkit } from './echo.ts';
import { udpRaw, udpSockkit } from './udp.ts';

const bulkMiB = Number(process.argv[2] ?? 1024);
const rounds = Number(process.argv[3] ?? 7);
/** Short, many rounds for the per-message cases, so noise from other processes hits both contenders alike. */
const SHORT_ROUNDS = rounds * 3;
const ECHO_TRIPS = 10_000;
const UDP_TRIPS = 10_000;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

interface Rounds {
  raw: number[];
  sockkit: number[];
}

async function alternate<T>(
  name: string,
  rounds: number,
  raw: () => Promise<T>,
  sockkit: () => Promise<T>,
  pick: (result: T) => number[],
): Promise<Rounds[]> {
  const results: { raw: T[]; sockkit: T[] } = { raw: [], sockkit: [] };
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? (['raw', 'sockkit'] as const) : (['sockkit', 'raw'] as const);
    for (const who of order) results[who].push(await (who === 'raw' ? raw() : sockkit()));
    process.stderr.write(`${name} round ${round + 1}/${rounds} done\n`);
  }
  const metrics = pick(results.raw[0] as T).length;
  return Array.from({ length: metrics }, (_, i) => ({
    raw: results.raw.map((result) => pick(result)[i] ?? Number.NaN),
    sockkit: results.sockkit.map((result) => pick(result)[i] ?? Number.NaN),
  }));
}

const started = performance.now();
const [bulk] = await alternate(
  'bulk',
  rounds,
  () => bulkRaw(bulkMiB),
  () => bulkSockkit(bulkMiB),
  (mibPerSecond) => [mibPerSecond],
);
const [echoMedian, echoP99] = await alternate(
  'echo',
  SHORT_ROUNDS,
  () => echoRaw(ECHO_TRIPS),
  () => echoSockkit(ECHO_TRIPS),
  (latency) => [latency.median, latency.p99],
);
const [udp] = await alternate(
  'udp',
  SHORT_ROUNDS,
  () => udpRaw(UDP_TRIPS),
  () => udpSockkit(UDP_TRIPS),
  (tripsPerSecond) => [tripsPerSecond],
);

const row = (
  name: string,
  unit: string,
  rounds: Rounds | undefined,
  goal: string,
  higherIsBetter: boolean,
) => {
  const raw = median(rounds?.raw ?? []);
  const ours = median(rounds?.sockkit ?? []);
  const ratio = ours / raw;
  const digits = unit === 'µs' ? 1 : 0;
  return `| ${name} | ${raw.toFixed(digits)} ${unit} | ${ours.toFixed(digits)} ${unit} | ${ratio.toFixed(2)}x | ${goal} ${higherIsBetter ? (ratio >= Number(goal.slice(3, -1)) ? 'met' : 'missed') : ratio <= Number(goal.slice(3, -1)) ? 'met' : 'missed'} |`;
};

console.log(
  `\nNode ${process.version}; medians of ${rounds} bulk rounds (${bulkMiB} MiB in 64 KiB chunks) and ${SHORT_ROUNDS} echo/UDP rounds (${ECHO_TRIPS} round trips)\n`,
);
console.log('| case | raw node | sockkit | sockkit / raw | goal |');
console.log('| --- | --- | --- | --- | --- |');
console.log(row('bulk throughput', 'MiB/s', bulk, '>= 0.9x', true));
console.log(row('64 B echo latency, median', 'µs', echoMedian, '<= 1.2x', false));
console.log(row('64 B echo latency, p99', 'µs', echoP99, '<= 1.2x', false));
console.log(row('UDP ping-pong', 'round trips/s', udp, '>= 0.8x', true));
console.log(`\ntotal ${((performance.now() - started) / 1000).toFixed(1)} s`);
