/**
 * Core's documented `diagnostics_channel` channels and `NODE_DEBUG=sockkit:core` lines. Call
 * sites stay one guarded line: each `announce…` builds its payload only after its own check.
 * Payloads carry sockets, addresses, sizes and errors, never received or sent bytes.
 */
import type { Socket } from 'node:net';
import { type AddressInput, formatAddress, type SocketAddress, toSocketAddress } from './address.js';
import type { DatagramSocket } from './datagram-socket.js';
import { eventChannel, operationChannel, packageDebugLog } from './diagnostics.js';
import type { SocketServer } from './server.js';
import type { StreamSocket } from './stream-socket.js';

/** Core's debug logger: `NODE_DEBUG=sockkit` or `NODE_DEBUG=sockkit:core`; `undefined` when off. */
export const log = packageDebugLog('core');

/** Context of the `sockkit:socket:connect` TracingChannel (`connect`, `connectEx`, `createConnection`). */
export interface SocketConnectContext {
  readonly socket: StreamSocket;
  /** The address given to `connect`, as given. */
  readonly address: AddressInput;
  /** Set by the TracingChannel on `error`. */
  error?: unknown;
}

/** Context of the `sockkit:socket:tls` TracingChannel: one TLS handshake (`startTls`, `createConnection`, a TLS server). */
export interface SocketTlsContext {
  readonly socket: StreamSocket;
  /** Whether this side is the TLS server. */
  readonly isServer: boolean;
  /** Set by the TracingChannel on `error`: the typed `TlsError`, `TlsHandshakeTimeoutError` ... */
  error?: unknown;
}

/** Payload of `sockkit:socket:open`: a stream socket is connected (by `connect` or `accept`). */
export interface SocketOpenEvent {
  readonly socket: StreamSocket;
  readonly localAddress: SocketAddress;
  readonly remoteAddress: SocketAddress;
}

/** Payload of `sockkit:socket:close`: a connected stream socket's connection is closed. */
export interface SocketCloseEvent {
  readonly socket: StreamSocket;
  /** The local address recorded at open (`undefined` if nobody observed the open). */
  readonly localAddress: SocketAddress | undefined;
  readonly remoteAddress: SocketAddress;
  /** Milliseconds from open to close. */
  readonly duration: number;
  readonly bytesRead: number;
  readonly bytesWritten: number;
  /** Why the connection ended, when it failed (reset, idle timeout ...). */
  readonly error: unknown;
}

/** Payload of `sockkit:server:accept`: a `createServer` server admitted a connection. */
export interface ServerAcceptEvent {
  readonly server: SocketServer;
  readonly socket: StreamSocket;
  readonly remoteAddress: SocketAddress;
}

/** Why a connection was reset as soon as it was accepted. */
export type RefuseReason = 'maxConnections' | 'maxConnectionsPerAddress' | 'backlog';

/** Payload of `sockkit:server:refuse`. `server` is the listening `StreamSocket` for `'backlog'`. */
export interface ServerRefuseEvent {
  readonly server: SocketServer | StreamSocket;
  readonly remoteAddress: SocketAddress;
  readonly reason: RefuseReason;
}

/** Why a received datagram was dropped: the receive queue was full in count or in bytes. */
export type DatagramDropReason = 'maxQueuedDatagrams' | 'maxQueuedBytes';

/** Payload of `sockkit:datagram:drop`. */
export interface DatagramDropEvent {
  readonly socket: DatagramSocket;
  readonly remoteAddress: SocketAddress;
  /** Length of the dropped datagram in bytes (its bytes are not included). */
  readonly size: number;
  readonly reason: DatagramDropReason;
}

export const connectChannel = operationChannel<SocketConnectContext>('sockkit:socket:connect');
export const tlsChannel = operationChannel<SocketTlsContext>('sockkit:socket:tls');
const openChannel = eventChannel<SocketOpenEvent>('sockkit:socket:open');
const closeChannel = eventChannel<SocketCloseEvent>('sockkit:socket:close');
const acceptChannel = eventChannel<ServerAcceptEvent>('sockkit:server:accept');
const refuseChannel = eventChannel<ServerRefuseEvent>('sockkit:server:refuse');
const datagramDropChannel = eventChannel<DatagramDropEvent>('sockkit:datagram:drop');

/** Whether anyone watches connections open or close: only then is the local address recorded. */
export function lifecycleObserved(): boolean {
  return log !== undefined || openChannel.hasSubscribers || closeChannel.hasSubscribers;
}

/** Announces an open connection and returns its local address, for the close event. */
export function announceOpen(socket: StreamSocket, remoteAddress: SocketAddress): SocketAddress {
  const localAddress = socket.getSockName();
  log?.('open %s <-> %s', formatAddress(localAddress), formatAddress(remoteAddress));
  if (openChannel.hasSubscribers) openChannel.publish({ socket, localAddress, remoteAddress });
  return localAddress;
}

/** Announces the end of a connection that was open since `openedAt` (`performance.now()`). */
export function announceClose(
  socket: StreamSocket,
  connection: Socket,
  localAddress: SocketAddress | undefined,
  remoteAddress: SocketAddress,
  openedAt: number,
  error: unknown,
): void {
  const duration = performance.now() - openedAt;
  const { bytesRead, bytesWritten } = connection;
  log?.(
    'close %s after %d ms, %d bytes read, %d written%s',
    formatAddress(remoteAddress),
    Math.round(duration),
    bytesRead,
    bytesWritten,
    error === undefined ? '' : `: ${String(error)}`,
  );
  if (closeChannel.hasSubscribers) {
    closeChannel.publish({ socket, localAddress, remoteAddress, duration, bytesRead, bytesWritten, error });
  }
}

export function announceAccept(
  server: SocketServer,
  socket: StreamSocket,
  remoteAddress: SocketAddress,
): void {
  log?.('accept %s', formatAddress(remoteAddress));
  if (acceptChannel.hasSubscribers) acceptChannel.publish({ server, socket, remoteAddress });
}

export function announceRefuse(
  server: SocketServer | StreamSocket,
  remoteAddress: SocketAddress,
  reason: RefuseReason,
): void {
  log?.('refuse %s: %s', formatAddress(remoteAddress), reason);
  if (refuseChannel.hasSubscribers) refuseChannel.publish({ server, remoteAddress, reason });
}

/** The peer of a raw accepted connection, for a refusal before it was wrapped. */
export function peerOf(connection: Socket): SocketAddress {
  const { remoteAddress, remotePort, remoteFamily } = connection;
  if (remoteAddress === undefined) return { family: 'unix', path: '' };
  return toSocketAddress(remoteAddress, remotePort ?? 0, remoteFamily ?? '');
}

/** Whether a dropped datagram must be announced (call sites check this first). */
export function datagramDropObserved(): boolean {
  return log !== undefined || datagramDropChannel.hasSubscribers;
}

export function announceDatagramDrop(
  socket: DatagramSocket,
  remoteAddress: SocketAddress,
  size: number,
  reason: DatagramDropReason,
): void {
  log?.('drop datagram of %d bytes from %s: %s', size, formatAddress(remoteAddress), reason);
  if (datagramDropChannel.hasSubscribers)
    datagramDropChannel.publish({ socket, remoteAddress, size, reason });
}
