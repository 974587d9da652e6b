import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ReadableStream, WritableStream } from 'node:stream/web';
import type { AddressInput, SocketAddress } from './address.js';
import { chunkIterator } from './byte-stream.js';
import { connectChannel } from './channels.js';
import { type Connector, connectErrno } from './connect.js';
import { type AddressFamily, AF_INET, AF_INET6, AF_UNIX, DEFAULT_BACKLOG } from './constants.js';
import { traced } from './diagnostics.js';
import { InvalidArgumentError, SocketError } from './errors.js';
import type { Unclaimed } from './listener.js';
import { acceptUntilClosed, type ListeningSide, unclaimed } from './listening.js';
import type { NodeSocketLink } from './node-socket-link.js';
import { descriptorOf, familyOf } from './node-sockets.js';
import type { ReadBuffer } from './read-buffer.js';
import { socketFile } from './socket-file.js';
import type { StreamLifecycle } from './stream-lifecycle.js';
import type {
  ConnectOptions,
  ShutdownHow,
  StreamSocketOptions,
  StreamSocketOptionValues,
} from './stream-options.js';
import { closeParts, type StreamParts, streamParts } from './stream-parts.js';
import type { StreamWriter } from './stream-writer.js';
import { adoptSession, sessionOf, type TlsSession } from './tls-session.js';
import { checkBoolean, checkFunction, checkOneOf, checkOptions, checkTimeout } from './validate.js';
import type { BlockingOptions } from './waiter.js';
import { socketStreams } from './web-streams.js';
import type { WriteSide } from './write-side.js';

/** Set by `StreamSocket`'s static block: its private write side, for {@link streamWriter}. */
let writerOf!: (socket: StreamSocket) => StreamWriter;

/**
 * The write side of a connected stream socket for a byte transport of a sibling package (see
 * {@link StreamWriter}); exported on `@sockkit/core/internals`.
 */
export function streamWriter(socket: StreamSocket): StreamWriter {
  if (!(socket instanceof StreamSocket)) throw new InvalidArgumentError('socket', 'a StreamSocket', socket);
  return writerOf(socket);
}

/**
 * For tls.ts (not exported by the package): swaps the Node socket under a connected `StreamSocket`
 * for the one `wrap` makes of it, a `TLSSocket` (TLS in place). Set by the class's static block.
 */
export let replaceNodeSocket: (conn: StreamSocket, wrap: (socket: Socket) => Socket) => Socket;

/**
 * A stream socket (TCP over IPv4/IPv6, or a Unix stream socket) with the classic verbs, async.
 * Where it differs from the kernel API, and why, is listed in the package README ("Where the
 * facade differs from the kernel API"). The socket holds its verbs and its timeout; its parts
 * (wired by {@link streamParts}) do the work: {@link StreamLifecycle}, {@link ReadBuffer},
 * {@link WriteSide}, {@link Connector}, {@link ListeningSide} and the {@link NodeSocketLink} that
 * ties them to the Node socket.
 *
 * @example
 * ```ts
 * const client = socket(AF_INET, SOCK_STREAM);
 * client.setTimeout(5_000);
 * await client.connect({ host: '127.0.0.1', port: 8081 });
 * await client.sendAll(new TextEncoder().encode('hello'));
 * const reply = await client.recv(1024); // empty at end of stream
 * await client.close();
 * ```
 */
export class StreamSocket implements AsyncIterable<Uint8Array>, AsyncDisposable {
  #family: AddressFamily;
  #timeout: number | null = null;
  #closed: Promise<void> | undefined;
  /** What the socket is thin over (see {@link streamParts}). */
  readonly #parts: StreamParts;

  static {
    writerOf = (socket) => socket.#parts.write.writer();
    replaceNodeSocket = (conn, wrap) => conn.#parts.link.replace(wrap);
  }

