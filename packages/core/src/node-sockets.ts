import type { Server, Socket } from 'node:net';
import { type AddressFamily, AF_INET, AF_INET6, AF_UNIX, DEFAULT_CLOSE_FLUSH_TIMEOUT } from './constants.js';

/** An `'error'` listener for a Node socket whose errors no longer concern anyone (it is being dropped). */
export function ignoreError(): void {}

/** The file descriptor under a Node socket or server, or -1 when Node does not expose one. */
export function descriptorOf(owner: Socket | Server | undefined): number {
  const fd = (owner as { _handle?: { fd?: unknown } } | undefined)?._handle?.fd;
  return typeof fd === 'number' ? fd : -1;
}

/** The address family of a connected Node socket's peer. */
export function familyOf(socket: Socket): AddressFamily {
  return socket.remoteFamily === 'IPv6' ? AF_INET6 : socket.remoteFamily === 'IPv4' ? AF_INET : AF_UNIX;
}

/**
 * Closes a connected Node socket as `close(2)` would: bytes still in Node's write buffer get up to
 * `DEFAULT_CLOSE_FLUSH_TIMEOUT` ms to reach the kernel, then the socket is destroyed.
 */
export function closeSocket(socket: Socket | undefined): Promise<void> {
  if (socket === undefined || socket.closed) return Promise.resolve();
  return new Promise((resolve) => {
    socket.once('close', () => resolve());
    if (socket.writableLength === 0 || socket.destroyed) {
      socket.destroy();
      return;
    }
    const timer = setTimeout(() => socket.destroy(), DEFAULT_CLOSE_FLUSH_TIMEOUT);
    socket.once('close', () => clearTimeout(timer));
    socket.end(() => socket.destroy());
  });
}
