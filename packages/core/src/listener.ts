import { Server, type Socket } from 'node:net';
import type { AddressInput, SocketAddress } from './address.js';
import { announceRefuse, peerOf } from './channels.js';
import { SocketClosedError, toSocketError } from './errors.js';
import { descriptorOf, ignoreError } from './node-sockets.js';
import type { StreamSocket } from './stream-socket.js';
import { type BlockingOptions, checkBlocking, type Waiter, WaiterList, waitIn } from './waiter.js';

/**
 * An accepted connection waiting in the backlog for `accept()`: the listener hands it out with
 * `claim` (which lets it start reading) or closes it when the listener closes. The stream socket
 * implements it over its private state, so the listener never reaches into that state itself.
 */
export interface Unclaimed<T> {
  claim(): [T, SocketAddress];
  close(): Promise<void>;
}

/** How a listener binds: `listen(2)`'s backlog and the options Node takes at listen time. */
export interface ListenSettings {
  readonly backlog: number;
  readonly noDelay: boolean;
  readonly ipv6Only: boolean;
  readonly reusePort: boolean;
}

/**
 * The listening side of a stream socket. Node accepts every connection eagerly; this keeps the
 * classic backlog: at most `backlog` accepted connections wait, paused (their bytes stay in the
 * kernel), for `accept()`, and further ones are reset and counted in `dropped`.
 */
export class Listener<T> {
  readonly #server: Server;
  /** As Linux, backlog 0 still lets one connection wait. */
  readonly #backlog: number;
  readonly #adopt: (connection: Socket) => Unclaimed<T>;
  /** The listening socket this serves, named in `sockkit:server:refuse` events. */
  readonly #owner: StreamSocket;
  readonly #unclaimed: Unclaimed<T>[] = [];
  readonly #acceptors = new WaiterList<Waiter<[T, SocketAddress]>>();
  #dropped = 0;
  #closed = false;

  /** `adopt` wraps a connection Node accepted, paused, as an unclaimed connection. */
  constructor(owner: StreamSocket, settings: ListenSettings, adopt: (connection: Socket) => Unclaimed<T>) {
    this.#owner = owner;
    this.#backlog = Math.max(settings.backlog, 1);
    this.#adopt = adopt;
    this.#server = new Server({ allowHalfOpen: true, pauseOnConnect: true, noDelay: settings.noDelay });
    this.#server.on('connection', this.#onConnection);
  }

  /** Connections reset because the backlog was full. */
  get dropped(): number {
    return this.#dropped;
  }

  /** The bound address (`net.Server.address()`), once listening. */
  address(): ReturnType<Server['address']> {
    return this.#server.address();
  }

  /** The listening descriptor, or -1. */
  fileno(): number {
    return descriptorOf(this.#server);
  }

  /**
   * Binds `address` and listens. Rejects with the typed error (`AddressInUseError` ...), or with
   * `SocketClosedError` when `close()` came first.
   */
  async listen(address: AddressInput, settings: ListenSettings): Promise<void> {
    const server = this.#server;
    const { backlog } = settings;
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        const listenOptions =
          'path' in address
            ? { path: address.path, backlog }
            : {
                host: address.host,
                port: address.port,
                backlog,
                ipv6Only: settings.ipv6Only,
                ...(settings.reusePort ? { reusePort: true } : {}),
              };
        server.listen(listenOptions, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      server.close();
      if (this.#closed) throw new SocketClosedError('socket was closed while starting to listen');
      throw toSocketError(error);
    }
    if (this.#closed) {
      server.close();
      throw new SocketClosedError('socket was closed while starting to listen');
    }
    server.on('error', (error) => {
      const failure = toSocketError(error);
      for (const acceptor of this.#acceptors.drain()) acceptor.reject(failure);
    });
  }

  /** The oldest unclaimed connection, or the next to arrive. `socketTimeout` applies unless `options` has one. */
  accept(options: BlockingOptions | undefined, socketTimeout: number | null): Promise<[T, SocketAddress]> {
    try {
      checkBlocking(options);
    } catch (error) {
      return Promise.reject(error);
    }
    const next = this.#unclaimed.shift();
    if (next !== undefined) return Promise.resolve(next.claim());
    return waitIn(this.#acceptors, options, socketTimeout, 0, 'accept');
  }

  /**
   * Stops listening: waiting `accept`s reject with `reason` and unclaimed connections close.
   * Node's own close callback would wait for every accepted connection to end, but those belong
   * to their own sockets now, so this resolves once the listening handle is closed.
   */
  close(reason: SocketClosedError): Promise<void> {
    this.#closed = true;
    for (const acceptor of this.#acceptors.drain()) acceptor.reject(reason);
    const unclaimed = this.#unclaimed.splice(0).map((connection) => connection.close());
    if (this.#server.listening) this.#server.close();
    const handleClosed = new Promise<void>((resolve) => setImmediate(resolve));
    return Promise.all([...unclaimed, handleClosed]).then(() => {});
  }

  readonly #onConnection = (connection: Socket): void => {
    connection.on('error', ignoreError);
    const acceptor = this.#acceptors.shift();
    if (acceptor === undefined && (this.#closed || this.#unclaimed.length >= this.#backlog)) {
      this.#dropped += 1;
      announceRefuse(this.#owner, peerOf(connection), 'backlog');
      connection.resetAndDestroy();
      return;
    }
    // Paused until claimed by accept(): bytes stay in the kernel, as in the classic backlog.
    connection.pause();
    const unclaimed = this.#adopt(connection);
    connection.off('error', ignoreError);
    if (acceptor === undefined) this.#unclaimed.push(unclaimed);
    else acceptor.resolve(unclaimed.claim());
  };
}
