import type { Socket } from 'node:net';
import { UnsupportedError, unsupportedOption } from './errors.js';
import type { ListenSettings } from './listener.js';
import type { StreamLifecycle } from './stream-lifecycle.js';
import { reusePortSupported } from './support.js';
import { checkBoolean } from './validate.js';
import type { BlockingOptions } from './waiter.js';

/** Options of a new stream socket. */
export interface StreamSocketOptions {
  /**
   * Read-side high-water mark in bytes (default 64 KiB): once this many received bytes wait for
   * `recv`, the socket stops reading from the kernel, so TCP flow control stalls the sender.
   */
  readonly highWaterMark?: number;
  /** Initial timeout of blocking calls in milliseconds; `null` (the default) blocks. */
  readonly timeout?: number | null;
}

/** Options of `StreamSocket.connect`. */
export interface ConnectOptions extends BlockingOptions {}

/** Which direction `shutdown` ends, as `SHUT_RD`, `SHUT_WR`, `SHUT_RDWR`. */
export type ShutdownHow = 'read' | 'write' | 'both';

/** The options `setSockOpt`/`getSockOpt` accept on a stream socket, with their value types. */
export interface StreamSocketOptionValues {
  /** `SO_KEEPALIVE`. */
  keepAlive: boolean;
  /** `TCP_NODELAY`: send small writes at once instead of coalescing them (Nagle). */
  noDelay: boolean;
  /** `SO_REUSEADDR`: Node always sets it on listening TCP sockets, so only `true` is accepted. */
  reuseAddress: boolean;
  /** `SO_REUSEPORT` on a listener: Node 22.12 and later only, else `UnsupportedError`. */
  reusePort: boolean;
  /** `IPV6_V6ONLY` on an IPv6 listener: `false` (the default) also accepts IPv4 clients. */
  ipv6Only: boolean;
}

const optionNames = new Set<string>(['keepAlive', 'noDelay', 'reuseAddress', 'reusePort', 'ipv6Only']);

/**
 * Checks a `setSockOpt` call on a stream socket: a known option, a boolean, and a value Node can
 * honour (`reuseAddress` is always on; `reusePort` needs Node 22.12).
 */
export function checkStreamOption(name: string, value: unknown): void {
  if (!optionNames.has(name)) throw unsupportedOption(name, 'stream');
  checkBoolean(name, value);
  if (name === 'reuseAddress' && !value) {
    throw new UnsupportedError('Node always sets SO_REUSEADDR on TCP listeners');
  }
  if (name === 'reusePort' && value && !reusePortSupported()) {
    throw new UnsupportedError(`SO_REUSEPORT needs Node 22.12 or later (running ${process.version})`);
  }
}

/**
 * The options a stream socket remembers: Node applies some only when it creates the handle
 * (`listen`/`connect`), and cannot read any of them back, so `getSockOpt` answers from here.
 */
export class StreamOptions implements StreamSocketOptionValues {
  keepAlive = false;
  noDelay = false;
  readonly reuseAddress = true;
  reusePort = false;
  ipv6Only = false;

  /**
   * `StreamSocket.setSockOpt`: checks and records the value, and applies it to the connected
   * `socket`. Options Node takes when it creates the listening handle need a fresh socket.
   */
  set(
    name: keyof StreamSocketOptionValues,
    value: boolean,
    life: StreamLifecycle,
    socket: Socket | undefined,
  ): void {
    checkStreamOption(name, value);
    if (name === 'reusePort' || name === 'ipv6Only') life.assertState('fresh', `setSockOpt(${name})`);
    if (name !== 'reuseAddress') this[name] = value;
    if (name === 'keepAlive') socket?.setKeepAlive(value);
    else if (name === 'noDelay') socket?.setNoDelay(value);
  }

  get<K extends keyof StreamSocketOptionValues>(name: K): StreamSocketOptionValues[K] {
    if (!optionNames.has(name)) throw unsupportedOption(name, 'stream');
    return this[name];
  }

  /** How to listen with `backlog` and the options Node takes when it creates the listening handle. */
  listenSettings(backlog: number): ListenSettings {
    return { backlog, noDelay: this.noDelay, ipv6Only: this.ipv6Only, reusePort: this.reusePort };
  }

  /** An accepted connection keeps its listener's per-connection options (as the kernel copies them). */
  inheritFrom(listener: StreamOptions): void {
    this.keepAlive = listener.keepAlive;
    this.noDelay = listener.noDelay;
  }
}
