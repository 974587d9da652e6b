/**
 * send-file/recv-file against socat + `openssl dgst -sha256` doing the same job on the same file,
 * in the same run: a file of FILE_MIB MiB crosses loopback, is written to disk on the other side,
 * and is hashed on both sides.
 *
 * - sockkit-demo: `recv-file --once` is listening (started untimed, as a server would be); timed
 *   from spawning `send-file` until both processes exited, the file saved under its name and the
 *   checksums compared. Node's start-up of send-file is inside the time.
 * - socat + openssl: the listening `socat -u TCP-LISTEN:... OPEN:<file>` is started untimed; timed
 *   from `openssl dgst -sha256 <source>`, then `socat -u FILE:<source> TCP:...`, until the
 *   receiving socat exited and `openssl dgst -sha256 <copy>` printed its hash: the hashes run one
 *   after the other around the transfer, as a shell script would do it.
 *
 * The source is read once before the rounds, so every contender reads it from the page cache.
 * Rounds alternate the contenders; the table shows the median and the fastest round of each, and
 * the machine's load: the two sockkit processes overlap their work on two cores, so other work on
 * the machine slows them more than the one-after-the-other baseline.
 * Run with `npm run bench` in apps/demo (it builds first). Needs socat and openssl on the PATH.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const FILE_MIB = Number(process.env.BENCH_FILE_MIB ?? 256);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

/** Resolves with the first line of `child`'s `stream` that matches `pattern`. */
async function lineOf(
  child: ChildProcess,
  stream: 'stdout' | 'stderr',
  pattern: RegExp,
): Promise<RegExpExecArray> {
  const source = child[stream];
  if (!source) throw new Error(`no ${stream} to read`);
  for await (const line of createInterface({ input: source })) {
    const match = pattern.exec(line);
    if (match) return match;
  }
  throw new Error(`the process ended before printing ${pattern}`);
}

async function exited(child: ChildProcess): Promise<void> {
  const [code] = child.exitCode !== null ? [child.exitCode] : await once(child, 'exit');
  if (code !== 0) throw new Error(`${child.spawnfile} exited with ${code}`);
}

/** A free loopback port: bound by the kernel's choice, then released for socat to take. */
async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function sha256WithOpenssl(path: string): string {
  return /([0-9a-f]{64})\s*$/.exec(
    execFileSync('openssl', ['dgst', '-sha256', path], { encoding: 'utf8' }),
  )![1]!;
}

/** One run of each contender: resolves with its elapsed milliseconds, after checking the copy. */
type Contender = (source: string, outDir: string, expected: string) => Promise<number>;

const sockkit: Contender = async (source, outDir) => {
  const receiver = spawn(process.execPath, [CLI, 'recv-file', '--port', '0', '--out', outDir, '--once'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [, port] = await lineOf(receiver, 'stdout', /^recv-file ready: listening on 127\.0\.0\.1:(\d+)/);
  const started = performance.now();
  const sender = spawn(process.execPath, [CLI, 'send-file', source, `127.0.0.1:${port}`], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const saved = lineOf(sender, 'stdout', /receiver saved \S+, sha256 [0-9a-f]{64} matches$/);
  await Promise.all([saved, exited(sender), exited(receiver)]);
  return performance.now() - started;
};

const socatAndOpenssl: Contender = async (source, outDir, expected) => {
  const copy = join(outDir, 'copy.bin');
  const port = await freePort();
  const receiver = spawn(
    'socat',
    ['-d', '-d', '-u', `TCP-LISTEN:${port},bind=127.0.0.1`, `OPEN:${copy},creat,trunc`],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  await lineOf(receiver, 'stderr', /listening on/);
  receiver.stderr?.resume();
  const started = performance.now();
  const sent = sha256WithOpenssl(source);
  execFileSync('socat', ['-u', `FILE:${source}`, `TCP:127.0.0.1:${port}`]);
  await exited(receiver);
  const received = sha256WithOpenssl(copy);
  const elapsed = performance.now() - started;
  if (sent !== expected || received !== expected) throw new Error('socat: checksums differ');
  return elapsed;
};

const SOCKKIT = 'sockkit-demo send-file/recv-file';
const BASELINE = 'socat + openssl dgst -sha256';
const contenders: Record<string, Contender> = { [SOCKKIT]: sockkit, [BASELINE]: socatAndOpenssl };

const median = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const dir = await mkdtemp(join(tmpdir(), 'sockkit-bench-'));
try {
  const source = join(dir, 'source.bin');
  await writeFile(source, randomBytes(FILE_MIB * 1024 * 1024));
  await readFile(source); // into the page cache, for every contender alike
  const expected = sha256WithOpenssl(source);
  const times = new Map(Object.keys(contenders).map((name) => [name, [] as number[]]));
  for (let round = 0; round < ROUNDS; round += 1) {
    const names = Object.keys(contenders);
    for (let turn = 0; turn < names.length; turn += 1) {
      const name = names[(round + turn) % names.length]!;
      const outDir = await mkdtemp(join(dir, 'out-'));
      times.get(name)!.push(await contenders[name]!(source, outDir, expected));
      const copy = join(outDir, name === SOCKKIT ? 'source.bin' : 'copy.bin');
      if (sha256WithOpenssl(copy) !== expected) throw new Error(`${name}: the copy differs from the source`);
      await rm(outDir, { recursive: true });
    }
  }
  const baseline = times.get(BASELINE)!;
  const load = loadavg()
    .map((value) => value.toFixed(2))
    .join(', ');
  console.log(
    `\n${FILE_MIB} MiB over loopback, written and hashed (SHA-256) on both sides; ${ROUNDS} rounds`,
  );
  console.log(`${cpus().length} CPUs; load average ${load} (1, 5, 15 min) when the rounds ended\n`);
  console.log('| contender | median s | fastest s | median vs socat + openssl | fastest vs fastest |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const [name, samples] of times) {
    const [ms, fastest] = [median(samples), Math.min(...samples)];
    const ratios = `${(ms / median(baseline)).toFixed(2)}x | ${(fastest / Math.min(...baseline)).toFixed(2)}x`;
    console.log(`| ${name} | ${(ms / 1000).toFixed(2)} | ${(fastest / 1000).toFixed(2)} | ${ratios} |`);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
