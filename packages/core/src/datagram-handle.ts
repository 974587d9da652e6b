import { createSocket, type Socket } from 'node:dgram';
import { type LookupOneOptions, lookup } from 'node:dns';
import { isIP } from 'node:net';
import type { HostAddress } from './address.js';
import { AF_INET6 } from './constants.js';
import type { DatagramOptions } from './datagram-options.js';
import type { DatagramQueue } from './datagram-queue.js';
import { SocketClosedError, SocketError, toSocketError } from './errors.js';
import { checkNonEmptyString } from './validate.js';

/**
 * The Node socket under a `DatagramSocket`: created on first use (with the options that must be
 * given then), bound and connected with Node's failures turned into rejections, its events routed
 * to the receive side.
 */
export class DatagramHandle {
  readonly #family: number;
  readonly #options: DatagramOptions;
  readonly #received: DatagramQueue;
  #socket: Socket | undefined;
  #closed = false;
  #bound = false;
  #connected: HostAddress | undefined;
  /** Rejects the `bind` in progress: Node reports its failure as an `'error'` event. */
  #bindFailed: ((error: Error) => void) | undefined;
  /** Rejects the `connect` in progress (Node never calls back once the socket closes). */
  #connectFailed: ((error: unknown) => void) | undefined;
  /** The last IP literal {@link literalFamily} saw, and its family. */
  #lastLiteral: string | undefined;
  #lastLiteralFamily = 0;

  constructor(family: number, options: DatagramOptions, received: DatagramQueue) {
    this.#family = family;
    this.#options = options;
    this.#received = received;
  }

  /** Whether the Node socket exists (it does from the first bind, connect, send or membership on). */
  get created(): boolean {
    return this.#socket !== undefined;
  }

  /** The Node socket once bound (explicitly, or by a first send), else `undefined`. */
  get bound(): Socket | undefined {
    return this.#bound ? this.#socket : undefined;
  }

  /** The peer `connect` set, if any. */
  get connected(): HostAddress | undefined {
    return this.#connected;
  }

  /** Whether `connect` set a peer or is setting one: Node counts the socket connected before `connect` resolves. */
  get hasPeer(): boolean {
    return this.#connected !== undefined || this.#connectFailed !== undefined;
  }

  /** The Node socket, created on first use; `SocketClosedError` once closed. */
  ensure(): Socket {
    if (this.#closed) throw new SocketClosedError();
    if (this.#socket !== undefined) return this.#socket;
    const socket = createSocket({
      type: this.#family === AF_INET6 ? 'udp6' : 'udp4',
      reuseAddr: this.#options.reuseAddress,
      lookup: this.#lookup,
    });
    socket.on('message', this.#received.onMessage);
    socket.on('error', this.#onError);
    socket.on('listening', this.#onListening);
    this.#socket = socket;
    return socket;
  }

  async bind(local: HostAddress): Promise<void> {
    const socket = this.ensure();
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

  async connect(peer: HostAddress): Promise<void> {
    const socket = this.ensure();
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

  /** Joins or leaves a multicast group (`IP_ADD_MEMBERSHIP`/`IP_DROP_MEMBERSHIP`). */
  membership(verb: 'addMembership' | 'dropMembership', group: string, iface?: string): void {
    checkNonEmptyString('group', group);
    if (iface !== undefined) checkNonEmptyString('iface', iface);
    const socket = this.ensure();
    try {
      if (iface === undefined) socket[verb](group);
      else socket[verb](group, iface);
    } catch (error) {
      throw toSocketError(error);
    }
  }

  /** Closes the Node socket; a bind or connect in progress rejects with `closing` (Node never completes them). */
  close(closing: Error): Promise<void> {
    this.#closed = true;
    this.#bindFailed?.(closing);
    this.#connectFailed?.(closing);
    const socket = this.#socket;
    return socket === undefined ? Promise.resolve() : new Promise((resolve) => socket.close(() => resolve()));
  }

  /**
   * How Node turns a send's (or connect's) host into an address. Node's own lookup answers an IP
   * literal on the next tick, which costs every `sendTo` a tick; once the socket is bound, a
   * literal is answered at once (the send then runs inside `send()`, its callback still comes on a
   * later tick). A name, and every lookup of `bind`, go to `dns.lookup` as before.
   */
  readonly #lookup = (
    host: string,
    options: LookupOneOptions, // Node's dgram passes the family number here; dns.lookup takes either
    answer: (error: NodeJS.ErrnoException | null, address: string, family: number) => void,
  ): void => {
    const family = this.#bound ? this.literalFamily(host) : 0;
    if (family === 0) lookup(host, options, answer);
    else answer(null, host, family);
  };

  /** 4 or 6 when `host` is an IP literal, else 0; the last literal is kept, as a socket mostly talks to one peer. */
  literalFamily(host: string): number {
    if (host === this.#lastLiteral) return this.#lastLiteralFamily;
    const family = isIP(host);
    if (family !== 0) {
      this.#lastLiteral = host;
      this.#lastLiteralFamily = family;
    }
    return family;
  }

  /**
   * Applies the options set before binding. Runs inside Node's `'listening'` event, so a refused
   * option (an interface address that is not local ...) must not throw: it rejects the `bind` in
   * progress, or else (an implicit bind by the first send) becomes the next read's error.
   */
  readonly #onListening = (): void => {
    this.#bound = true;
    this.#options.applyAll(this.#socket!, (error) => {
      if (this.#bindFailed !== undefined) this.#bindFailed(error as Error);
      else this.#received.reportLate(error);
    });
  };

  /** A socket error rejects the `bind` in progress, else goes to the receive side, as the kernel's `SO_ERROR`. */
  readonly #onError = (error: Error): void => {
    if (this.#bindFailed !== undefined) this.#bindFailed(error);
    else this.#received.fail(toSocketError(error));
  };
}
