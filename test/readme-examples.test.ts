// Every TypeScript example in the READMEs compiles against the built packages (the types a user
// gets from npm), and the examples marked runnable run on loopback. Directives: readme-blocks.ts.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReadmeBlock, readmeBlocks, readmePaths } from './readme-blocks.ts';
import { freePort, repoRoot, run } from './workspace.ts';

const readmes = readmePaths().map((path) => ({ path, blocks: readmeBlocks(path) }));
const checked = readmes.flatMap(({ blocks }) => blocks.filter((block) => block.mode !== 'fragment'));
const fileOf = (block: ReadmeBlock, suffix = '') =>
  `${block.readme.replaceAll(/[/.]/g, '_')}_L${block.line}${suffix}.${block.language}`;
const source = (block: ReadmeBlock, code = block.code) => `${block.given}\n${code}\nexport {};\n`;

let scratch = '';
const diagnostics = new Map<string, string[]>();

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'sockkit-readme-'));
  await symlink(join(repoRoot, 'node_modules'), join(scratch, 'node_modules'), 'dir');
  await writeFile(join(scratch, 'package.json'), JSON.stringify({ type: 'module', private: true }));
  // The base options, but resolving @sockkit/* as a user does: dist/ and its declaration files.
  const tsconfig = {
    extends: join(repoRoot, 'tsconfig.base.json'),
    compilerOptions: { noEmit: true, customConditions: [], allowJs: true, checkJs: true },
    include: ['*.ts', '*.js'],
  };
  await writeFile(join(scratch, 'tsconfig.json'), JSON.stringify(tsconfig));
  for (const block of checked) await writeFile(join(scratch, fileOf(block)), source(block));
  const tsc = join(repoRoot, 'node_modules', '.bin', 'tsc');
  const output = await run(tsc, ['-p', scratch, '--pretty', 'false']).then(
    () => '',
    (failure: { stdout: string; stderr: string }) => {
      if (!failure.stdout) throw new Error(`tsc failed without diagnostics: ${failure.stderr}`);
      return failure.stdout;
    },
  );
  // tsc prints `path/to/file.ts(line,col): error TS…` and continuation lines indented below it.
  let file = '';
  for (const line of output.split('\n').filter(Boolean)) {
    if (!line.startsWith(' ')) file = basename(line.slice(0, line.indexOf('(')));
    if (!checked.some((block) => fileOf(block) === file)) throw new Error(`tsc: ${line}`);
    diagnostics.set(file, [...(diagnostics.get(file) ?? []), line]);
  }
});

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

it('finds the examples of every package README', () => {
  const withExamples = new Set(checked.map((block) => block.readme));
  for (const dir of ['packages/core', 'packages/framing', 'packages/udp', 'apps/demo']) {
    expect(withExamples).toContain(`${dir}/README.md`);
  }
});

