import { join } from 'node:path';
import { tempDir } from '@sockkit/testkit';
import { describe, expect, it } from 'vitest';
import {
  ConnectionRefusedError,
  ConnectionResetError,
  createConnection,
  createServer,
  InvalidArgumentError,
  type SocketAddress,
  SocketClosedError,
  SocketError,
  SocketServer,
  type StreamSocket,
  UnsupportedError,
} from '../src/index.ts';
import { bytes, recvAll, text } from './helpers.ts';

const loopback = { host: '127.0.0.1', port: 0 };
const hostPort = (address: SocketAddress) => address as { host: string; port: number };

/** Resolves with the next process warning. */
const nextWarning = () => new Promise<Error>((resolve) => process.once('warning', resolve));

async function echo(conn: StreamSocket): Promise<void> {
  for await (const chunk of conn) await conn.sendAll(chunk);
}

/** A handler that reports each connection it gets and holds it until the client ends. */
function holding() {
  const arrivals: Array<() => void> = [];
  const arrived = (count: number) =>
    new Promise<void>((resolve) => {
      let seen = 0;
      arrivals.push(() => {
        seen += 1;
        if (seen === count) resolve();
      });
    });
  const handler = async (conn: StreamSocket) => {
    for (const notify of arrivals) notify();
    await recvAll(conn);
    await conn.sendAll(bytes('bye'));
  };
  return { handler, arrived };
}

