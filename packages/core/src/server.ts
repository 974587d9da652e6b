import { type AddressInput, familyOfAddress, type SocketAddress } from './address.js';
import { callSafely, warnCallbackFailed } from './callback.js';
import { announceAccept, announceRefuse } from './channels.js';
import { DEFAULT_BACKLOG, DEFAULT_SERVER_CLOSE_GRACE, MAX_BACKLOG } from './constants.js';
import { InvalidArgumentError, SocketClosedError, UnsupportedError } from './errors.js';
import { StreamSocket } from './stream-socket.js';
import { reusePortSupported } from './support.js';
import { TlsAcceptor } from './tls.js';
import type { TlsServerOptions } from './tls-options.js';
import {
  checkBoolean,
  checkFunction,
  checkIntegerIn,
  checkOptions,
  checkPositiveInteger,
  checkTimeout,
} from './validate.js';

/**
 * Handles one connection; the server closes the connection when the handler settles. `signal`
 * aborts (with a `SocketClosedError`) when `server.close()` runs out of grace: pass it to what
 * the handler awaits besides the connection (a database call, a timer), so it can finish.
 */
export type ConnectionHandler = (
  conn: StreamSocket,
  peer: SocketAddress,
  signal: AbortSignal,
) => void | Promise<void>;

/** Options of `createServer`. Every limit has a default; `Infinity` lifts a count limit. */
export interface ServerOptions {
  /** `listen` backlog (default 128). */
  readonly backlog?: number;
  /** Connections handled at once (default 1024); more are reset at once, the others undisturbed. */
  readonly maxConnections?: number;
  /** Connections at once from one IP address (default: `maxConnections`). */
  readonly maxConnectionsPerAddress?: number;
  /** Closes a connection silent in both directions this long, in ms (default 300 000; `null` never). */
  readonly idleTimeout?: number | null;
  /** `SO_REUSEPORT`, so several processes share the port: Node 22.12 and later, else `UnsupportedError`. */
  readonly reusePort?: boolean;
  /** On host `'::'`: also accept IPv4 clients (default true); false is IPv6 only. */
  readonly dualStack?: boolean;
  /** Read-side high-water mark of each connection in bytes (default 64 KiB). */
  readonly highWaterMark?: number;
  /** Sets `TCP_NODELAY` on every connection. */
  readonly noDelay?: boolean;
  /**
   * Serves TLS: Node's `tls.createServer` options (`key`, `cert`, `ca`, `requestCert`,
   * `rejectUnauthorized`, `ALPNProtocols`, `SNICallback`, `minVersion` ...) plus `handshakeTimeout`
   * (default 10 s). Each connection's handshake runs before its handler, within every limit
   * above; one that fails or runs out of time closes that connection and is counted in `stats`.
   */
  readonly tls?: TlsServerOptions;
  /**
   * Called when a handler throws or rejects, or a TLS handshake fails (with its `TlsError`, or a
   * `SocketError`); the server keeps serving. If it throws in turn, that
   * error becomes a process warning (`process.on('warning')`), never a crash.
   */
  readonly onError?: (error: unknown, peer: SocketAddress) => void;
  /**
   * Called when accepting fails (`EMFILE` when out of descriptors ...): there is no peer yet. The
   * server keeps accepting; a throw here becomes a process warning too.
   */
  readonly onAcceptError?: (error: unknown) => void;
}

/** Counters of a running server. */
export interface ServerStats {
  readonly accepted: number;
  /** Connections reset for `maxConnections` or `maxConnectionsPerAddress`. */
  readonly refused: number;
  /** Handlers that threw or rejected. */
  readonly handlerErrors: number;
  /** Handlers still running when `close()`'s grace ran out, aborted through their signal. */
  readonly abortedHandlers: number;
  /** Failed accepts (the listener's own errors). */
  readonly acceptErrors: number;
  /** TLS handshakes that failed (a bad certificate, not TLS, a reset ...), other than by the deadline. */
  readonly handshakeFailures: number;
  /** TLS handshakes cut off by `tls.handshakeTimeout`. */
  readonly handshakeTimeouts: number;
}

/** Options of `SocketServer.close`. */
export interface ServerCloseOptions {
  /**
   * Milliseconds running handlers get to finish on their own (default 5000). When it runs out,
   * the handlers left are aborted: their signal aborts and their connection closes. `null` waits
   * for every handler without aborting any.
   */
  readonly grace?: number | null;
}

const DEFAULT_MAX_CONNECTIONS = 1024;
const DEFAULT_IDLE_TIMEOUT = 300_000;

/**
 * A running server from `createServer`: the connection loop around one handler per connection.
 */
