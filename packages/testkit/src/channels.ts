import { execFile } from 'node:child_process';
import { subscribe, tracingChannel, unsubscribe } from 'node:diagnostics_channel';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';

/** One published message, with the channel it came on. */
export interface Recorded {
  readonly name: string;
  readonly message: Record<string, unknown>;
}

/** Events recorded from channels until disposed (`using events = recordChannels([...])`). */
export interface Recording extends Disposable {
  readonly events: Recorded[];
  /** The messages of one channel (a TracingChannel's as `tracing:NAME:start` ...). */
  of(name: string): Record<string, unknown>[];
}

/**
 * Subscribes to event channels `names` and to every event of TracingChannels `operations`
 * (recorded under `tracing:NAME:start`, `:end`, `:asyncStart`, `:asyncEnd`, `:error`).
 */
export function recordChannels(names: readonly string[], operations: readonly string[] = []): Recording {
  const events: Recorded[] = [];
  const listeners = names.map((name) => {
    const listener = (message: unknown) => {
      events.push({ name, message: message as Record<string, unknown> });
    };
    subscribe(name, listener);
    return () => {
      unsubscribe(name, listener);
    };
  });
  for (const operation of operations) {
    const on = (kind: string) => (message: unknown) => {
      events.push({ name: `tracing:${operation}:${kind}`, message: { ...(message as object) } });
    };
    const handlers = {
      start: on('start'),
      end: on('end'),
      asyncStart: on('asyncStart'),
      asyncEnd: on('asyncEnd'),
      error: on('error'),
    };
    tracingChannel(operation).subscribe(handlers);
    listeners.push(() => {
      tracingChannel(operation).unsubscribe(handlers);
    });
  }
  return {
    events,
    of: (name) => events.filter((event) => event.name === name).map((event) => event.message),
    [Symbol.dispose]() {
      for (const unsubscribeOne of listeners) unsubscribeOne();
    },
  };
}

/**
 * Throws if any value reachable from `message` (without entering the objects `opaque` names,
 * such as the socket itself) is a byte array: payloads must never carry user data.
 */
export function assertNoBytes(message: Record<string, unknown>, opaque: readonly string[]): void {
  const visit = (value: unknown, path: string): void => {
    if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) throw new Error(`${path} holds bytes`);
    if (typeof value !== 'object' || value === null || value instanceof Error) return;
    for (const [key, inner] of Object.entries(value)) visit(inner, `${path}.${key}`);
  };
  for (const [key, value] of Object.entries(message)) if (!opaque.includes(key)) visit(value, key);
}

/** The result of {@link runScript}. */
export interface ScriptOutput {
  readonly stdout: string;
  readonly stderr: string;
}

const tsxLoader = createRequire(import.meta.url).resolve('tsx');

/**
 * Runs the TypeScript file `script` in a child Node (tsx, sibling packages from source) with
 * `NODE_DEBUG` set to `nodeDebug` (unset when `undefined`), within `timeout` ms.
 */
export async function runScript(
  script: string,
  nodeDebug: string | undefined,
  timeout = 15_000,
): Promise<ScriptOutput> {
  const env = { ...process.env };
  delete env.NODE_DEBUG;
  if (nodeDebug !== undefined) env.NODE_DEBUG = nodeDebug;
  const args = ['--conditions=@sockkit/source', '--import', tsxLoader, script];
  return promisify(execFile)(process.execPath, args, { env, timeout, encoding: 'utf8' });
}