const withBlocks = readmes.filter(({ blocks }) => blocks.length > 0);
describe.each(withBlocks.map(({ path, blocks }) => [path.slice(repoRoot.length + 1), blocks] as const))(
  '%s',
  (readme, blocks) => {
    const typed = blocks.filter((block) => block.mode !== 'fragment');
    it.skipIf(typed.length === 0).each(typed.map((block) => [block.line, block] as const))(
      'the example at line %i type-checks',
      (_line, block) => {
        const errors = diagnostics.get(fileOf(block)) ?? [];
        const given = block.given ? block.given.split('\n').length : 0;
        // Map the scratch file's line numbers back to the README's.
        const located = errors.map((error) =>
          error.replace(/\((\d+),/, (_, line) => `(${readme}:${block.line + Number(line) - 1 - given},`),
        );
        expect(located).toEqual([]);
      },
    );

    // A `run` block's server is the `serve` block before it, unless another `run` came between.
    const serverOf = (index: number) => {
      const before = blocks.slice(0, index).filter((b) => b.mode === 'run' || b.mode === 'serve');
      return before.at(-1)?.mode === 'serve' ? before.at(-1) : undefined;
    };
    const runnable = blocks.flatMap((block, index) => {
      if (block.mode === 'run') return [{ block, server: serverOf(index) }];
      const client = blocks.slice(index + 1).find((b) => b.mode === 'run' || b.mode === 'serve');
      return block.mode === 'serve' && client?.mode !== 'run' ? [{ block, server: undefined }] : [];
    });
    it.skipIf(runnable.length === 0).each(runnable.map((entry) => [entry.block.line, entry] as const))(
      'the example at line %i runs on loopback',
      async (_line, { block, server }) => {
        const ports = new Map<number, number>();
        if (block.mode === 'serve') {
          // A server without a client example: it must still answer after a client reset.
          await serving(block, ports, async () => {
            for (const port of ports.values()) expect((await exchange(port)).length).toBeGreaterThan(0);
          });
          return;
        }
        const client = async () => {
          const file = await writeRunnable(block, ports);
          const { stdout } = await run(tsx, [file], { cwd: scratch, timeout: 20_000, killSignal: 'SIGKILL' });
          expect(stdout).toContain(block.output);
        };
        await (server ? serving(server, ports, client) : client());
      },
    );
  },
);

const tsx = join(repoRoot, 'node_modules', '.bin', 'tsx');

/**
 * Writes a block to run, its literal ports (`port: 8081`) replaced by free ones, the same
 * replacement for every block of one test, so a client finds its server.
 */
async function writeRunnable(block: ReadmeBlock, ports: Map<number, number>): Promise<string> {
  const literals = /\bport: (\d{4,5})\b/g;
  for (const [, port] of block.code.matchAll(literals)) {
    if (!ports.has(Number(port))) ports.set(Number(port), await freePort());
  }
  const code = block.code.replace(literals, (_, port) => `port: ${ports.get(Number(port))}`);
  const file = fileOf(block, '_run');
  await writeFile(join(scratch, file), source(block, code));
  return file;
}

/** Runs a server example around `body`: listening, and already hit by a client that resets. */
async function serving(block: ReadmeBlock, ports: Map<number, number>, body: () => Promise<void>) {
  const file = await writeRunnable(block, ports);
  expect(ports.size, 'a serve example names the port it listens on').toBeGreaterThan(0);
  const server = spawn(tsx, [file], { cwd: scratch, stdio: ['ignore', 'ignore', 'pipe'] });
  let stoppedBy: NodeJS.Signals | null = null;
  try {
    await waitForListeners(server, [...ports.values()]);
    // An example people copy must survive a client that sends and then resets.
    for (const port of ports.values()) await sendAndReset(port);
    await body();
  } finally {
    stoppedBy = await stop(server);
  }
  expect(stoppedBy, 'the server example ends on SIGINT (Ctrl-C)').not.toBe('SIGKILL');
}

/** Polls until every port accepts a TCP connection, failing early if the server exits. */
async function waitForListeners(server: ChildProcess, ports: number[]): Promise<void> {
  let stderr = '';
  server.stderr!.on('data', (chunk: Buffer) => (stderr += chunk));
  const deadline = Date.now() + 15_000;
  for (const port of ports) {
    for (;;) {
      if (server.exitCode !== null) throw new Error(`the server example exited early: ${stderr}`);
      if (await accepts(port)) break;
      if (Date.now() > deadline) throw new Error(`the server example never listened on ${port}: ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createConnection(port, '127.0.0.1');
    probe.once('connect', () => resolve(true));
    probe.once('error', () => resolve(false));
    probe.once('close', () => probe.destroy());
    probe.once('connect', () => probe.end());
  });
}

/** Sends `ping`, half-closes, and collects what comes back until the server closes. */
async function exchange(port: number): Promise<Buffer> {
  const client = createConnection(port, '127.0.0.1');
  client.setTimeout(10_000, () => client.destroy(new Error('no reply within 10 s')));
  client.end('ping');
  const parts: Buffer[] = [];
  for await (const part of client) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

async function sendAndReset(port: number): Promise<void> {
  const client = createConnection(port, '127.0.0.1');
  await once(client, 'connect');
  client.write('hello');
  client.resetAndDestroy();
  await once(client, 'close');
}

/** SIGINT, as Ctrl-C would; SIGKILL if the server has not exited after 5 s. */
async function stop(server: ChildProcess): Promise<NodeJS.Signals | null> {
  if (server.exitCode !== null || server.signalCode !== null) return server.signalCode;
  const exited = new Promise((resolve) => server.once('exit', resolve));
  server.kill('SIGINT');
  const timer = setTimeout(() => server.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
  return server.signalCode;
}