export class SocketServer implements AsyncDisposable {
  readonly #listener: StreamSocket;
  readonly #handler: ConnectionHandler;
  readonly #options: ServerOptions;
  readonly #maxConnections: number;
  readonly #maxPerAddress: number;
  readonly #idleTimeout: number | null;
  readonly #tls: TlsAcceptor | undefined;
  /** Each running handler's connection, with the handler's promise and its abort controller. */
  readonly #running = new Map<
    StreamSocket,
    { readonly done: Promise<void>; readonly abort: AbortController }
  >();
  readonly #perAddress = new Map<string, number>();
  #accepted = 0;
  #refused = 0;
  #handlerErrors = 0;
  #abortedHandlers = 0;
  #acceptErrors = 0;
  #loop: Promise<void> | undefined;
  #closed: Promise<void> | undefined;

  /** @internal use `createServer`. */
  constructor(listener: StreamSocket, handler: ConnectionHandler, options: ServerOptions) {
    this.#listener = listener;
    this.#handler = handler;
    this.#options = options;
    this.#maxConnections = countLimit(
      'options.maxConnections',
      options.maxConnections,
      DEFAULT_MAX_CONNECTIONS,
    );
    this.#maxPerAddress = countLimit(
      'options.maxConnectionsPerAddress',
      options.maxConnectionsPerAddress,
      this.#maxConnections,
    );
    this.#idleTimeout =
      options.idleTimeout === undefined
        ? DEFAULT_IDLE_TIMEOUT
        : checkTimeout('options.idleTimeout', options.idleTimeout);
    this.#tls = options.tls === undefined ? undefined : new TlsAcceptor('options.tls', options.tls);
  }

  /** The address the server listens on, with the real port. */
  get address(): SocketAddress {
    return this.#listener.getSockName();
  }

  /** Connections being handled now. */
  get connections(): number {
    return this.#running.size;
  }

  /** Accepted, refused and failed-handler counts. */
  get stats(): ServerStats {
    return {
      accepted: this.#accepted,
      refused: this.#refused,
      handlerErrors: this.#handlerErrors,
      abortedHandlers: this.#abortedHandlers,
      acceptErrors: this.#acceptErrors,
      handshakeFailures: this.#tls?.failures ?? 0,
      handshakeTimeouts: this.#tls?.timeouts ?? 0,
    };
  }

  /** @internal */
  start(): void {
    this.#loop = this.#acceptLoop();
  }

  /**
   * Stops accepting and resolves once every handler has settled, so `await server.close()` then
   * `process.exit()` cuts no handler's cleanup short. Handlers get `grace` milliseconds to finish
   * on their own; that is the hard deadline: the handlers still running are then aborted (their
   * `signal` aborts with a `SocketClosedError`, their connection closes so its pending calls
   * reject with `SocketClosedError`, and they are counted in `stats.abortedHandlers`), and
   * `close()` resolves once they have settled. A handler that ignores both its signal and its
   * closed connection keeps `close()` waiting, as it would keep the process alive.
   *
   * Idempotent: a later call returns the first call's promise. An invalid `grace` rejects that
   * call with an `InvalidArgumentError` and leaves the server running (and closable).
   */
  close(options?: ServerCloseOptions): Promise<void> {
    if (this.#closed === undefined) {
      let grace: number | null;
      try {
        const { grace: given = DEFAULT_SERVER_CLOSE_GRACE } = checkOptions('options', options, ['grace']);
        grace = checkTimeout('options.grace', given);
      } catch (error) {
        return Promise.reject(error);
      }
      this.#closed = this.#shutdown(grace);
    }
    return this.#closed;
  }

  /** `await using server = await createServer(...)` closes it with the default grace period. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** `grace` null waits for every handler without aborting any. */
  async #shutdown(grace: number | null): Promise<void> {
    await this.#listener.close();
    await this.#loop;
    // Handlers never reject (see #handle); each removes itself from #running when it settles.
    const settled = () => Promise.all([...this.#running.values()].map((handler) => handler.done));
    if (grace !== null) {
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, grace);
      });
      await Promise.race([settled(), expired]);
      clearTimeout(timer);
      const reason = new SocketClosedError('the server is closing: its grace period ran out');
      for (const [conn, handler] of this.#running) {
        this.#abortedHandlers += 1;
        handler.abort.abort(reason);
        void conn.close();
      }
    }
    await settled();
  }

  async #acceptLoop(): Promise<void> {
    for (;;) {
      let accepted: [StreamSocket, SocketAddress];
      try {
        accepted = await this.#listener.accept({ timeout: null });
      } catch (error) {
        if (error instanceof SocketClosedError) return;
        this.#acceptErrors += 1;
        const { onAcceptError } = this.#options;
        if (onAcceptError !== undefined) {
          callSafely(onAcceptError, error, warnCallbackFailed('onAcceptError'));
        }
        continue;
      }
      this.#admit(...accepted);
    }
  }

  #admit(conn: StreamSocket, peer: SocketAddress): void {
    const key = 'host' in peer ? peer.host : '';
    const fromAddress = this.#perAddress.get(key) ?? 0;
    const full = this.#running.size >= this.#maxConnections;
    if (full || (key !== '' && fromAddress >= this.#maxPerAddress)) {
      this.#refused += 1;
      announceRefuse(this, peer, full ? 'maxConnections' : 'maxConnectionsPerAddress');
      void conn.reset();
      return;
    }
    this.#accepted += 1;
    announceAccept(this, conn, peer);
    if (key !== '') this.#perAddress.set(key, fromAddress + 1);
    if (this.#idleTimeout !== null && this.#idleTimeout > 0) conn.setIdleTimeout(this.#idleTimeout);
    const abort = new AbortController();
    this.#running.set(conn, { done: this.#handle(conn, peer, key, abort.signal), abort });
  }

  /** Never rejects: `#running` holds its promise and nothing else awaits it until `close()`. */
  async #handle(conn: StreamSocket, peer: SocketAddress, key: string, signal: AbortSignal): Promise<void> {
    try {
      const insecure = await this.#tls?.secure(conn, signal);
      if (insecure !== undefined) {
        this.#report(insecure, peer);
        return;
      }
      await this.#handler(conn, peer, signal);
    } catch (error) {
      this.#handlerErrors += 1;
      this.#report(error, peer);
    } finally {
      await conn.close();
      this.#running.delete(conn);
      if (key !== '') {
        const left = (this.#perAddress.get(key) ?? 1) - 1;
        if (left === 0) this.#perAddress.delete(key);
        else this.#perAddress.set(key, left);
      }
    }
  }

  #report(error: unknown, peer: SocketAddress): void {
    const { onError } = this.#options;
    if (onError !== undefined)
      callSafely((failure) => onError(failure, peer), error, warnCallbackFailed('onError'));
  }
}

