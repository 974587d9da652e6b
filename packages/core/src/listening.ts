import type { Socket } from 'node:net';
import {
  type AddressInput,
  checkAddress,
  liveAddress,
  recordedAddress,
  type SocketAddress,
} from './address.js';
import { type AddressFamily, AF_UNIX, MAX_BACKLOG } from './constants.js';
import { SocketClosedError, SocketError } from './errors.js';
import { Listener, type Unclaimed } from './listener.js';
import type { Pausable } from './read-buffer.js';
import type { StreamLifecycle } from './stream-lifecycle.js';
import type { StreamOptions } from './stream-options.js';
import type { StreamSocket } from './stream-socket.js';
import { checkIntegerIn } from './validate.js';
import type { BlockingOptions } from './waiter.js';

/** What a {@link ListeningSide} needs of its stream socket. */
export interface ListenOwner {
  /** The stream socket itself: the listener's owner, named in `sockkit:server:refuse` events. */
  readonly facade: StreamSocket;
  readonly family: AddressFamily;
  /** Its remembered socket options (Node takes some when it creates the listening handle). */
  readonly options: StreamOptions;
  /** Where the socket is in its life: listening once the listener exists, fresh again if listening fails. */
  readonly life: StreamLifecycle;
  /** Wraps a connection the listener accepted (paused) as an unclaimed connection of the backlog. */
  adopt(connection: Socket): Unclaimed<StreamSocket>;
}

/**
 * A stream socket's local end: the address `bind` records (Node binds a TCP socket only inside
 * `listen`/`connect`) and the {@link Listener} that `listen` starts over it.
 */
export class ListeningSide {
  readonly #owner: ListenOwner;
  #bound: AddressInput | undefined;
  #listener: Listener<StreamSocket> | undefined;

  constructor(owner: ListenOwner) {
    this.#owner = owner;
  }

  /** The address `bind` recorded, if any. */
  get bound(): AddressInput | undefined {
    return this.#bound;
  }

  /** The listener, once `listen` started one. */
  get listener(): Listener<StreamSocket> | undefined {
    return this.#listener;
  }

  /** Connections the listener reset because its backlog was full. */
  get dropped(): number {
    return this.#listener?.dropped ?? 0;
  }

  /** `StreamSocket.bind`: records `address` on a fresh socket. */
  bind(address: AddressInput): void {
    this.#owner.life.assertState('fresh', 'bind');
    if (this.#bound !== undefined) throw new SocketError('EINVAL', 'socket is already bound');
    this.#bound = { ...checkAddress(address, this.#owner.family, 0) };
  }

  /**
   * `StreamSocket.listen`: binds the recorded address (unbound: any address of the family and a
   * free port) and listens.
   */
  async listen(backlog: number): Promise<void> {
    checkIntegerIn('backlog', backlog, 0, MAX_BACKLOG, `an integer from 0 to ${MAX_BACKLOG}`);
    const owner = this.#owner;
    owner.life.assertState('fresh', 'listen');
    if (this.#bound === undefined && owner.family === AF_UNIX) {
      throw new SocketError('EINVAL', 'an AF_UNIX socket must bind({ path }) before listen()');
    }
    const settings = owner.options.listenSettings(backlog);
    const listener = new Listener(owner.facade, settings, (connection) => owner.adopt(connection));
    this.#listener = listener;
    owner.life.listening();
    try {
      await listener.listen(recordedAddress(this.#bound, owner.family), settings);
    } catch (error) {
      if (owner.life.abandonListen()) this.#listener = undefined;
      throw error;
    }
  }

  /** `StreamSocket.accept`: the next connection, once listening; `socketTimeout` unless `options` has one. */
  accept(
    options: BlockingOptions | undefined,
    socketTimeout: number | null,
  ): Promise<[StreamSocket, SocketAddress]> {
    const listener = this.#listener;
    const { life } = this.#owner;
    if (life.state !== 'listening' || listener === undefined) {
      return Promise.reject(life.notReady('accept', 'listening'));
    }
    return listener.accept(options, socketTimeout);
  }

  /** The real local address of the listener or of `connection`, else the recorded `bind` address. */
  address(connection: Socket | undefined): SocketAddress {
    return (
      liveAddress(this.#listener?.address() ?? connection?.address()) ??
      recordedAddress(this.#bound, this.#owner.family)
    );
  }

  /** The listening descriptor, or -1. */
  fileno(): number {
    return this.#listener?.fileno() ?? -1;
  }

  /** Stops listening (see `Listener.close`); resolves at once when not listening. */
  close(reason: SocketClosedError): Promise<void> {
    return this.#listener?.close(reason) ?? Promise.resolve();
  }
}

/**
 * An accepted `connection` waiting in the backlog, its reading paused: claiming it resumes
 * `reading` and hands it out with its peer's address.
 */
export function unclaimed(connection: StreamSocket, reading: Pausable): Unclaimed<StreamSocket> {
  return {
    claim: () => {
      reading.resume();
      return [connection, connection.getPeerName()];
    },
    close: () => connection.close(),
  };
}

/** What `accept` resolves with, until it rejects with `SocketClosedError` (other errors are thrown). */
export async function* acceptUntilClosed<T>(accept: () => Promise<T>): AsyncGenerator<T, void, undefined> {
  for (;;) {
    try {
      yield await accept();
    } catch (error) {
      if (error instanceof SocketClosedError) return;
      throw error;
    }
  }
}
