/**
 * sockkit vs raw node:net / node:dgram doing the same work, in one process:
 * - bulk: N MiB (default 1024) in 64 KiB chunks, sendAll/recv vs write+drain/'data';
 * - echo: 64-byte request/response round trips, median and p99 latency;
 * - udp: 64-byte datagram ping-pong round trips per second;
 * - tls: the bulk and echo cases over TLS 1.3, sockkit (createServer/createConnection with `tls`)
 *   vs raw node:tls (tls.createServer/tls.connect), a quarter of bulkMiB per bulk round;
 * - abort: 10,000 and 20,000 pending recv()s sharing one AbortSignal, started and then aborted
 *   (sockkit alone: each waiter must cost O(1), so 20,000 take about what 10,000 take, twice).
 * Contenders alternate in order each round; the table shows medians over rounds, and the median
 * of the per-round ratios.
 * Usage: npm run bench -- [bulkMiB=1024] [rounds=7] [cases=bulk,echo,udp,tls,abort]
 */

import { makeCertificates } from '@sockkit/testkit';
import { abortMany } from './abort.ts';
import { bulkRaw, bulkSockkit } from './bulk.ts';
import { echoRaw, echoSockkit } from './echo.ts';
import { tlsBulkRaw, tlsBulkSockkit, tlsEchoRaw, tlsEchoSockkit } from './tls.ts';
import { udpRaw, udpSockkit } from './udp.ts';

const bulkMiB = Number(process.argv[2] ?? 1024);
const rounds = Number(process.argv[3] ?? 7);
const cases = new Set((process.argv[4] ?? 'bulk,echo,udp,tls,abort').split(','));
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
const [bulk] = cases.has('bulk')
  ? await alternate(
      'bulk',
      rounds,
      () => bulkRaw(bulkMiB),
      () => bulkSockkit(bulkMiB),
      (mibPerSecond) => [mibPerSecond],
    )
  : [];
const [echoMedian, echoP99] = cases.has('echo')
  ? await alternate(
      'echo',
      SHORT_ROUNDS,
      () => echoRaw(ECHO_TRIPS),
      () => echoSockkit(ECHO_TRIPS),
      (latency) => [latency.median, latency.p99],
    )
  : [];
const [udp] = cases.has('udp')
  ? await alternate(
      'udp',
      SHORT_ROUNDS,
      () => udpRaw(UDP_TRIPS),
      () => udpSockkit(UDP_TRIPS),
      (tripsPerSecond) => [tripsPerSecond],
    )
  : [];
const certs = cases.has('tls') ? await makeCertificates() : undefined;
const tlsBulkMiB = Math.max(1, Math.round(bulkMiB / 4));
if (certs) {
  // TLS throughput climbs over the first runs of a process (JIT, OpenSSL's tables): one
  // uncounted run of each contender first, so round 1 does not favour whoever runs second.
  for (const warmUp of [tlsBulkRaw, tlsBulkSockkit]) await warmUp(certs, tlsBulkMiB);
}
const [tlsBulk] = certs
  ? await alternate(
      'tls bulk',
      rounds,
      () => tlsBulkRaw(certs, tlsBulkMiB),
      () => tlsBulkSockkit(certs, tlsBulkMiB),
      (mibPerSecond) => [mibPerSecond],
    )
  : [];
const [tlsEchoMedian, tlsEchoP99] = certs
  ? await alternate(
      'tls echo',
      SHORT_ROUNDS,
      () => tlsEchoRaw(certs, ECHO_TRIPS),
      () => tlsEchoSockkit(certs, ECHO_TRIPS),
      (latency) => [latency.median, latency.p99],
    )
  : [];
await certs?.[Symbol.asyncDispose]();

interface Goal {
  readonly ratio: number;
  /** Whether sockkit / raw must be at least `ratio` (throughput) or at most (latency). */
  readonly atLeast: boolean;
}

function row(name: string, unit: string, result: Rounds | undefined, goal: Goal): string | undefined {
  if (result === undefined) return undefined;
  const raw = median(result.raw);
  const ours = median(result.sockkit);
  // Each round runs both contenders back to back, so the median of per-round ratios cancels
  // most of the load other processes put on a shared machine.
  const ratio = median(result.sockkit.map((value, round) => value / (result.raw[round] ?? Number.NaN)));
  const digits = unit === 'µs' ? 1 : 0;
  const met = goal.atLeast ? ratio >= goal.ratio : ratio <= goal.ratio;
  const target = `${goal.atLeast ? '>=' : '<='} ${goal.ratio}x`;
  return `| ${name} | ${raw.toFixed(digits)} ${unit} | ${ours.toFixed(digits)} ${unit} | ${ratio.toFixed(2)}x | ${target}: ${met ? 'met' : 'missed'} |`;
}

console.log(
  `\nNode ${process.version}; medians of ${rounds} bulk rounds (${bulkMiB} MiB in 64 KiB chunks) and ${SHORT_ROUNDS} echo/UDP rounds (${ECHO_TRIPS} round trips)\n`,
);
console.log('| case | raw node | sockkit | sockkit / raw (median of rounds) | goal |');
console.log('| --- | --- | --- | --- | --- |');
const rows = [
  row('bulk throughput', 'MiB/s', bulk, { ratio: 0.9, atLeast: true }),
  row('64 B echo latency, median', 'µs', echoMedian, { ratio: 1.2, atLeast: false }),
  row('64 B echo latency, p99', 'µs', echoP99, { ratio: 1.2, atLeast: false }),
  row('UDP ping-pong', 'round trips/s', udp, { ratio: 0.8, atLeast: true }),
  row(`TLS 1.3 bulk throughput (${tlsBulkMiB} MiB), vs node:tls`, 'MiB/s', tlsBulk, {
    ratio: 0.95,
    atLeast: true,
  }),
  row('TLS 1.3 64 B echo latency, median, vs node:tls', 'µs', tlsEchoMedian, { ratio: 1.2, atLeast: false }),
  row('TLS 1.3 64 B echo latency, p99, vs node:tls', 'µs', tlsEchoP99, { ratio: 1.2, atLeast: false }),
];
for (const line of rows) if (line !== undefined) console.log(line);
if (cases.has('abort')) {
  console.log('\n| pending recv()s sharing one signal | start them (median) | abort them all (median) |');
  console.log('| --- | --- | --- |');
  for (const count of [10_000, 20_000]) {
    const runs: { start: number; abort: number }[] = [];
    for (let round = 0; round < rounds; round++) runs.push(await abortMany(count));
    const start = median(runs.map((run) => run.start));
    const abort = median(runs.map((run) => run.abort));
    console.log(`| ${count} | ${start.toFixed(1)} ms | ${abort.toFixed(1)} ms |`);
  }
}
console.log(`\ntotal ${((performance.now() - started) / 1000).toFixed(1)} s`);
