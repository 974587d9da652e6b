import { checkAddress, type HostAddress, type IpSocketAddress, toSocketAddress } from './address.js';
import { AF_INET, AF_INET6, DEFAULT_READ_SIZE } from './constants.js';
import { DatagramHandle } from './datagram-handle.js';
import {
  checkDatagramSocketOptions,
  DatagramOptions,
  type DatagramSocketOptions,
  type DatagramSocketOptionValues,
} from './datagram-options.js';
import {
  DatagramQueue,
  type DatagramSink,
  type DatagramStats,
  type ReceivedDatagram,
} from './datagram-queue.js';
import { checkDatagram, DatagramSends, type SendErrorHandler } from './datagram-sends.js';
import { SocketClosedError, SocketError } from './errors.js';
import { checkBoolean, checkFunction, checkOneOf, checkPositiveInteger, checkTimeout } from './validate.js';
import { abortReason, type BlockingOptions, checkBlocking, effectiveTimeout, waitIn } from './waiter.js';

export type { DatagramSocketOptions, DatagramSocketOptionValues } from './datagram-options.js';
export type { DatagramSink, DatagramStats, ReceivedDatagram } from './datagram-queue.js';
export type { SendErrorHandler } from './datagram-sends.js';

type OptionName = keyof DatagramSocketOptionValues;

let attachSink: (socket: DatagramSocket, sink: DatagramSink) => void;
let sendChecked: <C>(
  socket: DatagramSocket,
  data: Uint8Array,
  to: HostAddress,
  onError: SendErrorHandler<C>,
  context: C,
) => void;

/**
 * Hands every datagram `socket` receives from now on to `sink` instead of its receive queue
 * (whose bounds then do not apply: the sink keeps its own). Socket errors go to `sink.error`
 * instead of the next read. One sink per socket, and not beside an `onReadable` listener.
 */
export function onDatagrams(socket: DatagramSocket, sink: DatagramSink): void {
  attachSink(socket, sink);
}

/**
 * `socket.trySendTo(data, to, onError, context)` for a caller whose arguments are its own and
 * already hold what `trySendTo` checks: `data` is bytes within the IP datagram limit, `to` an IP
 * literal of the socket's family (see `checkHostFamily`) with a port from 1 to 65535, `onError` a
 * function. Only the socket's state is checked: closed and connected sockets throw as in
 * `trySendTo`. What the caller gets wrong is left to Node: a bad port throws Node's own
 * `ERR_SOCKET_BAD_PORT`, an address of the other family fails later with `EINVAL` (to `onError`).
 */
export function trySendChecked<C>(
  socket: DatagramSocket,
  data: Uint8Array,
  to: HostAddress,
  onError: SendErrorHandler<C>,
  context: C,
): void {
  sendChecked(socket, data, to, onError, context);
}

/**
 * A UDP socket (IPv4 or IPv6) with the classic verbs, async. Received datagrams wait in a queue
 * bounded in count and bytes (Node cannot stop reading a UDP socket); what does not fit is dropped
 * and counted in `stats`, as a full kernel buffer would drop it.
 *
 * @example
 * ```ts
 * const receiver = socket(AF_INET, SOCK_DGRAM);
 * await receiver.bind({ host: '127.0.0.1', port: 7788 });
 * const [data, from] = await receiver.recvFrom(1024);
 * await receiver.sendTo(data, from);
 * ```
 */
export class DatagramSocket implements AsyncIterable<ReceivedDatagram>, AsyncDisposable {
  readonly #family: typeof AF_INET | typeof AF_INET6;
  #timeout: number | null;
  #closed: Promise<void> | undefined;
  readonly #received: DatagramQueue;
  readonly #sends: DatagramSends;
  readonly #options = new DatagramOptions();
  readonly #handle: DatagramHandle;

  static {
    attachSink = (socket, sink) => {
      socket.#assertOpen('onDatagrams');
      socket.#received.setSink(sink);
    };
    sendChecked = (socket, data, to, onError, context) => {
      socket.#assertOpen('send');
      socket.#trySend(data, to, onError as SendErrorHandler<unknown>, context);
    };
  }

