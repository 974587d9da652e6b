import { createSocket } from 'node:dgram';
import { once } from 'node:events';

/** A request envelope with id `n` (as the 8-byte id) around payload `[n]`. */
export function requestEnvelope(n: number): Buffer {
  const datagram = Buffer.alloc(12);
  datagram.set([0xd5, 0x4b, 0x01]);
  datagram.writeUInt32BE(n, 7);
  datagram[11] = n;
  return datagram;
}

/**
 * A raw client of the server on `port`: it sends datagrams itself, so nothing is retransmitted
 * behind the test's back, and records every reply. `using` closes it.
 */
export async function rawClient(port: number) {
  const socket = createSocket('udp4');
  await once(socket.bind(0, '127.0.0.1'), 'listening');
  const replies: Buffer[] = [];
  socket.on('message', (reply: Buffer) => replies.push(reply));
  return {
    replies,
    send: (datagram: Buffer) => socket.send(datagram, port, '127.0.0.1'),
    [Symbol.dispose]: () => socket.close(),
  };
}
