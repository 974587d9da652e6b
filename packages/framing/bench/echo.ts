/**
 * Framed 64 B echo round trips over TCP loopback, two processes: this process is the client, a
 * child process (echo-server.ts) the server. Contenders: raw node:net (the server writes back
 * each 'data' chunk, the client sends the next message when 64 bytes came back), sockkit framed
 * (a `framed()` channel over a `@sockkit/core` socket on both sides: `send`, then the iterator's
 * next message), and for reference a blocking Python pair (recv/sendall, both sides Python).
 * No-delay everywhere. Every round runs each contender once, in an order that rotates; each run
 * is `trips` round trips after a warm-up, summarised as its median and p99; the figures are the
 * medians over the rounds. For the Node contenders it also reports the CPU time of both processes
 * per round trip (process.cpuUsage, user + system), which a loaded machine inflates far less than
 * latency.
 */
import { type ChildProcess, execFile, fork, spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createConnection } from '@sockkit/core';
import type { RatioBar } from '@sockkit/testkit';
import { framed } from '../src/index.ts';

const SIZE = 64;
const message = new Uint8Array(SIZE).fill(1);
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const run = promisify(execFile);

/** Microseconds. */
export interface Latency {
  readonly median: number;
  readonly p99: number;
}

/** Microseconds; `cpu` is both processes' CPU time per round trip, absent for the Python pair. */
export interface EchoFigures extends Latency {
  readonly cpu?: number;
}

interface EchoContender {
  readonly name: string;
  readonly run: (trips: number) => Promise<Latency>;
  /** Whether both ends run in this process and the server child, so their CPU time is the run's. */
  readonly measuresCpu: boolean;
}

function summarize(samples: Float64Array): Latency {
  samples.sort();
  const at = (q: number) =>
    (samples[Math.min(samples.length - 1, Math.floor(samples.length * q))] ?? 0) * 1000;
  return { median: at(0.5), p99: at(0.99) };
}

const median = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

function rawClient(port: number): { contender: EchoContender; close(): void } {
  let socket: Socket | undefined;
  const contender: EchoContender = {
    name: 'raw node:net',
    measuresCpu: true,
    async run(trips) {
      if (socket === undefined) {
        socket = connect({ host: '127.0.0.1', port, noDelay: true });
        await once(socket, 'connect');
      }
      const client = socket;
      const samples = new Float64Array(trips);
      await new Promise<void>((resolve) => {
        let trip = 0;
        let got = 0;
        let sentAt = performance.now();
        const onData = (chunk: Buffer) => {
          got += chunk.length;
          if (got < SIZE) return;
          got -= SIZE;
          samples[trip++] = performance.now() - sentAt;
          if (trip === trips) {
            client.off('data', onData);
            return resolve();
          }
          sentAt = performance.now();
          client.write(message);
        };
        client.on('data', onData);
        client.write(message);
      });
      return summarize(samples);
    },
  };
  return { contender, close: () => socket?.destroy() };
}

async function framedClient(port: number): Promise<{ contender: EchoContender; close(): Promise<void> }> {
  const conn = await createConnection({ host: '127.0.0.1', port }, { noDelay: true, timeout: 5_000 });
  const channel = framed(conn, { idleTimeout: null });
  const replies = channel[Symbol.asyncIterator]();
  const contender: EchoContender = {
    name: 'sockkit framed',
    measuresCpu: true,
    async run(trips) {
      const samples = new Float64Array(trips);
      for (let trip = 0; trip < trips; trip++) {
        const sentAt = performance.now();
        void channel.send(message);
        const reply = await replies.next();
        if (reply.done || reply.value.length !== SIZE) throw new Error('the framed echo ended');
        samples[trip] = performance.now() - sentAt;
      }
      return summarize(samples);
    },
  };
  return { contender, close: () => channel.close() };
}