  constructor(family: typeof AF_INET | typeof AF_INET6 = AF_INET, options?: DatagramSocketOptions) {
    this.#family = checkOneOf('family', family, [AF_INET, AF_INET6]);
    const settings = checkDatagramSocketOptions(options);
    this.#received = new DatagramQueue(this, settings.maxQueuedDatagrams, settings.maxQueuedBytes);
    this.#handle = new DatagramHandle(this.#family, this.#options, this.#received);
    const handle = this.#handle;
    this.#sends = new DatagramSends(this.#received.reportLate, (host) => handle.literalFamily(host) !== 0);
    this.#timeout = settings.timeout;
  }

  /** `AF_INET` or `AF_INET6`. */
  get family(): typeof AF_INET | typeof AF_INET6 {
    return this.#family;
  }

  /** Counters of the bounded receive queue. */
  get stats(): DatagramStats {
    return this.#received.stats;
  }

  /** Whether `close()` was called. */
  get closed(): boolean {
    return this.#closed !== undefined;
  }

  /**
   * Binds the local address; port 0 picks a free port (read it with `getSockName()`). A failure
   * (`AddressInUseError` ...) rejects this call only and leaves the socket unbound. An option set
   * before binding that the kernel then refuses also rejects it (the socket stays bound, without
   * that option).
   */
  async bind(address: HostAddress): Promise<void> {
    const local = checkAddress(address, this.#family, 0) as HostAddress;
    await this.#handle.bind(local);
  }

  /** Sets the default peer: `send`/`recv` then talk to it only (the kernel filters other senders). */
  async connect(address: HostAddress): Promise<void> {
    const peer = checkAddress(address, this.#family, 1) as HostAddress;
    await this.#handle.connect(peer);
  }

  /**
   * Sends one datagram to `address` and resolves with its length once Node handed it to the kernel;
   * a failure (`EACCES` to a broadcast address without `broadcast`, `ENETUNREACH` ...) rejects this
   * call. Bad arguments and a datagram over the IP limit (65,507 bytes over IPv4, 65,527 over
   * IPv6: `EMSGSIZE`) reject before anything is sent.
   */
  sendTo(data: Uint8Array, address: HostAddress, options?: BlockingOptions): Promise<number> {
    try {
      const bytes = this.#checkDatagram(data);
      const peer = checkAddress(address, this.#family, 1) as HostAddress;
      this.#checkUnconnected('sendTo');
      return this.#send(bytes, options, peer);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Sends one datagram to the connected peer. */
  send(data: Uint8Array, options?: BlockingOptions): Promise<number> {
    try {
      const bytes = this.#checkDatagram(data);
      if (this.#handle.connected === undefined)
        throw new SocketError('EDESTADDRREQ', 'socket is not connected: use sendTo()');
      return this.#send(bytes, options, undefined);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * `sendTo` without a promise, for fire-and-forget senders on a hot path: returns the datagram's
   * length once Node has taken it (UDP never waits for room). Bad arguments, `EMSGSIZE` and a
   * closed socket throw at once. A failure Node reports later goes
   * to `onError`; without one it becomes the socket's pending error, reported by the next read
   * (`recvFrom`, `tryRecvFrom`, with an {@link onReadable} cue), as the kernel reports ICMP errors
   * on the next call. Either way no error is lost. If `onError` throws, its error becomes the
   * pending error (after `close()`, a process warning).
   */
  trySendTo(data: Uint8Array, address: HostAddress, onError?: SendErrorHandler): number;
  /** With a `context` for `onError`: one handler for many sends, no closure per send. */
  trySendTo<C>(data: Uint8Array, address: HostAddress, onError: SendErrorHandler<C>, context: C): number;
  trySendTo(
    data: Uint8Array,
    address: HostAddress,
    onError?: SendErrorHandler<never>,
    context?: unknown,
  ): number {
    const bytes = this.#checkDatagram(data);
    if (onError !== undefined) checkFunction('onError', onError);
    const peer = checkAddress(address, this.#family, 1) as HostAddress;
    this.#trySend(bytes, peer, (onError ?? this.#received.reportLate) as SendErrorHandler<unknown>, context);
    return bytes.length;
  }

  /**
   * Resolves with the next datagram and its sender. A datagram longer than `bufsize` is cut to
   * `bufsize` bytes, as the classic API does, and the result says so (`truncated`, `size`).
   */
  recvFrom(bufsize: number, options?: BlockingOptions): Promise<ReceivedDatagram> {
    try {
      checkBlocking(options);
      const next = this.tryRecvFrom(bufsize);
      if (next !== undefined) return Promise.resolve(next);
      return waitIn(this.#received.readers, options, this.#timeout, bufsize, 'recvFrom');
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * The next queued datagram, or `undefined` when none waits: `recvFrom` without a promise (as
   * tokio's `try_recv_from`), to drain the queue in a loop, e.g. from {@link onReadable}. Throws
   * `SocketClosedError` once closed, and a socket error that came while nobody was reading (once
   * the datagrams queued before it are read).
   *
   * @example
   * ```ts
   * udp.onReadable(() => {
   *   for (let d = udp.tryRecvFrom(2048); d !== undefined; d = udp.tryRecvFrom(2048)) handle(d);
   * });
   * ```
   */
  tryRecvFrom(bufsize: number): ReceivedDatagram | undefined {
    checkPositiveInteger('bufsize', bufsize);
    this.#assertOpen('recvFrom');
    return this.#received.take(bufsize);
  }

  /**
   * Calls `listener` each time a datagram is queued (not when it went straight to a waiting
   * `recvFrom`, nor when the full queue dropped it) or a socket error becomes pending for the next
   * read: the cue to drain with {@link tryRecvFrom}, with no promise per datagram. Datagrams it
   * leaves queued stay within the queue's bounds. It runs inside Node's `'message'` event, so it
   * is guarded: if it throws (or its promise rejects), the error rejects the next read (a waiting
   * `recvFrom`, or else the next `recvFrom`/`tryRecvFrom` once the queue is drained) instead of
   * crashing the process, and the listener stays registered. One listener at a time; the returned
   * function removes it.
   */
  onReadable(listener: () => void): () => void {
    checkFunction('listener', listener);
    this.#assertOpen('onReadable');
    return this.#received.setReadable(listener);
  }

  /** `recvFrom` without the address, as after `connect`. */
  async recv(bufsize: number, options?: BlockingOptions): Promise<Uint8Array> {
    const [data] = await this.recvFrom(bufsize, options);
    return data;
  }

  /**
   * Sets a socket option; options that need a bound socket are applied once it is bound (a refusal
   * then rejects `bind`, or, bound implicitly by a first send, the next read).
   */
  setSockOpt<K extends OptionName>(name: K, value: DatagramSocketOptionValues[K]): void {
    this.#assertOpen('setSockOpt');
    this.#options.set(name, value, this.#handle.created, this.#handle.bound);
  }

  /** Reads back a socket option: the live value where Node can read it, else the value set or the default. */
  getSockOpt<K extends OptionName>(name: K): DatagramSocketOptionValues[K] {
    this.#assertOpen('getSockOpt');
    return this.#options.get(name, this.#handle.bound);
  }

  /** Joins a multicast group (on `iface`, a local interface address, or one the OS picks). */
  addMembership(group: string, iface?: string): void {
    this.#handle.membership('addMembership', group, iface);
  }

  /** Leaves a multicast group. */
  dropMembership(group: string, iface?: string): void {
    this.#handle.membership('dropMembership', group, iface);
  }

  /** The local address: the real port once bound (or after the first `sendTo`). */
  getSockName(): IpSocketAddress {
    this.#assertOpen('getSockName');
    const bound = this.#handle.bound;
    if (bound !== undefined) {
      const info = bound.address();
      return toSocketAddress(info.address, info.port, info.family);
    }
    return this.#family === AF_INET6
      ? { family: 'IPv6', host: '::', port: 0 }
      : { family: 'IPv4', host: '0.0.0.0', port: 0 };
  }

  /** The connected peer; `SocketError` `ENOTCONN` when not connected. */
  getPeerName(): IpSocketAddress {
    this.#assertOpen('getPeerName');
    if (this.#handle.connected === undefined) throw new SocketError('ENOTCONN', 'socket is not connected');
    const info = this.#handle.ensure().remoteAddress();
    return toSocketAddress(info.address, info.port, info.family);
  }

  /** Sets the timeout of blocking calls in milliseconds: `null` blocks, 0 is non-blocking. */
  setTimeout(timeout: number | null): void {
    this.#timeout = checkTimeout('timeout', timeout);
  }

  /** The timeout of blocking calls in milliseconds, `null` when they block. */
  getTimeout(): number | null {
    return this.#timeout;
  }

  /** `setBlocking(false)` is `setTimeout(0)`; `setBlocking(true)` is `setTimeout(null)`. */
  setBlocking(flag: boolean): void {
    this.#timeout = checkBoolean('flag', flag) ? null : 0;
  }

  /** Closes the socket; idempotent. Pending calls reject with `SocketClosedError`. */
  close(): Promise<void> {
    if (this.#closed !== undefined) return this.#closed;
    const closing = new SocketClosedError();
    this.#closed = this.#handle.close(closing);
    this.#received.close(closing);
    this.#sends.close(closing);
    return this.#closed;
  }

  /** Received datagrams (never truncated: up to 64 KiB each) until the socket is closed. */
  [Symbol.asyncIterator](): AsyncIterator<ReceivedDatagram, undefined> {
    const done = { done: true, value: undefined } as const;
    const ended = (error: unknown) => {
      if (error instanceof SocketClosedError) return done;
      throw error;
    };
    return {
      next: () =>
        this.recvFrom(DEFAULT_READ_SIZE).then((datagram) => ({ done: false, value: datagram }), ended),
      return: () => Promise.resolve(done),
    };
  }

  /** `await using udp = ...` closes the socket. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  // --- internals -------------------------------------------------------------------------------

  /** Every call on a closed socket fails the same way, as `EBADF` does in the classic API. */
  #assertOpen(verb: string): void {
    if (this.#closed !== undefined) throw new SocketClosedError(`cannot ${verb}: socket is closed`);
  }

  /** Sends to `peer`, or to the connected peer when it is undefined. */
  #send(
    bytes: Uint8Array,
    options: BlockingOptions | undefined,
    peer: HostAddress | undefined,
  ): Promise<number> {
    const timeout = effectiveTimeout(options, this.#timeout);
    const signal = options?.signal;
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    return this.#sends.send(this.#handle.ensure(), bytes, peer, timeout, signal);
  }

  /** `trySendTo` once its arguments are checked: a socket with a peer refuses it. */
  #trySend(bytes: Uint8Array, peer: HostAddress, report: SendErrorHandler<unknown>, context: unknown): void {
    this.#checkUnconnected('trySendTo');
    const bound = this.#handle.bound;
    // Node reads the bytes of a send only after its implicit bind: a copy keeps the promise
    // that trySendTo took them now.
    if (bound === undefined)
      this.#sends.trySend(this.#handle.ensure(), Buffer.from(bytes), peer, report, context);
    else this.#sends.trySend(bound, bytes, peer, report, context);
  }

  /** `sendTo` and `trySendTo` name a destination, which a socket with a peer (or one being set) refuses. */
  #checkUnconnected(verb: string): void {
    if (this.#handle.hasPeer)
      throw new SocketError('EISCONN', `socket is connected: use send(), not ${verb}()`);
  }

  /** Checks a send: an open socket, bytes, and no more than one IP datagram carries. */
  #checkDatagram(data: Uint8Array): Uint8Array {
    this.#assertOpen('send');
    return checkDatagram(data, this.#family);
  }
}
