/** Sockets and payload shared by the benchmarks. */
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';

export const loopback = '127.0.0.1';
export const PAYLOAD = Buffer.alloc(64, 7);

export async function rawSocket(): Promise<Socket> {
  const socket = createSocket('udp4');
  await once(socket.bind(0, loopback), 'listening');
  return socket;
}

export const closeRaw = (socket: Socket) => new Promise<void>((resolve) => socket.close(() => resolve()));

/** One run of one contender: operations per second of wall time, and how many operations. */
export interface Measured {
  readonly rate: number;
  readonly ops: number;
}
