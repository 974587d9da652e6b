import { Socket, type SocketConnectOpts } from 'node:net';
import { type AddressInput, formatAddress, type SocketAddress } from './address.js';
import { log } from './channels.js';
import { BlockingIOError, SocketError, SocketTimeoutError } from './errors.js';
import { abortReason, Waiter } from './waiter.js';

/** What a {@link Connector} needs of its stream socket. */
export interface ConnectOwner {
  /** Whether the socket is still connecting (not connected, closed or abandoned meanwhile). */
  connecting(): boolean;
  /** Starts an attempt: the socket is connecting, with `socket` attached. */
  begin(socket: Socket): void;
  /** The connection opened; `peer` is given for Unix sockets, whose peer Node does not report. */
  opened(peer?: SocketAddress): void;
  /** Gives the attempt up: detaches and destroys `socket`, and the socket is fresh again if still connecting. */
  abandon(socket: Socket | undefined): void;
}

/**
 * A stream socket's connect: one attempt at a time, within its timeout and signal, or
 * non-blocking as Python's (timeout 0: `BlockingIOError` now, the connect goes on in the
 * background, and the next `connect` reports `EALREADY` while it runs, or how it failed, as the
 * kernel's `SO_ERROR`).
 */
export class Connector {
  readonly #owner: ConnectOwner;
  /** The blocking attempt waiting for its outcome; none during a non-blocking one. */
  #waiter: Waiter<void> | undefined;
  /** How a non-blocking attempt failed in the background, for the next `connect`. */
  #backgroundFailure: unknown;

  constructor(owner: ConnectOwner) {
    this.#owner = owner;
  }

  /** Throws `EALREADY` while a non-blocking attempt runs, and once how the last one failed. */
  checkPrevious(): void {
    if (this.#owner.connecting() && this.#waiter === undefined) {
      throw new SocketError('EALREADY', 'a non-blocking connect is still in progress');
    }
    const failure = this.#backgroundFailure;
    if (failure !== undefined) {
      this.#backgroundFailure = undefined;
      throw failure;
    }
  }

  /** Connects to `target` (`how`: Node's options for it), waiting at most `timeout` ms. */
  async connect(
    target: AddressInput,
    how: SocketConnectOpts,
    timeout: number | null,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    if (signal?.aborted) throw abortReason(signal);
    const owner = this.#owner;
    const socket = new Socket({ allowHalfOpen: true });
    owner.begin(socket);
    const peer: SocketAddress | undefined =
      'path' in target ? { family: 'unix', path: target.path } : undefined;
    socket.once('connect', () => {
      if (!owner.connecting()) return;
      const waiter = this.#waiter;
      this.#waiter = undefined;
      owner.opened(peer);
      waiter?.resolve();
    });
    socket.connect(how);
    if (timeout === 0) throw new BlockingIOError('connect is in progress (the socket is non-blocking)');
    const waiter = new Waiter<void>(
      timeout,
      signal,
      () => new SocketTimeoutError(`connect to ${formatAddress(target)} timed out after ${timeout} ms`),
    );
    this.#waiter = waiter;
    try {
      await waiter.promise;
    } catch (error) {
      log?.('connect to %s failed: %s', formatAddress(target), error);
      this.#waiter = undefined;
      owner.abandon(socket);
      throw error;
    }
  }

  /** The attempt failed (the Node socket errored or closed while connecting). */
  failed(failure: unknown, socket: Socket | undefined): void {
    if (this.#waiter !== undefined) {
      this.#waiter.reject(failure);
      return;
    }
    this.#backgroundFailure = failure;
    this.#owner.abandon(socket);
  }

  /** The socket was closed: a waiting attempt rejects with `failure`. */
  cancel(failure: unknown): void {
    this.#waiter?.reject(failure);
  }
}

/**
 * The positive errno `connectEx` returns for a failed `connect`, as Python's `connect_ex`;
 * rethrows what has none, and name-resolution failures (a bad argument, not a connect outcome).
 */
export function connectErrno(error: unknown): number {
  if (error instanceof SocketError && error.errno !== 0 && !isResolutionError(error)) return error.errno;
  throw error;
}

function isResolutionError(error: SocketError): boolean {
  return error.code === 'ENOTFOUND' || error.code.startsWith('EAI_');
}
