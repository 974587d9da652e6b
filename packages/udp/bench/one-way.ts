/** One-way receive rate over loopback: the same raw sender, three receivers. */
import { AF_INET, DatagramSocket } from '@sockkit/core';
import { udpEndpoint } from '../src/index.ts';
import { closeRaw, loopback, PAYLOAD, rawSocket } from './common.ts';

const BURST = 64;
const ONE_WAY_DATAGRAMS = 40_000;

/**
 * Datagrams per second received one way. The same raw sender sends bursts of 64 and waits for
 * the receiver to take them (or to stall 20 ms after a kernel drop), so only the receive path differs.
 */
export async function oneWay(
  startReceiver: (onDatagram: () => void) => Promise<{ port: number; close(): Promise<void> }>,
) {
  const sender = await rawSocket();
  let received = 0;
  let wake: (() => void) | undefined;
  const receiver = await startReceiver(() => {
    received++;
    wake?.();
  });
  const start = performance.now();
  for (let sent = 0; sent < ONE_WAY_DATAGRAMS; sent += BURST) {
    for (let i = 0; i < BURST; i++) sender.send(PAYLOAD, receiver.port, loopback);
    const target = sent + BURST;
    // Wait for the burst to be read; a pause of 20 ms without progress means the kernel dropped some.
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
  }
  const elapsed = performance.now() - start;
  await receiver.close();
  await closeRaw(sender);
  return { rate: (received / elapsed) * 1000, lost: ONE_WAY_DATAGRAMS - received };
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
