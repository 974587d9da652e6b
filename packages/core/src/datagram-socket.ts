import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIP } from 'node:net';
import { checkAddress, type HostAddress, type IpSocketAddress, toSocketAddress } from './address.js';
import { callSafely, warnCallbackFailed } from './callback.js';
import { announceDatagramDrop, datagramDropObserved, log } from './channels.js';
import {
  AF_INET,
  AF_INET6,
  DEFAULT_MAX_QUEUED_BYTES,
  DEFAULT_MAX_QUEUED_DATAGRAMS,
  DEFAULT_READ_SIZE,
} from './constants.js';
import {
  InvalidStateError,
  SocketClosedError,
  SocketError,
  SocketTimeoutError,
  toSocketError,
  unsupportedOption,
} from './errors.js';
import { Fifo } from './fifo.js';
import {
  checkBoolean,
  checkBytes,
  checkFunction,
  checkIntegerIn,
  checkNonEmptyString,
  checkOneOf,
  checkOptions,
  checkPositiveInteger,
  checkTimeout,
} from './validate.js';
import {
  abortReason,
  type BlockingOptions,
  effectiveTimeout,
  neverExpires,
  Waiter,
  WaiterList,
  waitIn,
} from './waiter.js';

/** Options of a new datagram socket. Node cannot pause a UDP socket, so its receive queue is bounded. */
export interface DatagramSocketOptions {
  /** Most datagrams waiting for `recvFrom` (default 1024); more are dropped and counted. */
  readonly maxQueuedDatagrams?: number;
  /** Most bytes waiting for `recvFrom` (default 4 MiB); more are dropped and counted. */
  readonly maxQueuedBytes?: number;
  /** Initial timeout of blocking calls in milliseconds; `null` (the default) blocks. */
  readonly timeout?: number | null;
}

/** Counters of the receive queue. */
export interface DatagramStats {
  /** Datagrams received from the kernel, delivered or queued. */
  readonly received: number;
  readonly receivedBytes: number;
  /** Datagrams dropped because the queue was full. */
  readonly dropped: number;
  readonly droppedBytes: number;
  /** Datagrams waiting for `recvFrom` now. */
  readonly queued: number;
  readonly queuedBytes: number;
}

/**
 * What `recvFrom` resolves with: `[data, address]` as in Python, plus `truncated` (the datagram
 * was longer than `bufsize`, as `MSG_TRUNC`) and `size` (its full length).
 */
export type ReceivedDatagram = [data: Uint8Array, address: IpSocketAddress] & {
  readonly truncated: boolean;
  readonly size: number;
};

/** The options `setSockOpt`/`getSockOpt` accept on a datagram socket, with their value types. */
export interface DatagramSocketOptionValues {
  /** `SO_BROADCAST`. */
  broadcast: boolean;
  /** `IP_TTL` of unicast datagrams: 1 to 255 (the kernel refuses 0). */
  ttl: number;
  /** `IP_MULTICAST_TTL`: 0 to 255 (default 1: the local network; 0: this host only). */
  multicastTTL: number;
  /** `IP_MULTICAST_LOOP`: receive our own multicast datagrams. */
  multicastLoopback: boolean;
  /** `IP_MULTICAST_IF`: the local interface address multicast goes out of. */
  multicastInterface: string;
  /** `SO_RCVBUF` in bytes (Linux reports double what was set). */
  receiveBufferSize: number;
  /** `SO_SNDBUF` in bytes (Linux reports double what was set). */
  sendBufferSize: number;
  /** `SO_REUSEADDR`: settable before the socket is bound. */
  reuseAddress: boolean;
}

