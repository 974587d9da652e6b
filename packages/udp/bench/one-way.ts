/** One-way receive rate over loopback: the same raw sender, three receivers. */
import { AF_INET, DatagramSocket } from '@sockkit/core';
import { udpEndpoint } from '../src/index.ts';
import { closeRaw, loopback, PAYLOAD, rawSocket } from './common.ts';

const BURST = 64;
const ONE_WAY_DATAGRAMS = 40_000;

/**
 * Datagrams per second through one receive path. The same raw sender sends a burst of 64 (the
 * kernel buffers them, as this one thread is busy sending), then the clock runs from the last
 * send's completion until the receiver has handed the 64th datagram to the application: only
 * receive-side time is counted. A 20 ms pause without progress means the kernel dropped some.
 */
export async function oneWay(
  startReceiver: (onDatagram: () => void) => Promise<{ port: number; close(): Promise<void> }>,
) {
  const sender = await rawSocket();
  let received = 0;
  let lastReceivedAt = 0;
  let wake: (() => void) | undefined;
  const receiver = await startReceiver(() => {
    received++;
    lastReceivedAt = performance.now();
    wake?.();
  });
  let receiving = 0;
  for (let sent = 0; sent < ONE_WAY_DATAGRAMS; sent += BURST) {
    let sentAt = 0;
    for (let i = 1; i < BURST; i++) sender.send(PAYLOAD, receiver.port, loopback);
    sender.send(PAYLOAD, receiver.port, loopback, () => {
      sentAt = performance.now();
    });
    const target = sent + BURST;
    while (received < target) {
      const before = received;
      await new Promise<void>((resolve) => {
        const stall = setTimeout(resolve, 20);
        wake = () => {
          if (received >= target) {
            clearTimeout(stall);
            resolve();
          }
        };
      });
      wake = undefined;
      if (received === before) break;
    }
    receiving += Math.max(lastReceivedAt - sentAt, 0);
  }
  await receiver.close();
  await closeRaw(sender);
  return { rate: (received / receiving) * 1000, ops: received, lost: ONE_WAY_DATAGRAMS - received };
}

export const rawReceiver = async (onDatagram: () => void) => {
  const socket = await rawSocket();
  socket.on('message', onDatagram);
  return { port: socket.address().port, close: () => closeRaw(socket) };
};

export const udpReceiver = async (onDatagram: () => void) => {
  const endpoint = await udpEndpoint();
  const reading = (async () => {
    for await (const _ of endpoint) onDatagram();
  })();
  return {
    port: endpoint.address.port,
    close: async () => {
      await endpoint.close();
      await reading;
    },
  };
};

export const coreReceiver = async (onDatagram: () => void) => {
  const socket = new DatagramSocket(AF_INET);
  await socket.bind({ host: loopback, port: 0 });
  const reading = (async () => {
    for await (const _ of socket) onDatagram();
  })();
  return {
    port: (socket.getSockName() as { port: number }).port,
    close: async () => {
      await socket.close();
      await reading;
    },
  };
};
