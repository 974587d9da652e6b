// A real npm registry for the release test: Verdaccio on loopback with a temp storage dir, no
// uplinks (it serves only what was published to it), and a user whose token can publish.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort, repoRoot } from './workspace.ts';

export interface LocalRegistry {
  /** `http://127.0.0.1:PORT/` */
  readonly url: string;
  /** An auth token of a user allowed to publish. */
  readonly token: string;
  /** The registry's document for a package, or undefined when it has none (404). */
  packument(name: string): Promise<Packument | undefined>;
  stop(): Promise<void>;
}

export interface Packument {
  'dist-tags': Record<string, string>;
  versions: Record<string, { dependencies?: Record<string, string>; dist: { integrity: string } }>;
}

const config = `storage: ./storage
auth:
  htpasswd:
    file: ./htpasswd
    max_users: 1
uplinks: {}
packages:
  '**':
    access: $all
    publish: $authenticated
web:
  enable: false
middlewares:
  audit:
    enabled: false
log: { type: stdout, format: json, level: warn }
`;

/** Starts Verdaccio in `dir` and waits until it answers; `stop()` always ends the process. */
export async function startRegistry(dir: string): Promise<LocalRegistry> {
  await writeFile(join(dir, 'config.yaml'), config);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const bin = join(repoRoot, 'node_modules', 'verdaccio', 'bin', 'verdaccio');
  const server = spawn(
    process.execPath,
    [bin, '--config', join(dir, 'config.yaml'), '--listen', `127.0.0.1:${port}`],
    {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  server.stdout!.on('data', (chunk: Buffer) => (output += chunk));
  server.stderr!.on('data', (chunk: Buffer) => (output += chunk));
  try {
    await waitUntilUp(server, url, () => output);
    const token = await addUser(url);
    return {
      url,
      token,
      async packument(name) {
        const response = await fetch(new URL(name.replace('/', '%2f'), url));
        if (response.status === 404) return undefined;
        if (!response.ok) throw new Error(`GET ${name}: ${response.status} ${await response.text()}`);
        return (await response.json()) as Packument;
      },
      stop: () => stop(server),
    };
  } catch (error) {
    await stop(server);
    throw error;
  }
}

async function waitUntilUp(server: ChildProcess, url: string, output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`verdaccio exited: ${output()}`);
    const up = await fetch(new URL('-/ping', url)).then(
      (response) => response.ok,
      () => false,
    );
    if (up) return;
    if (Date.now() > deadline) throw new Error(`verdaccio did not answer within 60 s: ${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** `npm adduser` by hand: the CouchDB user document npm would PUT, answered with a token. */
async function addUser(url: string): Promise<string> {
  const name = 'sockkit-release-test';
  const response = await fetch(new URL(`-/user/org.couchdb.user:${name}`, url), {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, password: 'not-a-secret', email: 'release-test@example.invalid' }),
  });
  if (!response.ok) throw new Error(`adduser: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { token: string }).token;
}

async function stop(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) return;
  const exited = once(server, 'exit');
  server.kill('SIGTERM');
  const timer = setTimeout(() => server.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