async function pythonPair(): Promise<{ contender: EchoContender; close(): void }> {
  const script = here('./py/echo_pair.py');
  const server = spawn('python3', [script, 'server'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(createInterface({ input: server.stdout! }), 'line')) as [string];
  const port = Number(line);
  const contender: EchoContender = {
    name: 'python blocking pair',
    measuresCpu: false,
    async run(trips) {
      const { stdout } = await run('python3', [script, 'client', String(port), String(trips), '200']);
      return JSON.parse(stdout) as Latency;
    },
  };
  return { contender, close: () => server.kill() };
}

export interface EchoResult {
  /** Median over the rounds of each contender's median, p99 and CPU time per trip, in microseconds. */
  readonly figures: ReadonlyMap<string, EchoFigures>;
}

/** CPU microseconds (user + system) used so far by this process and the server child. */
async function cpuTime(child: ChildProcess): Promise<number> {
  const reply = once(child, 'message') as Promise<[{ cpu: NodeJS.CpuUsage }]>;
  child.send('cpu');
  const [{ cpu }] = await reply;
  const own = process.cpuUsage();
  return own.user + own.system + cpu.user + cpu.system;
}

/** Runs the case; `rounds` rounds of `trips` round trips per contender. */
export async function echoCase(rounds: number, trips: number): Promise<EchoResult> {
  const child = fork(here('./echo-server.ts'), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const [ports] = (await once(child, 'message')) as [{ raw: number; framed: number }];
  const raw = rawClient(ports.raw);
  const channel = await framedClient(ports.framed);
  const python = await pythonPair();
  const contenders = [raw.contender, channel.contender, python.contender];
  const medians = new Map<string, number[]>(contenders.map((contender) => [contender.name, []]));
  const p99s = new Map<string, number[]>(contenders.map((contender) => [contender.name, []]));
  const cpus = new Map<string, number[]>(contenders.map((contender) => [contender.name, []]));
  try {
    for (const contender of contenders) await contender.run(Math.min(trips, 2_000)); // warm-up
    for (let round = 0; round < rounds; round++) {
      for (let turn = 0; turn < contenders.length; turn++) {
        const contender = contenders[(round + turn) % contenders.length]!;
        const before = await cpuTime(child);
        const latency = await contender.run(trips);
        const cpu = ((await cpuTime(child)) - before) / trips;
        medians.get(contender.name)!.push(latency.median);
        p99s.get(contender.name)!.push(latency.p99);
        if (contender.measuresCpu) cpus.get(contender.name)!.push(cpu);
      }
    }
  } finally {
    raw.close();
    await channel.close();
    python.close();
    child.disconnect();
  }
  const figures = new Map<string, EchoFigures>(
    contenders.map(({ name, measuresCpu }) => [
      name,
      {
        median: median(medians.get(name)!),
        p99: median(p99s.get(name)!),
        ...(measuresCpu ? { cpu: median(cpus.get(name)!) } : {}),
      },
    ]),
  );
  return { figures };
}

/** Table rows: each contender's median, p99 and CPU per trip, and their cost relative to raw node:net. */
export function echoRows(result: EchoResult, title: string): string[] {
  const base = result.figures.get('raw node:net')!;
  const ratio = (value: number, to: number) => `${(value / to).toFixed(2)}x`;
  return [...result.figures].map(([name, { median, p99, cpu }]) => {
    const cpuCells = cpu === undefined ? '- | -' : `${cpu.toFixed(1)} | ${ratio(cpu, base.cpu!)}`;
    return `| ${title} | ${name} | ${median.toFixed(1)} | ${p99.toFixed(1)} | ${ratio(median, base.median)} | ${ratio(p99, base.p99)} | ${cpuCells} |`;
  });
}

/** Chart bars: speed relative to raw node:net (raw latency / contender latency), higher is faster. */
export function echoBars(result: EchoResult, goal: number): RatioBar[] {
  const base = result.figures.get('raw node:net')!;
  return [...result.figures]
    .filter(([name]) => name !== 'raw node:net')
    .flatMap(([name, { median, p99 }]) => {
      const withGoal = name === 'sockkit framed' ? { goal: 1 / goal } : {};
      return [
        { label: `${name}, median`, ratio: base.median / median, ...withGoal },
        { label: `${name}, p99`, ratio: base.p99 / p99, ...withGoal },
      ];
    });
}