type OptionName = keyof DatagramSocketOptionValues;

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
  readonly #maxDatagrams: number;
  readonly #maxBytes: number;
  #timeout: number | null = null;
  #socket: Socket | undefined;
  #bound = false;
  #connected: HostAddress | undefined;
  #closed: Promise<void> | undefined;
  readonly #queue = new Fifo<ReceivedDatagram>();
  #queuedBytes = 0;
  readonly #readers = new WaiterList<Waiter<ReceivedDatagram>>();
  #senders = new Set<Waiter<number>>();
  /** Resolve and reject functions of fast-path sends, in send order. */
  readonly #sendResolvers = new Fifo<((sent: number) => void) | undefined>();
  readonly #sendRejecters = new Fifo<(reason: unknown) => void>();
  /** Rejects the `bind` in progress: Node reports its failure as an `'error'` event. */
  #bindFailed: ((error: Error) => void) | undefined;
  /** Rejects the `connect` in progress (Node never calls back once the socket closes). */
  #connectFailed: ((error: unknown) => void) | undefined;
  /** A socket error that came while no read waited: the next read reports it. */
  #pendingError: unknown;
  #readable: (() => void) | undefined;
  /** The last host `#isLiteral` found to be an IP address. */
  #lastLiteral: string | undefined;
  #received = 0;
  #receivedBytes = 0;
  #dropped = 0;
  #droppedBytes = 0;
  #options: Partial<DatagramSocketOptionValues> = {};

  constructor(family: typeof AF_INET | typeof AF_INET6 = AF_INET, options?: DatagramSocketOptions) {
    this.#family = checkOneOf('family', family, [AF_INET, AF_INET6]);
    const { maxQueuedDatagrams, maxQueuedBytes, timeout } = checkOptions('options', options, [
      'maxQueuedDatagrams',
      'maxQueuedBytes',
      'timeout',
    ]);
    this.#maxDatagrams =
      maxQueuedDatagrams === undefined
        ? DEFAULT_MAX_QUEUED_DATAGRAMS
        : checkPositiveInteger('options.maxQueuedDatagrams', maxQueuedDatagrams);
    this.#maxBytes =
      maxQueuedBytes === undefined
        ? DEFAULT_MAX_QUEUED_BYTES
        : checkPositiveInteger('options.maxQueuedBytes', maxQueuedBytes);
    if (timeout !== undefined) this.#timeout = checkTimeout('options.timeout', timeout);
  }

  /** `AF_INET` or `AF_INET6`. */
  get family(): typeof AF_INET | typeof AF_INET6 {
    return this.#family;
  }

  /** Counters of the bounded receive queue. */
  get stats(): DatagramStats {
    return {
      received: this.#received,
      receivedBytes: this.#receivedBytes,
      dropped: this.#dropped,
      droppedBytes: this.#droppedBytes,
      queued: this.#queue.length,
      queuedBytes: this.#queuedBytes,
    };
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
    const socket = this.#ensureSocket();
    if (this.#bound || this.#bindFailed !== undefined) {
      throw new SocketError('EINVAL', 'socket is already bound');
    }
    try {
      await new Promise<void>((resolve, reject) => {
        this.#bindFailed = (error: Error) => reject(toSocketError(error));
        socket.bind({ address: local.host, port: local.port }, resolve);
      });
    } finally {
      this.#bindFailed = undefined;
    }
  }

  /** Sets the default peer: `send`/`recv` then talk to it only (the kernel filters other senders). */
  async connect(address: HostAddress): Promise<void> {
    const peer = checkAddress(address, this.#family, 1) as HostAddress;
    const socket = this.#ensureSocket();
    if (this.#connected !== undefined) throw new SocketError('EISCONN', 'socket is already connected');
    if (this.#connectFailed !== undefined) throw new SocketError('EALREADY', 'socket is already connecting');
    try {
      await new Promise<void>((resolve, reject) => {
        this.#connectFailed = reject;
        socket.connect(peer.port, peer.host, (error?: Error) => {
          if (error) reject(toSocketError(error));
          else resolve();
        });
      });
    } finally {
      this.#connectFailed = undefined;
    }
    this.#connected = peer;
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
      if (this.#connected !== undefined) {
        throw new SocketError('EISCONN', 'socket is connected: use send(), not sendTo()');
      }
      return this.#send(bytes, options, peer);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Sends one datagram to the connected peer. */
  send(data: Uint8Array, options?: BlockingOptions): Promise<number> {
    try {
      const bytes = this.#checkDatagram(data);
      if (this.#connected === undefined)
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
  trySendTo(data: Uint8Array, address: HostAddress, onError?: (error: unknown) => void): number {
    const bytes = this.#checkDatagram(data);
    if (onError !== undefined) checkFunction('onError', onError);
    const peer = checkAddress(address, this.#family, 1) as HostAddress;
    if (this.#connected !== undefined) {
      throw new SocketError('EISCONN', 'socket is connected: use send(), not trySendTo()');
    }
    const socket = this.#ensureSocket();
    const report = onError ?? this.#onLateError;
    if (!this.#isLiteral(peer.host)) {
      // A host name's lookup may finish out of send order: it gets a callback of its own.
      socket.send(bytes, peer.port, peer.host, (error) => {
        if (error) this.#failSend(report, toSocketError(error));
      });
    } else {
      socket.send(bytes, peer.port, peer.host, this.#onSent);
      this.#sendResolvers.push(undefined);
      this.#sendRejecters.push(report);
    }
    return bytes.length;
  }

  /**
   * Resolves with the next datagram and its sender. A datagram longer than `bufsize` is cut to
   * `bufsize` bytes, as the classic API does, and the result says so (`truncated`, `size`).
   */
  recvFrom(bufsize: number, options?: BlockingOptions): Promise<ReceivedDatagram> {
    try {
      const next = this.tryRecvFrom(bufsize);
      if (next !== undefined) return Promise.resolve(next);
      return waitIn(this.#readers, options, this.#timeout, bufsize, 'recvFrom');
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
    const next = this.#queue.shift();
    if (next !== undefined) {
      this.#queuedBytes -= next.size;
      return truncate(next, bufsize);
    }
    const error = this.#pendingError;
    if (error !== undefined) {
      this.#pendingError = undefined;
      throw error;
    }
    return undefined;
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
    if (this.#readable !== undefined)
      throw new InvalidStateError('this socket already has a readable listener');
    this.#readable = listener;
    return () => {
      if (this.#readable === listener) this.#readable = undefined;
    };
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
    if (!Object.hasOwn(defaults, name)) throw unsupportedOption(name, 'datagram');
    if (name === 'multicastInterface') checkNonEmptyString(name, value);
    else if (booleanOptions.has(name)) checkBoolean(name, value);
    else if (name === 'ttl') checkIntegerIn(name, value, 1, 255);
    else if (name === 'multicastTTL') checkIntegerIn(name, value, 0, 255);
    // Node's buffer sizes are C ints: larger ones fail inside libuv (ERR_SOCKET_BAD_BUFFER_SIZE).
    else checkIntegerIn(name, value, 1, MAX_BUFFER_SIZE, `a positive integer up to ${MAX_BUFFER_SIZE}`);
    if (name === 'reuseAddress' && this.#socket !== undefined) {
      throw new SocketError('EINVAL', 'reuseAddress must be set before the socket is bound or used');
    }
    this.#options[name] = value;
    if (this.#bound) this.#apply(name, value);
  }

  /** Reads back a socket option: the live value where Node can read it, else the value set or the default. */
  getSockOpt<K extends OptionName>(name: K): DatagramSocketOptionValues[K] {
    this.#assertOpen('getSockOpt');
    if (!Object.hasOwn(defaults, name)) throw unsupportedOption(name, 'datagram');
    const socket = this.#socket;
    if (this.#bound && socket !== undefined) {
      if (name === 'receiveBufferSize') return socket.getRecvBufferSize() as DatagramSocketOptionValues[K];
      if (name === 'sendBufferSize') return socket.getSendBufferSize() as DatagramSocketOptionValues[K];
    }
    return (this.#options[name] ?? defaults[name]) as DatagramSocketOptionValues[K];
  }

  /** Joins a multicast group (on `iface`, a local interface address, or one the OS picks). */
  addMembership(group: string, iface?: string): void {
    this.#membership('addMembership', group, iface);
  }

  /** Leaves a multicast group. */
  dropMembership(group: string, iface?: string): void {
    this.#membership('dropMembership', group, iface);
  }

  /** The local address: the real port once bound (or after the first `sendTo`). */
  getSockName(): IpSocketAddress {
    this.#assertOpen('getSockName');
    if (this.#bound && this.#socket !== undefined) {
      const info = this.#socket.address();
      return toSocketAddress(info.address, info.port, info.family);
    }
    return this.#family === AF_INET6
      ? { family: 'IPv6', host: '::', port: 0 }
      : { family: 'IPv4', host: '0.0.0.0', port: 0 };
  }

  /** The connected peer; `SocketError` `ENOTCONN` when not connected. */
  getPeerName(): IpSocketAddress {
    this.#assertOpen('getPeerName');
    const socket = this.#socket;
    if (this.#connected === undefined || socket === undefined) {
      throw new SocketError('ENOTCONN', 'socket is not connected');
    }
    const info = socket.remoteAddress();
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
    // Node never completes a bind or connect the socket closes under.
    this.#bindFailed?.(closing);
    this.#connectFailed?.(closing);
    for (const reader of this.#readers.drain()) reader.reject(closing);
    for (const sender of this.#senders) sender.reject(closing);
    this.#senders.clear();
    for (const reject of this.#sendRejecters.drain()) callSafely(reject, closing, warnSendHandlerFailed);
    this.#sendResolvers.drain();
    this.#queue.drain();
    this.#queuedBytes = 0;
    this.#readable = undefined;
    const socket = this.#socket;
    this.#closed =
      socket === undefined ? Promise.resolve() : new Promise((resolve) => socket.close(() => resolve()));
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

  /** Whether `host` is an IP address, not a name; the last answer is kept, as a socket mostly talks to one peer. */
  #isLiteral(host: string): boolean {
    if (host === this.#lastLiteral) return true;
    if (isIP(host) === 0) return false;
    this.#lastLiteral = host;
    return true;
  }

  /** Every call on a closed socket fails the same way, as `EBADF` does in the classic API. */
  #assertOpen(verb: string): void {
    if (this.#closed !== undefined) throw new SocketClosedError(`cannot ${verb}: socket is closed`);
  }

  #ensureSocket(): Socket {
    if (this.#closed !== undefined) throw new SocketClosedError();
    if (this.#socket !== undefined) return this.#socket;
    const socket = createSocket({
      type: this.#family === AF_INET6 ? 'udp6' : 'udp4',
      reuseAddr: this.#options.reuseAddress ?? false,
    });
    socket.on('message', this.#onMessage);
    socket.on('error', this.#onError);
    socket.on('listening', this.#onListening);
    this.#socket = socket;
    return socket;
  }

  /**
   * Applies the options set before binding. Runs inside Node's `'listening'` event, so a refused
   * option (an interface address that is not local ...) must not throw: it rejects the `bind` in
   * progress, or else (an implicit bind by the first send) becomes the next read's error.
   */
  readonly #onListening = (): void => {
    this.#bound = true;
    for (const [name, value] of Object.entries(this.#options) as [OptionName, never][]) {
      try {
        this.#apply(name, value);
      } catch (error) {
        if (this.#bindFailed !== undefined) this.#bindFailed(error as Error);
        else this.#onLateError(error);
      }
    }
  };

  readonly #onMessage = (message: Buffer, rinfo: RemoteInfo): void => {
    this.#received += 1;
    this.#receivedBytes += message.length;
    const datagram = received(
      message,
      toSocketAddress(rinfo.address, rinfo.port, rinfo.family),
      message.length,
    );
    const reader = this.#readers.shift();
    if (reader !== undefined) {
      reader.resolve(truncate(datagram, reader.size));
    } else if (
      this.#queue.length >= this.#maxDatagrams ||
      this.#queuedBytes + message.length > this.#maxBytes
    ) {
      this.#dropped += 1;
      this.#droppedBytes += message.length;
      if (datagramDropObserved()) this.#announceDrop(datagram[1], message.length);
    } else {
      this.#queue.push(datagram);
      this.#queuedBytes += message.length;
      this.#cueReadable();
    }
  };

  #announceDrop(from: IpSocketAddress, size: number): void {
    const full = this.#queue.length >= this.#maxDatagrams;
    announceDatagramDrop(this, from, size, full ? 'maxQueuedDatagrams' : 'maxQueuedBytes');
  }

  /** Calls the `onReadable` listener, guarded: its error goes to the next read. */
  #cueReadable(): void {
    const listener = this.#readable;
    if (listener !== undefined) callSafely(listener, undefined, this.#onListenerError);
  }

  /** A failing `onReadable` listener: its error rejects the next read, without a new cue. */
  readonly #onListenerError = (error: unknown): void => {
    if (this.#closed !== undefined) return;
    const reader = this.#readers.shift();
    if (reader !== undefined) reader.reject(error);
    else this.#pendingError ??= error;
  };

  /** Hands a send failure to its promise or `trySendTo` handler; a handler's own throw becomes the pending error. */
  #failSend(reject: (reason: unknown) => void, error: unknown): void {
    callSafely(reject, error, this.#onLateError);
  }

  /** A socket error rejects the waiting reads, or else the next one, as the kernel's `SO_ERROR`. */
  readonly #onError = (error: Error): void => {
    if (this.#bindFailed !== undefined) {
      this.#bindFailed(error);
      return;
    }
    const failure = toSocketError(error);
    if (this.#readers.length === 0) this.#onLateError(failure);
    for (const reader of this.#readers.drain()) reader.reject(failure);
  };

  /** Sends to `peer`, or to the connected peer when it is undefined. */
  #send(
    bytes: Uint8Array,
    options: BlockingOptions | undefined,
    peer: HostAddress | undefined,
  ): Promise<number> {
    const timeout = effectiveTimeout(options, this.#timeout);
    const signal = options?.signal;
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    const socket = this.#ensureSocket();
    if (
      (timeout === null || timeout === 0) &&
      signal === undefined &&
      (peer === undefined || this.#isLiteral(peer.host))
    ) {
      // The common case. Node calls the send callbacks of IP-literal sends in send order, never
      // before send() returns, also with an error and when the socket closes first, so one shared
      // callback settles a queue of these. Queued after send(), in case it throws.
      if (peer === undefined) socket.send(bytes, this.#onSent);
      else socket.send(bytes, peer.port, peer.host, this.#onSent);
      return new Promise<number>(this.#queueSend);
    }
    // A host name (its lookup may finish out of order) or a deadline: a callback of its own.
    const sender =
      (timeout === null || timeout === 0) && signal === undefined
        ? new Waiter<number>(null, undefined, neverExpires)
        : this.#timedSender(timeout, signal);
    const done = (error: Error | null) => {
      this.#senders.delete(sender);
      if (error) sender.reject(toSocketError(error));
      else sender.resolve(bytes.length);
    };
    if (peer === undefined) socket.send(bytes, done);
    else socket.send(bytes, peer.port, peer.host, done);
    return sender.promise;
  }

  /** The executor of a fast-path send's promise: one function per socket, no closure per call. */
  readonly #queueSend = (resolve: (sent: number) => void, reject: (reason: unknown) => void): void => {
    this.#sendResolvers.push(resolve);
    this.#sendRejecters.push(reject);
  };

  /**
   * Settles the oldest fast-path send (a `trySendTo` has no resolver, only its error handler).
   * After `close()` the queue is empty and late callbacks find nothing.
   */
  readonly #onSent = (error: Error | null, sent?: number): void => {
    const resolve = this.#sendResolvers.shift();
    const reject = this.#sendRejecters.shift();
    if (reject === undefined) return;
    if (error) this.#failSend(reject, toSocketError(error));
    else resolve?.(sent ?? 0);
  };

  /** A late error of a `trySendTo` without a handler: pending for the next read, as `SO_ERROR`. */
  readonly #onLateError = (error: unknown): void => {
    if (this.#closed !== undefined) return;
    const reader = this.#readers.shift();
    if (reader !== undefined) {
      reader.reject(error);
      return;
    }
    this.#pendingError ??= error;
    this.#cueReadable();
  };

  /** Checks a send: an open socket, bytes, and no more than one IP datagram carries. */
  #checkDatagram(data: Uint8Array): Uint8Array {
    this.#assertOpen('send');
    const bytes = checkBytes('data', data);
    const limit = this.#family === AF_INET6 ? MAX_IPV6_DATAGRAM : MAX_IPV4_DATAGRAM;
    if (bytes.length > limit) {
      throw new SocketError(
        'EMSGSIZE',
        `datagram of ${bytes.length} bytes exceeds the ${limit}-byte limit of UDP over IPv${this.#family === AF_INET6 ? 6 : 4}`,
      );
    }
    return bytes;
  }

  #timedSender(timeout: number | null, signal: AbortSignal | undefined): Waiter<number> {
    const senders = this.#senders;
    const sender = new Waiter<number>(timeout === 0 ? null : timeout, signal, (expired, reason) => {
      senders.delete(expired);
      if (reason !== 'timeout') return undefined;
      log?.('sendTo timed out after %d ms', timeout);
      return new SocketTimeoutError(`send timed out after ${timeout} ms`);
    });
    senders.add(sender);
    return sender;
  }

  #apply(name: OptionName, value: unknown): void {
    const socket = this.#socket!;
    try {
      if (name === 'broadcast') socket.setBroadcast(value as boolean);
      else if (name === 'ttl') socket.setTTL(value as number);
      else if (name === 'multicastTTL') socket.setMulticastTTL(value as number);
      else if (name === 'multicastLoopback') socket.setMulticastLoopback(value as boolean);
      else if (name === 'multicastInterface') socket.setMulticastInterface(value as string);
      else if (name === 'receiveBufferSize') socket.setRecvBufferSize(value as number);
      else if (name === 'sendBufferSize') socket.setSendBufferSize(value as number);
      // reuseAddress is given to createSocket.
    } catch (error) {
      throw toSocketError(error);
    }
  }

  #membership(verb: 'addMembership' | 'dropMembership', group: string, iface?: string): void {
    checkNonEmptyString('group', group);
    if (iface !== undefined) checkNonEmptyString('iface', iface);
    const socket = this.#ensureSocket();
    try {
      if (iface === undefined) socket[verb](group);
      else socket[verb](group, iface);
    } catch (error) {
      throw toSocketError(error);
    }
  }
}

/** The largest UDP payload over IPv4: 65,535 - 20 (IP header) - 8 (UDP header). */
const MAX_IPV4_DATAGRAM = 65_507;
/** The largest UDP payload over IPv6 without jumbograms: 65,535 - 8 (UDP header). */
const MAX_IPV6_DATAGRAM = 65_527;
/** Largest `SO_RCVBUF`/`SO_SNDBUF` Node passes on: a C `int`. */
const MAX_BUFFER_SIZE = 2 ** 31 - 1;

const defaults: DatagramSocketOptionValues = {
  broadcast: false,
  ttl: 64,
  multicastTTL: 1,
  multicastLoopback: true,
  multicastInterface: '',
  receiveBufferSize: 0,
  sendBufferSize: 0,
  reuseAddress: false,
};

const warnSendHandlerFailed = warnCallbackFailed('trySendTo onError');

const booleanOptions = new Set<string>(['broadcast', 'multicastLoopback', 'reuseAddress']);

function received(data: Uint8Array, from: IpSocketAddress, size: number): ReceivedDatagram {
  const datagram = [data, from] as [Uint8Array, IpSocketAddress] & { truncated: boolean; size: number };
  datagram.truncated = data.length < size;
  datagram.size = size;
  return datagram;
}

function truncate(datagram: ReceivedDatagram, bufsize: number): ReceivedDatagram {
  if (datagram.size <= bufsize) return datagram;
  return received(datagram[0].subarray(0, bufsize), datagram[1], datagram.size);
}