function countLimit(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  return value === Number.POSITIVE_INFINITY ? value : checkPositiveInteger(name, value);
}

const serverOptionNames: readonly (keyof ServerOptions)[] = [
  'backlog',
  'maxConnections',
  'maxConnectionsPerAddress',
  'idleTimeout',
  'reusePort',
  'dualStack',
  'highWaterMark',
  'noDelay',
  'tls',
  'onError',
  'onAcceptError',
];

/** Checks what the constructor of `SocketServer` and `listen` do not: the flags and callbacks. */
function checkServerOptions(options: ServerOptions | undefined): ServerOptions {
  const checked = checkOptions('options', options, serverOptionNames);
  for (const name of ['reusePort', 'dualStack', 'noDelay'] as const) {
    if (checked[name] !== undefined) checkBoolean(`options.${name}`, checked[name]);
  }
  for (const name of ['onError', 'onAcceptError'] as const) {
    if (checked[name] !== undefined) checkFunction(`options.${name}`, checked[name]);
  }
  if (checked.backlog !== undefined) checkIntegerIn('options.backlog', checked.backlog, 0, MAX_BACKLOG);
  return checked;
}

/**
 * Listens on `address` and runs `handler` for every connection, concurrently: the tutorial's
 * connection loop around its communication loop, with limits. A connection over
 * `maxConnections` (or `maxConnectionsPerAddress`) is reset at once; idle connections are
 * closed; a handler that throws is counted and reported to `onError`, and the server keeps
 * serving. The connection is closed when its handler settles.
 *
 * @example
 * ```ts
 * await using server = await createServer({ host: '127.0.0.1', port: 8081 }, async (conn) => {
 *   for await (const chunk of conn) await conn.sendAll(chunk); // echo until end of stream
 * });
 * ```
 */
export async function createServer(
  address: AddressInput,
  handler: ConnectionHandler,
  given?: ServerOptions,
): Promise<SocketServer> {
  checkFunction('handler', handler);
  const options = checkServerOptions(given);
  if (typeof address !== 'object' || address === null) {
    throw new InvalidArgumentError('address', '{ host, port } or { path }', address);
  }
  if (options.reusePort && !reusePortSupported()) {
    throw new UnsupportedError(`reusePort needs Node 22.12 or later (running ${process.version})`);
  }
  const listener = new StreamSocket(
    familyOfAddress(address),
    options.highWaterMark === undefined ? {} : { highWaterMark: options.highWaterMark },
  );
  const server = new SocketServer(listener, handler, options);
  if (options.dualStack !== undefined) {
    if (!('host' in address) || address.host !== '::') {
      throw new InvalidArgumentError(
        'options.dualStack',
        "absent unless the host is '::' (every IPv6 and IPv4 address)",
        options.dualStack,
      );
    }
    listener.setSockOpt('ipv6Only', !options.dualStack);
  }
  if (options.reusePort) listener.setSockOpt('reusePort', true);
  if (options.noDelay) listener.setSockOpt('noDelay', true);
  listener.bind(address);
  await listener.listen(options.backlog ?? DEFAULT_BACKLOG);
  server.start();
  return server;
}