  constructor(family: AddressFamily = AF_INET, options?: StreamSocketOptions) {
    this.#family = checkOneOf('family', family, [AF_INET, AF_INET6, AF_UNIX]);
    const { highWaterMark, timeout } = checkOptions('options', options, ['highWaterMark', 'timeout']);
    this.#parts = streamParts({
      facade: this,
      family: this.#family,
      highWaterMark,
      timeout: () => this.#timeout,
      adopt: (connection) => this.#adoptAccepted(connection),
    });
    if (timeout !== undefined) this.#timeout = checkTimeout('options.timeout', timeout);
  }

  /** `AF_INET`, `AF_INET6` or `AF_UNIX`. */
  get family(): AddressFamily {
    return this.#family;
  }

  /** Received bytes waiting for `recv`, in this socket and in Node's stream buffer. */
  get bufferedBytes(): number {
    return this.#parts.read.size + (this.#parts.link.socket?.readableLength ?? 0);
  }

  /**
   * Whether this socket stopped reading from the kernel because `highWaterMark` bytes wait for
   * `recv` (TCP flow control then stalls the sender); reading below the mark resumes it.
   */
  get readPaused(): boolean {
    return this.#parts.read.paused;
  }

  /**
   * Whether Node's write buffer is past its high-water mark: the kernel is not taking bytes as fast
   * as they are sent, and `sendAll` waits for the buffer to drain.
   */
  get writeBlocked(): boolean {
    return this.#parts.write.blocked;
  }

  /** The read-side high-water mark in bytes. */
  get highWaterMark(): number {
    return this.#parts.read.highWaterMark;
  }

  /** Connections reset because `backlog` unclaimed connections were already waiting. */
  get droppedConnections(): number {
    return this.#parts.listening.dropped;
  }

  /**
   * The TLS facts of this connection (protocol, cipher, peer certificate, ALPN, authorized) once
   * its handshake finished; `undefined` for plain TCP. See `startTls`.
   */
  get tls(): TlsSession | undefined {
    return sessionOf(this.#parts.link.socket);
  }

  /** Whether `close()` was called (or the socket was never usable again). */
  get closed(): boolean {
    return this.#parts.life.closed;
  }

  /**
   * Records the local address. Node binds inside `listen`/`connect`, so an address in use is
   * reported by `listen`. Port 0 picks a free port: read it with `getSockName()` after `listen`.
   */
  bind(address: AddressInput): void {
    this.#parts.listening.bind(address);
  }

  /**
   * Starts listening. Binds the recorded address (or any address and a free port), then lets at
   * most `backlog` accepted connections wait for `accept()`; more are reset and counted.
   */
  async listen(backlog: number = DEFAULT_BACKLOG): Promise<void> {
    await this.#parts.listening.listen(backlog);
  }

  /**
   * Waits for a connection and returns it with the peer's address.
   *
   * @example
   * ```ts
   * const [conn, address] = await server.accept();
   * ```
   */
  accept(options?: BlockingOptions): Promise<[StreamSocket, SocketAddress]> {
    return this.#parts.listening.accept(options, this.#timeout);
  }

  /** Accepted connections as an async iterable, until the socket is closed. */
  incoming(options?: BlockingOptions): AsyncGenerator<[StreamSocket, SocketAddress], void, undefined> {
    return acceptUntilClosed(() => this.accept(options));
  }

  /**
   * Connects to `address`, within the timeout. Rejects with `ConnectionRefusedError`,
   * `SocketTimeoutError` (the attempt is abandoned) or another `SocketError`.
   */
  connect(address: AddressInput, options?: ConnectOptions): Promise<void> {
    return traced(
      connectChannel,
      () => ({ socket: this, address }),
      () => this.#parts.connector.connect(address, options, this.#timeout),
    );
  }

  /**
   * `connect` that returns 0 on success and the positive errno (`os.constants.errno`) on failure,
   * as Python's `connect_ex`. Invalid arguments and name-resolution failures still throw.
   */
  async connectEx(address: AddressInput, options?: ConnectOptions): Promise<number> {
    return this.connect(address, options).then(() => 0, connectErrno);
  }

  /**
   * Resolves with 1..`bufsize` received bytes as soon as any are buffered, or with an empty array
   * at orderly end of stream (and on every later call until `close()`; after it, `recv` rejects
   * with `SocketClosedError`). Bytes are views of the received chunks, not copies, whenever a
   * chunk is large enough.
   */
  recv(bufsize: number, options?: BlockingOptions): Promise<Uint8Array> {
    return this.#parts.read.receive(bufsize, options, this.#timeout);
  }

  /**
   * `recv` without a promise (as tokio's `try_read`): 1..`bufsize` buffered bytes, an empty array
   * at end of stream, or `undefined` when none wait yet, to drain the buffer in a loop from
   * {@link onReadable}. Throws what `recv` would reject with (`SocketClosedError`, the error that
   * failed the connection once the bytes before it are read).
   *
   * @example
   * ```ts
   * conn.onReadable(() => {
   *   for (let chunk = conn.tryRecv(65_536); chunk?.length; chunk = conn.tryRecv(65_536)) handle(chunk);
   * });
   * ```
   */
  tryRecv(bufsize: number): Uint8Array | undefined {
    return this.#parts.read.tryTake(bufsize);
  }

  /**
   * Calls `listener` when received bytes wait in the buffer (not when they went straight to a
   * waiting `recv`), at end of stream, and when the connection fails or closes: the cue to call
   * {@link tryRecv} until it returns `undefined`, with no promise per chunk. Bytes already waiting
   * get no cue of their own: drain once after registering. The buffer's high-water mark still
   * pauses reading while the listener leaves bytes unread. It runs inside Node's `'data'` event,
   * so it is guarded: if it throws (or its promise rejects), the error rejects the next read
   * instead of crashing the process. One listener at a time; the returned function removes it.
   */
  onReadable(listener: () => void): () => void {
    checkFunction('listener', listener);
    this.#parts.life.assertNotClosed('onReadable');
    return this.#parts.read.listen(listener);
  }

  /**
   * Hands over as many bytes as fit in the write buffer (at least 1, waiting for room when there
   * is none) and resolves with that count, which may be less than `data.length`. The bytes are
   * copied, as the kernel copies them, so `data` may be refilled once this resolves. With timeout
   * 0 and a full buffer it rejects with `BlockingIOError`.
   */
  send(data: Uint8Array, options?: BlockingOptions): Promise<number> {
    return this.#parts.write.send(data, options);
  }

  /**
   * Sends every byte and resolves once the last one was handed to the kernel, waiting for the
   * write buffer to drain as it goes. A timeout covers the whole call; its error carries
   * `bytesSent` (bytes already queued cannot be taken back).
   */
  sendAll(data: Uint8Array, options?: BlockingOptions): Promise<void> {
    return this.#parts.write.sendAll(data, options);
  }

  /** Ends reading (later `recv`s resolve empty), writing (the peer reads to end of stream), or both. */
  shutdown(how: ShutdownHow): void {
    checkOneOf('how', how, ['read', 'write', 'both']);
    const { life, link, read, write } = this.#parts;
    const socket = life.connectedSocket(link.socket, 'shutdown');
    if (how !== 'write') read.shutdown();
    if (how !== 'read') write.shutdown(socket);
  }

  /**
   * Closes the socket; idempotent. Pending calls reject with `SocketClosedError`. Bytes still in
   * Node's write buffer get up to 5 s to reach the kernel, as the kernel keeps sending after
   * `close(2)`.
   */
  close(): Promise<void> {
    return this.#close(false);
  }

  /**
   * Closes the connection with a reset (RST) instead of an orderly end (FIN), as `SO_LINGER 0`
   * then `close()`: unsent bytes are dropped and the peer's next call fails with
   * `ConnectionResetError`. Idempotent, like `close()`.
   */
  reset(): Promise<void> {
    return this.#close(true);
  }

  #close(reset: boolean): Promise<void> {
    this.#closed ??= closeParts(this.#parts, reset);
    return this.#closed;
  }

  /** Sets the timeout of blocking calls in milliseconds: `null` blocks, 0 is non-blocking. */
  setTimeout(timeout: number | null): void {
    this.#timeout = checkTimeout('timeout', timeout);
  }

  /** The timeout of blocking calls in milliseconds, `null` when they block. */
  getTimeout(): number | null {
    return this.#timeout;
  }

  /**
   * Closes the connection after `timeout` milliseconds without traffic in either direction
   * (`null` turns it off). Pending and later calls then reject with `SocketTimeoutError`.
   */
  setIdleTimeout(timeout: number | null): void {
    const idle = checkTimeout('timeout', timeout);
    const { link, life } = this.#parts;
    link.setIdleTimeout(life.connectedSocket(link.socket, 'setIdleTimeout'), idle);
  }

  /** `setBlocking(false)` is `setTimeout(0)`; `setBlocking(true)` is `setTimeout(null)`. */
  setBlocking(flag: boolean): void {
    this.#timeout = checkBoolean('flag', flag) ? null : 0;
  }

  /** The peer's address; `SocketError` `ENOTCONN` when not connected. */
  getPeerName(): SocketAddress {
    const peer = this.#parts.link.peer;
    if (peer === undefined) throw new SocketError('ENOTCONN', 'socket is not connected');
    return peer;
  }

  /** The local address: the real port once listening or connected, else the recorded `bind` address. */
  getSockName(): SocketAddress {
    return this.#parts.listening.address(this.#parts.link.socket);
  }

  /** Sets a socket option Node can honour; others throw `UnsupportedError` (errno `ENOPROTOOPT`). */
  setSockOpt<K extends keyof StreamSocketOptionValues>(name: K, value: StreamSocketOptionValues[K]): void {
    this.#parts.options.set(name, value, this.#parts.life, this.#parts.link.socket);
  }

  /** Reads back a socket option (the value set, or the default). */
  getSockOpt<K extends keyof StreamSocketOptionValues>(name: K): StreamSocketOptionValues[K] {
    return this.#parts.options.get(name);
  }

  /** The file descriptor, or -1 when there is none (not yet connected, closed, or not exposed by Node). */
  fileno(): number {
    if (this.#parts.life.closed) return -1;
    const socket = this.#parts.link.socket;
    return socket === undefined ? this.#parts.listening.fileno() : descriptorOf(socket);
  }

  /**
   * A Node `Duplex` over this socket (Python's `makefile('rwb')`): reads come from `recv`, writes
   * go through `sendAll`, `end()` shuts the write side down, `destroy()` closes the socket. Like
   * every Node stream it emits `'error'` when the socket fails (a peer reset ...): use it in
   * `pipeline` or give it an `'error'` listener, as Node crashes on an unhandled `'error'` event.
   */
  makeFile(): Duplex {
    return socketFile(this);
  }

  /** A WHATWG `ReadableStream` of received chunks (ends at end of stream). */
  get readable(): ReadableStream<Uint8Array> {
    return socketStreams(this).readable;
  }

  /** A WHATWG `WritableStream` whose writes go through `sendAll`; closing it shuts down writing. */
  get writable(): WritableStream<Uint8Array> {
    return socketStreams(this).writable;
  }

  /** Received chunks until end of stream (a plain iterator, cheaper per chunk than an async generator). */
  [Symbol.asyncIterator](): AsyncIterator<Uint8Array, undefined> {
    return chunkIterator(this);
  }

  /** `await using conn = ...` closes the socket. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * Wraps a connected `net.Socket` (one from another library; a `tls.TLSSocket` gives `conn.tls`
   * once its handshake finished) as a `StreamSocket`. It must have no `'data'` listeners of its own.
   */
  static fromNodeSocket(socket: Socket, options?: StreamSocketOptions): StreamSocket {
    if (!(socket instanceof Socket))
      throw new InvalidArgumentError('socket', 'a connected net.Socket', socket);
    const wrapped = new StreamSocket(familyOf(socket), options);
    wrapped.#parts.link.adopt(socket);
    adoptSession(socket);
    wrapped.#parts.read.resume();
    return wrapped;
  }

  /** Wraps a connection the listener accepted (paused) as an unclaimed connection of the backlog. */
  #adoptAccepted(connection: Socket): Unclaimed<StreamSocket> {
    const wrapped = new StreamSocket(this.#family, { highWaterMark: this.#parts.read.highWaterMark });
    wrapped.#parts.options.inheritFrom(this.#parts.options);
    wrapped.#parts.link.adopt(connection);
    return unclaimed(wrapped, wrapped.#parts.read);
  }
}
