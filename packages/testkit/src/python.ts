import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/** A running Python peer: read what it prints line by line, then kill or await it. */
export interface PythonPeer extends AsyncDisposable {
  readonly process: ChildProcessWithoutNullStreams;
  /** Resolves with the next line the script prints to stdout. */
  nextLine(): Promise<string>;
  /** Resolves with the exit code once the script ends; rejects with its stderr when it fails. */
  exited(): Promise<number>;
}

/**
 * Runs `script` with python3 (`-u`: unbuffered, so lines arrive as printed). Scripts print
 * e.g. `READY <port>` once listening, which a test awaits with `nextLine()`: no fixed sleeps.
 */
export function startPython(script: string, args: readonly string[] = []): PythonPeer {
  const child = spawn('python3', ['-u', '-c', script, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const exit = new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (code === 0 || signal === 'SIGKILL') resolve(code ?? 0);
      else reject(new Error(`python3 exited with ${code ?? signal}: ${stderr}`));
    });
  });
  exit.catch(() => {});
  return {
    process: child,
    async nextLine() {
      const next = await Promise.race([
        lines.next(),
        exit.then(() => ({ done: true as const, value: undefined })),
      ]);
      if (next.done) throw new Error(`python3 ended before printing a line: ${stderr}`);
      return next.value;
    },
    exited: () => exit,
    async [Symbol.asyncDispose]() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exit.catch(() => {});
    },
  };
}
