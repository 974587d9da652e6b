import { once } from 'node:events';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  AddressInUseError,
  BlockingIOError,
  SocketClosedError,
  SocketTimeoutError,
  StreamSocket,
} from '../src/index.ts';
import { Listener, type ListenSettings } from '../src/listener.ts';

const settings = (backlog: number): ListenSettings => ({
  backlog,
  noDelay: false,
  ipv6Only: false,
  reusePort: false,
});

/** A listener on 127.0.0.1:0 whose unclaimed connections record being claimed or closed. */
async function listening(backlog: number) {
  const events: string[] = [];
  let next = 0;
  const listener = new Listener<Socket>(new StreamSocket(), settings(backlog), (connection) => {
    const id = next++;
    events.push(`adopt ${id}`);
    return {
      claim: () => {
        events.push(`claim ${id}`);
        connection.resume();
        return [connection, { family: 'IPv4', host: '127.0.0.1', port: connection.remotePort ?? 0 }];
      },
      close: async () => {
        events.push(`close ${id}`);
        connection.destroy();
      },
    };
  });
  await listener.listen({ host: '127.0.0.1', port: 0 }, settings(backlog));
  const port = (listener.address() as AddressInfo).port;
  return { listener, events, port };
}

const clients: Socket[] = [];
async function client(port: number): Promise<Socket> {
  const socket = connect({ host: '127.0.0.1', port });
  socket.on('error', () => {});
  clients.push(socket);
  await once(socket, 'connect');
  return socket;
}

afterEach(() => {
  for (const socket of clients.splice(0)) socket.destroy();
});

describe('Listener', () => {
  it('keeps at most backlog unclaimed connections, resets the next and counts it', async () => {
    const { listener, events, port } = await listening(1);
    const first = await client(port);
    await vi.waitFor(() => expect(events).toEqual(['adopt 0']), { timeout: 5_000 });
    const second = connect({ host: '127.0.0.1', port });
    second.on('error', () => {});
    clients.push(second);
    await new Promise((resolve) => second.once('close', resolve)); // once() would reject on its reset
    expect(listener.dropped).toBe(1);
    const [socket] = await listener.accept(undefined, null);
    expect(socket.remotePort).toBe(first.localPort);
    expect(events).toEqual(['adopt 0', 'claim 0']);
    await listener.close(new SocketClosedError());
  });

  it('hands waiting accepts the connections in arrival order, and queued ones first come first served', async () => {
    const { listener, port } = await listening(8);
    const waiting = listener.accept(undefined, null);
    const first = await client(port);
    expect((await waiting)[0].remotePort).toBe(first.localPort);
    const second = await client(port);
    const third = await client(port);
    // Whether they wait in the backlog or arrive during the accept, the oldest comes first.
    const [a] = await listener.accept({ timeout: 5_000 }, null);
    const [b] = await listener.accept({ timeout: 5_000 }, null);
    expect([a.remotePort, b.remotePort]).toEqual([second.localPort, third.localPort]);
    await listener.close(new SocketClosedError());
  });

  it('accept honours timeout 0 and a positive timeout when nobody connects', async () => {
    const { listener } = await listening(8);
    await expect(listener.accept(undefined, 0)).rejects.toBeInstanceOf(BlockingIOError);
    await expect(listener.accept({ timeout: 20 }, null)).rejects.toBeInstanceOf(SocketTimeoutError);
    await listener.close(new SocketClosedError());
  });

  it('close rejects the waiting accepts with its reason and closes the unclaimed connections', async () => {
    const { listener, events, port } = await listening(8);
    await client(port);
    await vi.waitFor(() => expect(events).toEqual(['adopt 0']), { timeout: 5_000 });
    const reason = new SocketClosedError('stopping');
    const { listener: other } = await listening(8);
    const rejected = expect(other.accept(undefined, null)).rejects.toBe(reason);
    await Promise.all([listener.close(reason), other.close(reason)]);
    await rejected;
    expect(events).toEqual(['adopt 0', 'close 0']);
  });

  it('reports an address in use as AddressInUseError', async () => {
    const { listener, port } = await listening(8);
    const second = new Listener<Socket>(new StreamSocket(), settings(8), () => {
      throw new Error('never adopts');
    });
    await expect(second.listen({ host: '127.0.0.1', port }, settings(8))).rejects.toBeInstanceOf(
      AddressInUseError,
    );
    await listener.close(new SocketClosedError());
  });
});
