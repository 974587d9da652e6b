import { describe, expect, it } from 'vitest';
import { BlockingIOError, InvalidArgumentError, SocketClosedError, socket } from '../src/index.ts';
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
});
