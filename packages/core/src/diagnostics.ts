/**
 * What sockkit tells an operator who asks, and nobody else: `NODE_DEBUG` lines through
 * `util.debuglog`, and events on `node:diagnostics_channel` for tracers and APMs. Both cost a
 * property check when nobody listens: a disabled log is `undefined` (so `log?.(…)` evaluates
 * none of its arguments) and every publish is guarded by `hasSubscribers`.
 */
import { channel, type TracingChannel, tracingChannel } from 'node:diagnostics_channel';
import { debuglog } from 'node:util';

/** A `util.debuglog` logger: printf-style format and arguments, printed to stderr. */
export type DebugLog = (format: string, ...args: unknown[]) => void;

/**
 * The logger of one package, or `undefined` when its lines are off. `NODE_DEBUG=sockkit` turns on
 * every package (lines read `SOCKKIT 4242: core: …`); `NODE_DEBUG=sockkit:core` (or `sockkit:*`)
 * one package (`SOCKKIT:CORE 4242: …`). Read once: Node reads `NODE_DEBUG` at start-up.
 */
export function packageDebugLog(pkg: string): DebugLog | undefined {
  const own = debuglog(`sockkit:${pkg}`);
  if (own.enabled) return own;
  const all = debuglog('sockkit');
  if (all.enabled) return (format, ...args) => all(`${pkg}: ${format}`, ...args);
  return undefined;
}

/** An event channel that builds its payload only when someone subscribes. */
export interface EventChannel<T extends object> {
  readonly name: string;
  readonly hasSubscribers: boolean;
  publish(message: T): void;
}

/** The channel `name`, typed by its payload. */
export function eventChannel<T extends object>(name: string): EventChannel<T> {
  return channel(name) as EventChannel<T>;
}

/**
 * A TracingChannel: `tracing:NAME:start`, `:end`, `:asyncStart`, `:asyncEnd`, `:error`.
 * (`hasSubscribers` is Node's since 20.13; @types/node 20 does not declare it yet.)
 */
export type OperationChannel<T extends object> = TracingChannel<T, T> & { readonly hasSubscribers: boolean };

/** The TracingChannel `name`, typed by its context. */
export function operationChannel<T extends object>(name: string): OperationChannel<T> {
  return tracingChannel<T, T>(name) as OperationChannel<T>;
}

/**
 * Runs `operation` as one traced span when the channel has subscribers, else as is: the
 * context object is built only when traced. The span's context gets no `result`: the value an
 * operation resolves with (a reply) is user data, which no payload carries.
 */
export function traced<T extends object, R>(
  tracing: OperationChannel<T>,
  context: () => T,
  operation: () => Promise<R>,
): Promise<R> {
  if (!tracing.hasSubscribers) return operation();
  let value: R;
  const span = tracing.tracePromise(async () => {
    value = await operation();
  }, context());
  return span.then(() => value);
}
