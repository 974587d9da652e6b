import { describe, expect, it } from 'vitest';
import {
  AF_INET,
  BlockingIOError,
  InvalidArgumentError,
  SOCK_DGRAM,
  SocketClosedError,
  socket,
} from '../src/index.ts';
import { connectedPair } from './helpers.ts';

/** The order of each verb's checks, now that they live in StreamSocket's parts. */
describe('a verb called in the wrong state', () => {
  it.each(['reusePort', 'ipv6Only'] as const)(
    'setSockOpt(%s) needs a fresh socket and checks its value first',
    async (name) => {
      await using pair = await connectedPair();
      for (const [sock, code] of [
        [pair.listener, 'EINVAL'],
        [pair.client, 'EISCONN'],
      ] as const) {
        expect(() => sock.setSockOpt(name, 'yes' as never)).toThrow(InvalidArgumentError);
        expect(() => sock.setSockOpt(name, false)).toThrow(expect.objectContaining({ code }));
      }
      // A refused set records nothing (reusePort's true needs Node 22.12, so ipv6Only shows it).
      expect(() => pair.listener.setSockOpt('ipv6Only', true)).toThrow(
        expect.objectContaining({ code: 'EINVAL' }),
      );
      expect(pair.listener.getSockOpt('ipv6Only')).toBe(false);
      await pair.client.close();
      expect(() => pair.client.setSockOpt(name, false)).toThrow(SocketClosedError);
    },
  );

  it('listen(1e9) on a listening socket is a bad argument before it is a bad state', async () => {
    await using pair = await connectedPair();
    await expect(pair.listener.listen(1e9)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(pair.listener.listen(8)).rejects.toMatchObject({ code: 'EINVAL' });
  });

  it('bind on a connected socket is EISCONN, whatever the address, and records nothing', async () => {
    await using pair = await connectedPair();
    const local = pair.client.getSockName();
    expect(() => pair.client.bind({ host: '127.0.0.1', port: 0 })).toThrow(
      expect.objectContaining({ code: 'EISCONN' }),
    );
    expect(() => pair.client.bind({ path: '/tmp/x' })).toThrow(expect.objectContaining({ code: 'EISCONN' }));
    expect(pair.client.getSockName()).toEqual(local);
  });

  it('connect on a socket closed during a non-blocking connect is SocketClosedError, not EALREADY', async () => {
    await using pair = await connectedPair();
    const address = pair.listener.getSockName() as { host: string; port: number };
    const client = socket();
    client.setBlocking(false);
    await expect(client.connect(address)).rejects.toBeInstanceOf(BlockingIOError);
    await client.close();
    await expect(client.connect(address)).rejects.toBeInstanceOf(SocketClosedError);
    await expect(client.connect({ host: '', port: 1 })).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('connect refused by Node for a bound host that is a name is InvalidArgumentError, and the socket stays fresh', async () => {
    await using pair = await connectedPair();
    const address = pair.listener.getSockName() as { host: string; port: number };
    await using client = socket();
    client.bind({ host: 'localhost', port: 0 });
    await expect(client.connect(address)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(client.connect(address)).rejects.toBeInstanceOf(InvalidArgumentError); // not EALREADY
    expect(await client.connectEx(address).catch((error: unknown) => error)).toBeInstanceOf(
      InvalidArgumentError,
    );
  });

  it('checks the options of a call that need not wait too: bad ones, and an aborted signal, refuse it', async () => {
    await using pair = await connectedPair();
    const aborted = AbortSignal.abort(new Error('stop'));
    const bad = [{ timeOut: 5 }, { timeout: -1 }, { signal: 'x' }, 5, null] as never[];
    for (const options of bad) {
      await expect(pair.client.send(Uint8Array.of(1), options)).rejects.toBeInstanceOf(InvalidArgumentError);
    }
    await expect(pair.client.send(Uint8Array.of(1), { signal: aborted })).rejects.toThrow('stop');
    await pair.client.sendAll(Uint8Array.of(2));
    expect([...(await pair.conn.recv(1, { timeout: 5000 }))]).toEqual([2]); // nothing else was sent
    await pair.client.sendAll(Uint8Array.of(3));
    await new Promise((resolve) => setTimeout(resolve, 20));
    await expect(pair.conn.recv(1, { timeout: -1 })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(pair.conn.recv(1, { signal: aborted })).rejects.toThrow('stop');
    expect([...(await pair.conn.recv(1))]).toEqual([3]);

    const address = pair.listener.getSockName() as { host: string; port: number };
    await using waiting = socket();
    await waiting.connect(address);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await expect(pair.listener.accept({ timeOut: 5 } as never)).rejects.toBeInstanceOf(InvalidArgumentError);
    const [accepted] = await pair.listener.accept({ timeout: 5000 });
    await accepted.close();

    await using udp = socket(AF_INET, SOCK_DGRAM);
    await udp.bind({ host: '127.0.0.1', port: 0 });
    await udp.sendTo(Uint8Array.of(4), udp.getSockName() as { host: string; port: number });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await expect(udp.recvFrom(8, { timeOut: 1 } as never)).rejects.toBeInstanceOf(InvalidArgumentError);
    expect([...(await udp.recvFrom(8, { timeout: 5000 }))[0]]).toEqual([4]);
  });
});
