import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { formatAddress, type SocketAddress, toSocketAddress } from './address.js';
import { announceClose, announceOpen, lifecycleObserved, log } from './channels.js';
import { type AddressFamily, AF_UNIX } from './constants.js';
import {
  InvalidStateError,
  SocketClosedError,
  SocketError,
  SocketTimeoutError,
  toSocketError,
} from './errors.js';
import { ignoreError } from './node-sockets.js';
import type { ReadBuffer } from './read-buffer.js';
import type { StreamLifecycle } from './stream-lifecycle.js';
import type { StreamOptions } from './stream-options.js';
import type { StreamSocket } from './stream-socket.js';
import type { WriteSide } from './write-side.js';

/** What a {@link NodeSocketLink} needs of its stream socket: its parts, and where it is in its life. */
export interface LinkOwner {
  /** The stream socket itself, named in `sockkit:socket:open`/`close` events. */
  readonly facade: StreamSocket;
  readonly family: AddressFamily;
  readonly read: ReadBuffer;
  readonly write: WriteSide;
  /** Its remembered socket options (`noDelay` and `keepAlive` are applied when a connection opens). */
  readonly options: StreamOptions;
  /** Where it is in its life: the link moves it to connecting and connected. */
  readonly life: StreamLifecycle;
  /** The Node socket errored or closed while connecting: the connect attempt failed with `failure`. */
  connectFailed(failure: unknown, socket: Socket | undefined): void;
}

/**
 * A stream socket's tie to its Node socket, as ws's `setSocket`: attaches and detaches the Node
 * socket's events to the read buffer and the write side, records the peer and the connection's
 * first failure, announces the connection's open and close, runs the idle timeout, and swaps the
 * Node socket for a TLS one in place.
 */
export class NodeSocketLink {
  readonly #owner: LinkOwner;
  #socket: Socket | undefined;
  #peer: SocketAddress | undefined;
  #error: unknown;
  /** When the connection opened (`performance.now()`) and, if observed, its local address. */
  #openedAt: number | undefined;
  #localAtOpen: SocketAddress | undefined;

  constructor(owner: LinkOwner) {
    this.#owner = owner;
  }

  /** The attached Node socket, if any. */
  get socket(): Socket | undefined {
    return this.#socket;
  }

  /** The peer's address, once connected. */
  get peer(): SocketAddress | undefined {
    return this.#peer;
  }

  /** Sticky failure of the connection: rejects every later call once buffered bytes are read. */
  get error(): unknown {
    return this.#error;
  }