describe('createServer and createConnection', () => {
  it('serves concurrent clients, one handler each', async () => {
    await using server = await createServer(loopback, echo);
    const clients = await Promise.all(
      [1, 2, 3].map(() => createConnection(hostPort(server.address), { timeout: 5_000 })),
    );
    expect(clients[0]?.getTimeout()).toBe(5_000);
    await Promise.all(clients.map((client, i) => client.sendAll(bytes(`client ${i}`))));
    const replies = await Promise.all(clients.map((client) => client.recv(100)));
    expect(replies.map(text)).toEqual(['client 0', 'client 1', 'client 2']);
    expect(server.connections).toBe(3);
    await Promise.all(clients.map((client) => client.close()));
  });

  it('serves a Unix socket path', async () => {
    await using dir = await tempDir();
    const path = join(dir.path, 'echo.sock');
    await using server = await createServer({ path }, echo);
    expect(server.address).toEqual({ family: 'unix', path });
    await using client = await createConnection({ path });
    await client.sendAll(bytes('over unix'));
    expect(text(await client.recv(100))).toBe('over unix');
  });

  it('resets connection maxConnections + 1 without disturbing the others', async () => {
    const { handler, arrived } = holding();
    await using server = await createServer(loopback, handler, { maxConnections: 2 });
    const both = arrived(2);
    await using first = await createConnection(hostPort(server.address));
    await using second = await createConnection(hostPort(server.address));
    await both;
    const third = createConnection(hostPort(server.address)).then((conn) => conn.recv(10));
    await expect(third).rejects.toBeInstanceOf(ConnectionResetError);
    expect(server.stats).toMatchObject({ accepted: 2, refused: 1 });
    first.shutdown('write');
    second.shutdown('write');
    expect(text(await recvAll(first))).toBe('bye');
    expect(text(await recvAll(second))).toBe('bye');
  });

  it('limits connections per address', async () => {
    const { handler, arrived } = holding();
    await using server = await createServer(loopback, handler, { maxConnectionsPerAddress: 1 });
    const one = arrived(1);
    await using first = await createConnection(hostPort(server.address));
    await one;
    const second = createConnection(hostPort(server.address)).then((conn) => conn.recv(10));
    await expect(second).rejects.toBeInstanceOf(ConnectionResetError);
    first.shutdown('write');
    expect(text(await recvAll(first))).toBe('bye');
  });

  it('keeps serving when a handler throws, and reports the error', async () => {
    const errors: unknown[] = [];
    await using server = await createServer(
      loopback,
      async (conn) => {
        const request = text(await conn.recv(100));
        if (request === 'boom') throw new Error('handler failed');
        await conn.sendAll(bytes(`ok ${request}`));
      },
      { onError: (error) => errors.push(error) },
    );
    await using bad = await createConnection(hostPort(server.address));
    await bad.sendAll(bytes('boom'));
    expect((await bad.recv(100)).length).toBe(0);
    await using good = await createConnection(hostPort(server.address));
    await good.sendAll(bytes('fine'));
    expect(text(await good.recv(100))).toBe('ok fine');
    expect(errors).toEqual([new Error('handler failed')]);
    expect(server.stats.handlerErrors).toBe(1);
  });

  it('survives an onError callback that throws or rejects: the failure becomes a process warning', async () => {
    for (const onError of [
      () => {
        throw new Error('onError failed');
      },
      () => Promise.reject(new Error('onError failed')),
    ]) {
      await using server = await createServer(
        loopback,
        () => {
          throw new Error('handler failed');
        },
        { onError },
      );
      const warned = nextWarning();
      await using bad = await createConnection(hostPort(server.address));
      const warning = await warned;
      expect(warning.message).toBe('the onError callback threw');
      expect(warning.cause).toEqual(new Error('onError failed'));
      expect((await bad.recv(10)).length).toBe(0);
      expect(server.stats.handlerErrors).toBe(1);
    }
  });

  it('passes the peer of the failed connection to onError', async () => {
    const peers: SocketAddress[] = [];
    await using server = await createServer(
      loopback,
      () => {
        throw new Error('handler failed');
      },
      { onError: (_error, peer) => peers.push(peer) },
    );
    await using client = await createConnection(hostPort(server.address));
    expect((await client.recv(10)).length).toBe(0);
    expect(peers).toEqual([client.getSockName()]);
  });

  it('reports a failed accept to onAcceptError (no peer), counts it and keeps accepting', async () => {
    // EMFILE cannot be provoked safely in a shared test process: a listener stand-in fails once.
    let closeListener!: () => void;
    const closed = new Promise<never>((_resolve, reject) => {
      closeListener = () => reject(new SocketClosedError());
    });
    const failures = [new SocketError('EMFILE', 'too many open files')];
    const listener = {
      accept: () => {
        const failure = failures.shift();
        return failure === undefined ? closed : Promise.reject(failure);
      },
      close: async () => closeListener(),
      getSockName: () => loopback,
    } as unknown as StreamSocket;
    const acceptErrors: unknown[] = [];
    const warned = nextWarning();
    const server = new SocketServer(listener, () => {}, {
      onAcceptError: (error) => {
        acceptErrors.push(error);
        throw new Error('onAcceptError failed');
      },
    });
    server.start();
    expect((await warned).message).toBe('the onAcceptError callback threw');
    expect(acceptErrors).toMatchObject([{ code: 'EMFILE' }]);
    expect(server.stats.acceptErrors).toBe(1);
    await server.close();
  });

  it('rejects close() with an invalid grace and stays closable', async () => {
    const server = await createServer(loopback, echo);
    const address = hostPort(server.address);
    await expect(server.close({ grace: -1 })).rejects.toThrow(InvalidArgumentError);
    await expect(server.close({ grace: Number.NaN })).rejects.toThrow(InvalidArgumentError);
    await expect(server.close({ grace: 2 ** 31 })).rejects.toThrow(InvalidArgumentError);
    await expect(createServer(loopback, echo, { idleTimeout: 2 ** 31 })).rejects.toThrow(
      InvalidArgumentError,
    );
    await using still = await createConnection(address);
    await still.sendAll(bytes('up'));
    expect(text(await still.recv(10))).toBe('up');
    await still.close();
    await server.close({ grace: 1_000 });
    await expect(createConnection(address)).rejects.toBeInstanceOf(ConnectionRefusedError);
  });

  it('closes idle connections', async () => {
    const failures: unknown[] = [];
    await using server = await createServer(loopback, (conn) => conn.recv(10).then(() => {}), {
      idleTimeout: 50,
      onError: (error) => failures.push(error),
    });
    await using client = await createConnection(hostPort(server.address));
    expect((await client.recv(10, { timeout: 5_000 })).length).toBe(0);
    expect(failures).toMatchObject([{ name: 'SocketTimeoutError' }]);
  });

  it('close() stops accepting, lets handlers finish within the grace period, then closes the rest', async () => {
    const { handler, arrived } = holding();
    const server = await createServer(loopback, handler);
    const address = hostPort(server.address);
    const one = arrived(1);
    const client = await createConnection(address);
    await one;
    const closing = server.close({ grace: 5_000 });
    await expect(createConnection(address)).rejects.toBeInstanceOf(ConnectionRefusedError);
    client.shutdown('write');
    expect(text(await recvAll(client))).toBe('bye');
    await closing;
    await client.close();

    let handlerError: unknown;
    let started!: () => void;
    const stuckArrived = new Promise<void>((resolve) => {
      started = resolve;
    });
    const stuck = await createServer(loopback, async (conn) => {
      started();
      await conn.recv(10).catch((error: unknown) => {
        handlerError = error;
      });
    });
    await using waiting = await createConnection(hostPort(stuck.address));
    await stuckArrived;
    await stuck.close({ grace: 20 });
    expect(stuck.connections).toBe(0);
    expect((await waiting.recv(10, { timeout: 5_000 })).length).toBe(0);
    expect(handlerError).toBeInstanceOf(SocketClosedError);
  });

  it('listens dual-stack on :: by default, IPv6 only with dualStack false', async () => {
    await using dual = await createServer({ host: '::', port: 0 }, echo, { dualStack: true });
    await using viaV4 = await createConnection({ host: '127.0.0.1', port: hostPort(dual.address).port });
    await viaV4.sendAll(bytes('v4'));
    expect(text(await viaV4.recv(10))).toBe('v4');
    await using v6only = await createServer({ host: '::', port: 0 }, echo, { dualStack: false });
    await expect(
      createConnection({ host: '127.0.0.1', port: hostPort(v6only.address).port }),
    ).rejects.toBeInstanceOf(ConnectionRefusedError);
    await expect(createServer(loopback, echo, { dualStack: true })).rejects.toThrow(InvalidArgumentError);
  });

  it('refuses reusePort where Node cannot provide it', async () => {
    const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
    const attempt = createServer(loopback, echo, { reusePort: true });
    if (major < 22 || (major === 22 && minor < 12)) {
      await expect(attempt).rejects.toBeInstanceOf(UnsupportedError);
    } else {
      await (await attempt).close();
    }
  });

  it('connects from a source address', async () => {
    await using server = await createServer(loopback, echo);
    await using client = await createConnection(hostPort(server.address), {
      sourceAddress: { host: '127.0.0.1', port: 0 },
    });
    expect(client.getSockName()).toMatchObject({ family: 'IPv4', host: '127.0.0.1' });
  });
});
