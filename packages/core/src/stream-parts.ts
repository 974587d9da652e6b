import type { Socket } from 'node:net';
import { Connector } from './connect.js';
import { type AddressFamily, DEFAULT_HIGH_WATER_MARK } from './constants.js';
import { SocketClosedError } from './errors.js';
import type { Unclaimed } from './listener.js';
import { ListeningSide } from './listening.js';
import { NodeSocketLink } from './node-socket-link.js';
import { closeSocket } from './node-sockets.js';
import { ReadBuffer } from './read-buffer.js';
import { StreamLifecycle } from './stream-lifecycle.js';
import { StreamOptions } from './stream-options.js';
import type { StreamSocket } from './stream-socket.js';
import { checkPositiveInteger } from './validate.js';
import { WriteSide } from './write-side.js';

/**
 * What a stream socket gives its parts: itself, its family, its timeout and how it wraps an
 * accepted connection.
 */
export interface PartsOwner {
  readonly facade: StreamSocket;
  readonly family: AddressFamily;
  /** `options.highWaterMark` as the caller gave it (checked here). */
  readonly highWaterMark: unknown;
  timeout(): number | null;
  adopt(connection: Socket): Unclaimed<StreamSocket>;
}

/** The named parts a `StreamSocket` is thin over, wired to each other. */
export interface StreamParts {
  readonly life: StreamLifecycle;
  readonly options: StreamOptions;
  readonly read: ReadBuffer;
  readonly write: WriteSide;
  readonly link: NodeSocketLink;
  readonly connector: Connector;
  readonly listening: ListeningSide;
}

/** Makes a stream socket's parts: each asks the others, never the socket, about the connection. */
export function streamParts(owner: PartsOwner): StreamParts {
  const { facade, family, highWaterMark } = owner;
  const options = new StreamOptions();
  const life = new StreamLifecycle(() => link.error);
  const read = new ReadBuffer(
    highWaterMark === undefined
      ? DEFAULT_HIGH_WATER_MARK
      : checkPositiveInteger('options.highWaterMark', highWaterMark),
    { assertNotClosed: () => life.assertNotClosed('recv'), assertReadable: () => life.assertUsable('recv') },
  );
  const write = new WriteSide({
    isOpen: () => life.state === 'connected' && link.error === undefined,
    assertOpen: () => life.assertUsable('send'),
    timeout: owner.timeout,
    fail: (error) => link.fail(error),
  });
  const shared = { facade, family, options, life };
  const link: NodeSocketLink = new NodeSocketLink({
    ...shared,
    read,
    write,
    connectFailed: (failure, socket) => connector.failed(failure, socket),
  });
  const listening = new ListeningSide({ ...shared, adopt: owner.adopt });
  const connector = new Connector({ ...shared, link, bound: () => listening.bound });
  return { life, options, read, write, link, connector, listening };
}

/**
 * `StreamSocket.close`/`reset` (once): the socket is closed, pending calls reject with
 * `SocketClosedError`, and the connection or listener closes.
 */
export function closeParts(parts: StreamParts, reset: boolean): Promise<void> {
  const { life, link, read, connector, listening } = parts;
  const socket = link.socket;
  if (reset && socket !== undefined && !socket.destroyed) socket.resetAndDestroy();
  life.close();
  const closing = new SocketClosedError();
  connector.cancel(new SocketClosedError('socket was closed while connecting'));
  link.failCalls(closing);
  read.clear();
  read.detach();
  return Promise.all([listening.close(closing), closeSocket(socket)]).then(() => {});
}
