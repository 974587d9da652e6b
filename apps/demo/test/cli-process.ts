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

/** Runs a command on a pseudo-terminal (see the script's docstring). */
const PTY_HOST = fileURLToPath(new URL('pty-host.py', import.meta.url));

/** A terminal of this size: the CLI then sees a TTY on stdin, stdout and stderr, as in a person's shell. */
export interface TerminalSize {
  readonly columns: number;
  readonly rows: number;
}

/** A running `sockkit-demo` process whose output a test waits on, line by line. */
export interface CliProcess extends AsyncDisposable {
  /** The CLI, or on a terminal the host that runs it: its stdin is the keyboard (`\x03` is Ctrl-C). */
  readonly child: ChildProcessWithoutNullStreams;
  /** Everything printed to stdout so far (on a terminal: stdout and stderr), one entry per line. */
  readonly lines: readonly string[];
  /** Everything printed to stdout so far (on a terminal: stdout and stderr) as it came, escape sequences included. */
  readonly output: () => string;
  readonly stderr: () => string;
  /**
   * Resolves with the first line (after the previous match) that matches `pattern`;
   * rejects with the output so far if the process exits or nothing matches in time.
   */
  waitForLine(pattern: RegExp): Promise<RegExpExecArray>;
  /** Resolves with the exit code (or signal name) once the process ends. */
  exited(): Promise<number | NodeJS.Signals>;
}

/**
 * Starts the CLI with piped stdin, stdout and stderr, or with `{ terminal }` on a pseudo-terminal
 * of that size, where it draws progress bars and a Ctrl-C signals its whole process group.
 */
export function startCli(
  args: readonly string[],
  { terminal }: { terminal?: TerminalSize } = {},
): CliProcess {
  const command = [process.execPath, CLI_PATH, ...args];
  const child = terminal
    ? spawn('python3', ['-u', PTY_HOST, String(terminal.columns), String(terminal.rows), ...command])
    : spawn(command[0]!, command.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let output = '';
  let stderr = '';
  let partial = '';
  let cursor = 0;
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const waiter of waiters) waiter();
  };
  child.stdout.setEncoding('utf8').on('data', (text: string) => {
    output += text;
    const parts = (partial + text).split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts.map((line) => (terminal ? line.replace(/\r$/, '') : line)));
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
    output: () => output,
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
      // The terminal host kills the CLI's process group on SIGTERM; a piped CLI's cluster workers
      // exit by themselves once their primary's IPC channel closes.
      if (running()) child.kill(terminal ? 'SIGTERM' : 'SIGKILL');
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
