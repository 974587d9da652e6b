import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * Interpreters tried for a module, in order: python3 on PATH, then Debian's own, where
 * `apt-get install python3-<module>` puts modules (a pyenv or venv python3 on PATH does not see them).
 */
const INTERPRETERS = ['python3', '/usr/bin/python3'];
const found = new Map<string, string | null>();

/** The first python3 that can import `module` (see INTERPRETERS), or `null`. Looked up once per module. */
export function pythonWith(module: string): string | null {
  if (!/^[A-Za-z_][\w.]*$/.test(module)) throw new TypeError(`not a module name: ${module}`);
  let python = found.get(module);
  if (python === undefined) {
    python =
      INTERPRETERS.find(
        (candidate) =>
          spawnSync(candidate, ['-c', `import ${module}`], { stdio: 'ignore', timeout: 10_000 }).status === 0,
      ) ?? null;
    found.set(module, python);
  }
  return python;
}

/**
 * The python3 that imports `module`, for a test that needs it live. When none does, the test is
 * skipped with how to install it (also printed once per module), except in CI (`CI` set), where it fails: .ci/run installs the
 * module, so a missing one there is a broken setup, not a reason to pass.
 *
 * @example
 * ```ts
 * it('reads what Python writes', async (context) => {
 *   const python = requirePython(context, 'msgpack');
 *   await using peer = startPython(script, [], { python });
 * });
 * ```
 */
export function requirePython(
  context: { readonly skip: (note?: string) => never },
  module: string,
  debianPackage = `python3-${module}`,
): string {
  const python = pythonWith(module);
  if (python !== null) return python;
  const howTo = `as root: apt-get update && apt-get install -y ${debianPackage}`;
  if (process.env.CI)
    throw new Error(`No python3 here can import ${module}; .ci/run should have installed it (${howTo})`);
  const note = `needs Python's ${module} module; install it ${howTo}`;
  // The default reporter shows a skip's note only in verbose mode: say it once where it is seen.
  if (!warned.has(module)) console.warn(`Skipping a test that ${note}`);
  warned.add(module);
  return context.skip(note);
}

const warned = new Set<string>();

/** A running Python peer: read what it prints line by line, then kill or await it. */
export interface PythonPeer extends AsyncDisposable {
  readonly process: ChildProcessWithoutNullStreams;
  /** Resolves with the next line the script prints to stdout. */
  nextLine(): Promise<string>;
  /** Resolves with the exit code once the script ends; rejects with its stderr when it fails. */
  exited(): Promise<number>;
}

/** Options of {@link startPython}. */
export interface StartPythonOptions {
  /** The interpreter, e.g. from {@link requirePython}. Default `python3`. */
  readonly python?: string;
}

/**
 * Runs `script` with python3 (`-u`: unbuffered, so lines arrive as printed). Scripts print
 * e.g. `READY <port>` once listening, which a test awaits with `nextLine()`: no fixed sleeps.
 */
export function startPython(
  script: string,
  args: readonly string[] = [],
  options: StartPythonOptions = {},
): PythonPeer {
  const child = spawn(options.python ?? 'python3', ['-u', '-c', script, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
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