  attach(socket: Socket): void {
    const { read, write } = this.#owner;
    this.#socket = socket;
    read.attach(socket);
    socket.on('data', this.#onData);
    socket.on('end', this.#onEnd);
    socket.on('error', this.#onError);
    write.attach(socket);
    socket.on('close', this.#onClose);
  }

  detach(): void {
    const socket = this.#socket;
    if (socket === undefined) return;
    socket.off('data', this.#onData);
    socket.off('end', this.#onEnd);
    this.#owner.write.detach();
    socket.off('close', this.#onClose);
    // A destroyed socket may still report an error: keep one listener so it is never unhandled.
    socket.off('error', this.#onError);
    socket.on('error', ignoreError);
    this.#socket = undefined;
    this.#owner.read.detach();
  }

  /** Starts a connection over `socket`: the stream socket is connecting, with `socket` attached. */
  begin(socket: Socket): void {
    this.#owner.life.connecting();
    this.attach(socket);
  }

  /**
   * The attached socket's connection opened: the stream socket is connected. `peer` is given for
   * Unix sockets, whose peer Node does not report. False (nothing recorded) when the stream socket
   * is no longer connecting: the attempt was given up or the socket closed.
   */
  opened(peer?: SocketAddress): boolean {
    const { family, options, life } = this.#owner;
    if (!life.connected()) return false;
    const socket = this.#socket!;
    if (family === AF_UNIX) {
      this.#peer = peer ?? { family: 'unix', path: '' };
    } else {
      this.#peer = toSocketAddress(
        socket.remoteAddress ?? '',
        socket.remotePort ?? 0,
        socket.remoteFamily ?? '',
      );
    }
    if (options.noDelay) socket.setNoDelay(true);
    if (options.keepAlive) socket.setKeepAlive(true);
    this.#openedAt = performance.now();
    if (lifecycleObserved()) this.#localAtOpen = announceOpen(this.#owner.facade, this.#peer);
    return true;
  }

  /**
   * Takes over a Node socket already connected (accepted, or wrapped by `fromNodeSocket`), its
   * reading paused.
   */
  adopt(socket: Socket): void {
    this.begin(socket);
    this.opened();
    this.#owner.read.pause();
  }

  /**
   * Gives a connect attempt up: detaches and destroys `socket`; a stream socket still connecting
   * is fresh again.
   */
  abandon(socket: Socket | undefined): void {
    this.detach();
    socket?.destroy();
    this.#owner.life.abandonConnect();
  }

  /** Records the first failure of the connection and returns its typed form. */
  fail(error: unknown): unknown {
    const typed = toSocketError(error);
    if (this.#error === undefined && this.#owner.life.state !== 'connecting') this.#error = typed;
    return this.#error ?? typed;
  }

  /** Closes the connected socket after `idle` ms without traffic; `null` or 0 turns that off. */
  setIdleTimeout(socket: Socket, idle: number | null): void {
    socket.setTimeout(idle ?? 0);
    if (idle === null || idle === 0) socket.off('timeout', this.#onIdle);
    else if (socket.listenerCount('timeout') === 0) socket.on('timeout', this.#onIdle);
  }

  /**
   * TLS in place (see `replaceNodeSocket`). Received bytes not yet read by `recv` go back into
   * the Node socket, as the start of what `wrap`'s socket reads (a STARTTLS peer may send its
   * ClientHello right behind its plaintext command); an idle timeout moves to the new socket.
   */
  replace(wrap: (socket: Socket) => Socket): Socket {
    const { read, write } = this.#owner;
    const socket = write.writableSocket();
    // Over TLS already (or in its handshake): a second layer's ClientHello would reach the peer as data.
    if (socket instanceof TLSSocket) throw new InvalidStateError('this socket already speaks TLS');
    if (read.shut || read.ended || write.turnTaken || socket.writableLength > 0) {
      throw new SocketError('EINVAL', 'TLS needs an open connection with no send in progress');
    }
    socket.pause();
    this.detach();
    const unread: Uint8Array[] = [];
    while (read.size > 0) unread.push(read.take(read.size));
    if (unread.length > 0) socket.unshift(Buffer.concat(unread));
    let wrapped: Socket;
    try {
      wrapped = wrap(socket);
    } catch (error) {
      // Nothing changed hands: carry on over the plain socket, the unread bytes back in front.
      this.attach(socket);
      socket.resume();
      throw toSocketError(error);
    }
    this.attach(wrapped);
    const idle = socket.timeout ?? 0;
    if (idle > 0) {
      socket.setTimeout(0).off('timeout', this.#onIdle);
      wrapped.setTimeout(idle).on('timeout', this.#onIdle);
    }
    return wrapped;
  }

  readonly #onIdle = (): void => {
    const socket = this.#socket;
    log?.('idle timeout (%d ms) fired on %s', socket?.timeout, this.#peer && formatAddress(this.#peer));
    this.#error ??= new SocketTimeoutError(`connection was idle for ${socket?.timeout} ms and was closed`);
    this.failCalls(this.#error);
    // With the error, so that a TLS handshake waiting on the socket learns why it closed.
    socket?.destroy(this.#error as Error);
  };

  /**
   * Bytes after `shutdown('read')` are dropped; so are bytes after `close()`, which still reads
   * while Node's write buffer flushes, and no longer pauses at the mark.
   */
  readonly #onData = (chunk: Buffer): void => {
    const { read } = this.#owner;
    if (!read.shut && !this.#owner.life.closed) read.push(chunk);
  };

  readonly #onEnd = (): void => {
    this.#owner.read.end();
  };

  readonly #onError = (error: Error): void => {
    const failure = this.fail(error);
    if (this.#owner.life.state === 'connecting') this.#owner.connectFailed(failure, this.#socket);
    else this.failCalls(failure);
  };

  readonly #onClose = (): void => {
    const { read, write } = this.#owner;
    const state = this.#owner.life.state;
    if (this.#openedAt !== undefined && state !== 'connecting') this.#announceClosed();
    if (state === 'connecting') {
      this.#owner.connectFailed(new SocketClosedError('connection closed while connecting'), this.#socket);
      return;
    }
    if (state !== 'connected') return;
    // Closed under us without an error or FIN (e.g. an idle timeout): later calls see it as closed.
    if (this.#error === undefined && !read.ended)
      this.#error = new SocketClosedError('connection was closed');
    if (read.ended) read.endReaders();
    else read.failReaders(this.#error);
    write.failWriters(this.#error ?? new SocketClosedError());
  };

  /** Pending reads and writes reject with `failure`. */
  failCalls(failure: unknown): void {
    this.#owner.read.failReaders(failure);
    this.#owner.write.failWriters(failure);
  }

  #announceClosed(): void {
    const connection = this.#socket;
    if (connection !== undefined && this.#peer !== undefined) {
      const { facade } = this.#owner;
      announceClose(facade, connection, this.#localAtOpen, this.#peer, this.#openedAt ?? 0, this.#error);
    }
  }
}
