import { describe, expect, it } from 'vitest';
import { AF_INET, DatagramSocket, SocketClosedError, type SocketError } from '../src/index.ts';
import { trySendChecked } from '../src/internals.ts';
import { bytes, text } from './helpers.ts';

async function bound(): Promise<[DatagramSocket, { host: string; port: number }]> {
  const udp = new DatagramSocket(AF_INET);
  await udp.bind({ host: '127.0.0.1', port: 0 });
  return [udp, udp.getSockName() as { host: string; port: number }];
}

describe('trySendChecked (internals)', () => {
  it('sends like trySendTo, failures to its handler with their context', { timeout: 5000 }, async () => {
    const [receiver, to] = await bound();
    await using _receiver = receiver;
    await using sender = new DatagramSocket(AF_INET);
    const failed: [unknown, string][] = [];
    trySendChecked(
      sender,
      bytes('hello'),
      to,
      (error, context: string) => failed.push([error, context]),
      'a',
    );
    const [data] = await receiver.recvFrom(64, { timeout: 2000 });
    expect(text(data)).toBe('hello');
    const reported = new Promise<unknown>((resolve) =>
      trySendChecked(sender, bytes('x'), { host: '127.255.255.255', port: to.port }, resolve, undefined),
    );
    expect(((await reported) as SocketError).code).toBe('EACCES');
    expect(failed).toEqual([]);
  });

  it('still checks the socket state: closed, or connected to a peer', { timeout: 5000 }, async () => {
    const [peer, to] = await bound();
    await using _peer = peer;
    const connected = new DatagramSocket(AF_INET);
    await connected.connect(to);
    const ignore = () => {};
    expect(() => trySendChecked(connected, bytes('x'), to, ignore, undefined)).toThrow(
      expect.objectContaining({ code: 'EISCONN' }),
    );
    await connected.close();
    expect(() => trySendChecked(connected, bytes('x'), to, ignore, undefined)).toThrow(SocketClosedError);
  });
});
