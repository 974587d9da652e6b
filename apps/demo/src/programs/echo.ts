import { isIP } from 'node:net';
import {
  AF_INET,
  AF_INET6,
  ConnectionResetError,
  type SocketAddress,
  type StreamSocket,
  socket,
  startTls,
} from '@sockkit/core';
import { formatAddress } from '../cli/args.js';
import type { ServerTls } from '../cli/tls.js';

/** The tutorial's buffer size: `recv(1024)` is a maximum, not an amount. */
const RECV_SIZE = 1024;

/**
 * The communication loop: receive up to 1024 bytes, send them all back, until the peer
 * ends its side (`recv` resolves empty) or resets. Stopping only interrupts a `recv`
 * that is waiting: a reply already being sent is finished first.
 */
async function echoConnection(conn: StreamSocket, signal?: AbortSignal, tls?: ServerTls): Promise<number> {
  let echoed = 0;
  try {
    // Python's context.wrap_socket(conn, server_side=True): the same verbs from here on, encrypted.
    if (tls !== undefined) await startTls(conn, { isServer: true, ...tls, ...(signal ? { signal } : {}) });
    while (!signal?.aborted) {
      const data = await conn.recv(RECV_SIZE, signal ? { signal } : {});
      if (data.length === 0) break; // end of stream: the client closed its side
      await conn.sendAll(data);
      echoed += data.length;
    }
  } catch (error) {
    // A reset is how many clients say goodbye; a stop request is ours. Anything else is news.
    if (!(error instanceof ConnectionResetError) && !signal?.aborted) throw error;
  } finally {
    await conn.close();
  }
  return echoed;
}

export interface EchoServer {
  readonly address: SocketAddress;
  /** Resolves once the server stopped accepting and every connection finished. */
  readonly closed: Promise<void>;
}

/**
 * The connection loop: `socket`, `bind`, `listen`, then `accept` until `signal` aborts,
 * each connection running its own communication loop so one slow client never blocks
 * the next (the tutorial's server serves one client at a time). With `tls`, each accepted
 * connection is upgraded to TLS before its communication loop.
 */
export async function startEchoServer(
  { host, port }: { host: string; port: number },
  signal: AbortSignal,
  log: (line: string) => void = () => {},
  tls?: ServerTls,
): Promise<EchoServer> {
  const listener = socket(isIP(host) === 6 ? AF_INET6 : AF_INET);
  listener.bind({ host, port });
  await listener.listen(128);
  const address = listener.getSockName();
  const connections = new Set<Promise<unknown>>();

  async function acceptLoop(): Promise<void> {
    try {
      while (!signal.aborted) {
        const [conn, peer] = await listener.accept({ signal });
        log(`pid ${process.pid}: connection from ${formatAddress(peer)}`);
        const served = echoConnection(conn, signal, tls).then(
          (bytes) => log(`pid ${process.pid}: ${formatAddress(peer)} done, ${bytes} bytes echoed`),
          (error: unknown) => log(`pid ${process.pid}: ${formatAddress(peer)} failed: ${String(error)}`),
        );
        connections.add(served);
        void served.finally(() => connections.delete(served));
      }
    } catch (error) {
      if (!signal.aborted) throw error;
    } finally {
      await Promise.all([listener.close(), ...connections]);
    }
  }

  return { address, closed: acceptLoop() };
}

/**
 * Sends one message and reads until the whole echo is back: `recv(1024)` may return part
 * of it (TCP has no message boundaries), so one `recv` per `send` is only luck. Resolves
 * with the echo and how many `recv` calls it took, or `undefined` when the server ended
 * the connection first.
 */
export async function echoRoundTrip(
  conn: StreamSocket,
  message: string,
): Promise<{ readonly echo: string; readonly recvCalls: number } | undefined> {
  const sent = Buffer.from(message, 'utf8');
  await conn.sendAll(sent);
  const parts: Uint8Array[] = [];
  let received = 0;
  while (received < sent.length) {
    const part = await conn.recv(RECV_SIZE);
    if (part.length === 0) return undefined;
    parts.push(part);
    received += part.length;
  }
  return { echo: Buffer.concat(parts).toString('utf8'), recvCalls: parts.length };
}
