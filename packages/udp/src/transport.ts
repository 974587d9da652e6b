import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import type { UdpType } from './size.js';

/** A datagram's sender as the endpoint reports it. */
export interface DatagramSource {
  readonly family: 'IPv4' | 'IPv6';
  readonly host: string;
  readonly port: number;
}

/** The socket operations an endpoint needs. PROTOTYPE over node:dgram until core's DatagramSocket lands. */
export interface DatagramTransport {
  readonly address: DatagramSource;
  /** Datagrams the socket layer itself dropped before the endpoint saw them. */
  readonly dropped: number;
  send(data: Uint8Array, host: string, port: number): Promise<void>;
  setBroadcast(flag: boolean): void;
  setMulticastTTL(ttl: number): void;
  setMulticastLoopback(flag: boolean): void;
  setMulticastInterface(iface: string): void;
  addMembership(group: string, iface?: string): void;
  dropMembership(group: string, iface?: string): void;
  close(): Promise<void>;
}

export interface TransportOptions {
  readonly type: UdpType;
  readonly host: string;
  readonly port: number;
  readonly reuseAddress: boolean;
}

export async function openTransport(
  options: TransportOptions,
  onDatagram: (data: Uint8Array, from: DatagramSource) => void,
): Promise<DatagramTransport> {
  const socket: Socket = createSocket({ type: options.type, reuseAddr: options.reuseAddress });
  socket.on('message', (data, info) =>
    onDatagram(data, { family: info.family as 'IPv4' | 'IPv6', host: info.address, port: info.port }),
  );
  const failed = once(socket, 'error');
  socket.bind(options.port, options.host);
  await Promise.race([once(socket, 'listening'), failed.then(([error]) => Promise.reject(error))]);
  const local = socket.address();
  return {
    address: { family: local.family as 'IPv4' | 'IPv6', host: local.address, port: local.port },
    dropped: 0,
    send: (data, host, port) =>
      new Promise<void>((resolve, reject) =>
        socket.send(data, port, host, (error) => (error ? reject(error) : resolve())),
      ),
    setBroadcast: (flag) => socket.setBroadcast(flag),
    setMulticastTTL: (ttl) => socket.setMulticastTTL(ttl),
    setMulticastLoopback: (flag) => socket.setMulticastLoopback(flag),
    setMulticastInterface: (iface) => socket.setMulticastInterface(iface),
    addMembership: (group, iface) => socket.addMembership(group, iface),
    dropMembership: (group, iface) => socket.dropMembership(group, iface),
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
