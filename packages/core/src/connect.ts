import { Socket } from 'node:net';
import {
  type AddressInput,
  checkAddress,
  connectOptionsOf,
  formatAddress,
  type SocketAddress,
} from './address.js';
import { log } from './channels.js';
import type { AddressFamily } from './constants.js';
import { BlockingIOError, SocketError, SocketTimeoutError, toSocketError } from './errors.js';
import type { NodeSocketLink } from './node-socket-link.js';
import type { StreamLifecycle } from './stream-lifecycle.js';
import type { ConnectOptions, StreamOptions } from './stream-options.js';
import { abortReason, effectiveTimeout, Waiter } from './waiter.js';

/** What a {@link Connector} needs of its stream socket. */
export interface ConnectOwner {
  /** The socket's address family: the address `connect` is given must be of it. */
  readonly family: AddressFamily;
  /** Where the socket is in its life: connecting while an attempt runs. */
  readonly life: StreamLifecycle;
  /** Its remembered socket options (`noDelay` goes into Node's connect options). */
  readonly options: StreamOptions;
  /** Attaches the attempt's Node socket, records the opened connection, and gives the attempt up. */
  readonly link: Pick<NodeSocketLink, 'begin' | 'opened' | 'abandon'>;
  /** The address `bind` recorded, to connect from. */
  bound(): AddressInput | undefined;
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
  #checkPrevious(): void {
    if (this.#owner.life.state === 'connecting' && this.#waiter === undefined) {
      throw new SocketError('EALREADY', 'a non-blocking connect is still in progress');
    }
    const failure = this.#backgroundFailure;
    if (failure !== undefined) {
      this.#backgroundFailure = undefined;
      throw failure;
    }
  }

  /**
   * `StreamSocket.connect`: checks the call, then connects to `address` within the timeout of
   * `options` (else `socketTimeout`).
   */
  async connect(
    address: AddressInput,
    options: ConnectOptions | undefined,
    socketTimeout: number | null,
  ): Promise<void> {
    const { family, life, link } = this.#owner;
    const target = checkAddress(address, family, 1);
    this.#checkPrevious();
    life.assertState('fresh', 'connect');
    const how = connectOptionsOf(target, family, this.#owner.bound(), this.#owner.options.noDelay);
    const timeout = effectiveTimeout(options, socketTimeout);
    const signal = options?.signal;
    if (signal?.aborted) throw abortReason(signal);
    const socket = new Socket({ allowHalfOpen: true });
    link.begin(socket);
    const peer: SocketAddress | undefined =
      'path' in target ? { family: 'unix', path: target.path } : undefined;
    socket.once('connect', () => {
      // Taken before opened(): its 'open' event may close the socket, which must not fail this
      // connect (the waiter is settled or gone already when opened() records nothing).
      const waiter = this.#waiter;
      this.#waiter = undefined;
      if (link.opened(peer)) waiter?.resolve();
    });
    try {
      socket.connect(how);
    } catch (error) {
      // Node refuses some arguments only now (a bound host that is a name, not an address).
      link.abandon(socket);
      throw toSocketError(error);
    }
    if (timeout === 0) {
      throw new BlockingIOError('connect is in progress (the socket is non-blocking)', {
        code: 'EINPROGRESS',
      });
    }
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
      link.abandon(socket);
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
    this.#owner.link.abandon(socket);
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
