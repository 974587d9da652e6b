import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The built CLI: tests run what users run, as real processes. */
export const CLI_PATH = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

if (!existsSync(CLI_PATH)) {
  throw new Error(
    `${CLI_PATH} is missing: the demo tests run the built CLI. Build it first with ` +
      '`npx turbo run build --filter=@sockkit/demo...` from the repo root (turbo does this before `test`).',
  );
}

/** How long a test waits for one expected line before failing with what was printed. */
const LINE_TIMEOUT_MS = 15_000;

/** A running `sockkit-demo` process whose output a test waits on, line by line. */
export interface CliProcess extends AsyncDisposable {
  readonly child: ChildProcessWithoutNullStreams;
  /** Everything printed to stdout so far, one entry per line. */
  readonly lines: readonly string[];
  readonly stderr: () => string;
  /**
   * Resolves with the first line (after the previous match) that matches `pattern`;
   * rejects with the output so far if the process exits or nothing matches in time.
   */
  waitForLine(pattern: RegExp): Promise<RegExpExecArray>;
  /** Resolves with the exit code (or signal name) once the process ends. */
  exited(): Promise<number | NodeJS.Signals>;
}

export function startCli(args: readonly string[]): CliProcess {
  const child = spawn(process.execPath, [CLI_PATH, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let stderr = '';
  let partial = '';
  let cursor = 0;
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const waiter of waiters) waiter();
  };
  child.stdout.setEncoding('utf8').on('data', (text: string) => {
    const parts = (partial + text).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
    wake();
  });
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
  });
  const exit = new Promise<number | NodeJS.Signals>((resolve) => {
    child.once('close', (code, signal) => {
      if (partial) lines.push(partial);
      wake();
      resolve(code ?? signal ?? 'SIGKILL');
    });
  });
  const running = () => child.exitCode === null && child.signalCode === null;
  const describe = () => `stdout:\n${[...lines, partial].join('\n')}\nstderr:\n${stderr}`;

  return {
    child,
    lines,
    stderr: () => stderr,
    waitForLine(pattern) {
      return new Promise((resolve, reject) => {
        const check = () => {
          for (; cursor < lines.length; cursor += 1) {
            const match = pattern.exec(lines[cursor] ?? '');
            if (match) {
              cursor += 1;
              done();
              resolve(match);
              return;
            }
          }
          if (!running()) {
            done();
            reject(new Error(`process ended before printing ${pattern}\n${describe()}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no line matched ${pattern} within ${LINE_TIMEOUT_MS} ms\n${describe()}`));
        }, LINE_TIMEOUT_MS);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    exited: () => exit,
    async [Symbol.asyncDispose]() {
      if (running()) child.kill('SIGKILL');
      await exit;
    },
  };
}

/** Runs the CLI to completion with `input` on stdin; resolves with its exit code and output. */
export async function runCli(
  args: readonly string[],
  input = '',
): Promise<{ code: number | NodeJS.Signals; stdout: string; stderr: string }> {
  await using cli = startCli(args);
  cli.child.stdin.end(input);
  const code = await cli.exited();
  return { code, stdout: cli.lines.join('\n'), stderr: cli.stderr() };
}
