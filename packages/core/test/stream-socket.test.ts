import { once } from 'node:events';
import { createConnection } from 'node:net';
import { constants } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AddressInUseError,
  AF_INET,
  AF_INET6,
  AF_UNIX,
  BlockingIOError,
  BrokenPipeError,
  ConnectionRefusedError,
  ConnectionResetError,
  InvalidArgumentError,
  SocketClosedError,
  SocketError,
  SocketTimeoutError,
  StreamSocket,
  socket,
  UnsupportedError,
} from '../src/index.ts';
import { bytes, closedPort, connectedPair, recvAll, text } from './helpers.ts';

const unhandled: unknown[] = [];
process.on('uncaughtException', (error) => unhandled.push(error));
afterEach(() => expect(unhandled).toEqual([]));

describe('StreamSocket over loopback', () => {
  it.each([
    ['IPv4', AF_INET],
    ['IPv6', AF_INET6],
    ['a Unix socket', AF_UNIX],
  ] as const)('connects, accepts and exchanges bytes over %s', async (_name, family) => {
    await using pair = await connectedPair(family);
    const { listener, client, conn } = pair;
    const address = listener.getSockName();
    if ('port' in address) expect(address.port).toBeGreaterThan(0);
    expect(client.getPeerName()).toEqual(address);
    await client.sendAll(bytes('hello'));
    expect(text(await conn.recv(1024))).toBe('hello');
    await conn.sendAll(bytes('hello back'));
    expect(text(await client.recv(1024))).toBe('hello back');
    expect(conn.fileno()).toBeGreaterThan(0);
  });

  it('resolves recv with 1..bufsize bytes, then empty at end of stream and on every later call', async () => {
    await using pair = await connectedPair();
    await pair.client.sendAll(bytes('abcdefgh'));
    expect(text(await pair.conn.recv(3))).toBe('abc');
    expect(text(await pair.conn.recv(100))).toBe('defgh');
    pair.client.shutdown('write');
    expect((await pair.conn.recv(10)).length).toBe(0);
    expect((await pair.conn.recv(10)).length).toBe(0);
  });

  it('hands a waiting recv the bytes that arrive later', async () => {
    await using pair = await connectedPair();
    const pending = pair.conn.recv(1024);
    await pair.client.sendAll(bytes('later'));
    expect(text(await pending)).toBe('later');
  });

  it('timeout 0 rejects with BlockingIOError; a positive timeout with SocketTimeoutError, and the socket stays usable', async () => {
    await using pair = await connectedPair();
    pair.conn.setBlocking(false);
    await expect(pair.conn.recv(10)).rejects.toBeInstanceOf(BlockingIOError);
    await expect(pair.conn.recv(10, { timeout: 20 })).rejects.toBeInstanceOf(SocketTimeoutError);
    pair.conn.setTimeout(5_000);
    await pair.client.sendAll(bytes('after'));
    expect(text(await pair.conn.recv(10))).toBe('after');
  });

  it('an aborted signal rejects recv with its reason and leaves the socket usable', async () => {
    await using pair = await connectedPair();
    const controller = new AbortController();
    const pending = pair.conn.recv(10, { signal: controller.signal });
    controller.abort(new Error('stop'));
    await expect(pending).rejects.toThrow('stop');
    await expect(pair.conn.recv(10, { signal: AbortSignal.abort() })).rejects.toMatchObject({
      name: 'AbortError',
    });
    await pair.client.sendAll(bytes('x'));
    expect(text(await pair.conn.recv(10))).toBe('x');
  });

  it('aborts connect, accept and a stalled sendAll through their signals', async () => {
    await using pair = await connectedPair();
    const controller = new AbortController();
    const accepting = pair.listener.accept({ signal: controller.signal });
    const big = new Uint8Array(64 * 1024 * 1024);
    const sending = pair.client.sendAll(big, { signal: controller.signal });
    controller.abort(new Error('enough'));
    await expect(accepting).rejects.toThrow('enough');
    await expect(sending).rejects.toThrow('enough');
    await using late = socket();
    await expect(
      late.connect(pair.listener.getSockName() as { host: string; port: number }, {
        signal: AbortSignal.abort(),
      }),
    ).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('wraps an already connected net.Socket', async () => {
    await using pair = await connectedPair();
    const raw = createConnection(pair.listener.getSockName() as { host: string; port: number });
    await once(raw, 'connect');
    const [accepted] = await pair.listener.accept({ timeout: 5_000 });
    await using wrapped = StreamSocket.fromNodeSocket(raw);
    await accepted.sendAll(bytes('to a wrapped socket'));
    expect(text(await wrapped.recv(100))).toBe('to a wrapped socket');
    expect(wrapped.getPeerName()).toMatchObject({ family: 'IPv4', host: '127.0.0.1' });
    await accepted.close();
  });

  it('close() rejects pending calls with SocketClosedError and is idempotent', async () => {
    await using pair = await connectedPair();
    const pendingRecv = pair.conn.recv(10);
    const pendingAccept = pair.listener.accept();
    const closing = Promise.all([pair.conn.close(), pair.conn.close(), pair.listener.close()]);
    await expect(pendingRecv).rejects.toBeInstanceOf(SocketClosedError);
    await expect(pendingAccept).rejects.toBeInstanceOf(SocketClosedError);
    await closing;
    await expect(pair.conn.recv(1)).rejects.toBeInstanceOf(SocketClosedError);
    await expect(pair.conn.sendAll(bytes('x'))).rejects.toBeInstanceOf(SocketClosedError);
    expect(pair.conn.fileno()).toBe(-1);
    expect((await pair.client.recv(10)).length).toBe(0);
  });

  it('close() rejects a sendAll stalled by a peer that does not read', async () => {
    await using pair = await connectedPair();
    const stalled = pair.client.sendAll(new Uint8Array(64 * 1024 * 1024));
    const closing = pair.client.close();
    await expect(stalled).rejects.toBeInstanceOf(SocketClosedError);
    // The unsent rest waits in Node's buffer until the peer goes away too.
    await pair.conn.close();
    await closing;
  });

  it('discards what the peer sends while close() flushes, instead of queueing it without bound', async () => {
    await using pair = await connectedPair();
    const { client, conn } = pair;
    // Fill conn's write buffer (the client reads nothing), so close() has bytes to flush.
    const chunk = new Uint8Array(1024 * 1024);
    for (;;) {
      try {
        await conn.send(chunk, { timeout: 0 });
      } catch (error) {
        expect(error).toBeInstanceOf(BlockingIOError);
        break;
      }
    }
    const closing = conn.close();
    // Still reading from the kernel during the flush: the peer's bytes must not pile up in memory.
    await client.sendAll(new Uint8Array(32 * 1024 * 1024));
    expect(conn.bufferedBytes).toBeLessThanOrEqual(conn.highWaterMark);
    await client.close();
    await closing;
  });

  it('lets the peer read to end of stream after shutdown(write) and still reply (half-close)', async () => {
    await using pair = await connectedPair();
    await pair.client.sendAll(bytes('request'));
    pair.client.shutdown('write');
    expect(text(await recvAll(pair.conn))).toBe('request');
    await pair.conn.sendAll(bytes('reply'));
    pair.conn.shutdown('write');
    expect(text(await recvAll(pair.client))).toBe('reply');
    await expect(pair.client.sendAll(bytes('more'))).rejects.toBeInstanceOf(BrokenPipeError);
  });

  it('shutdown(read) makes recv resolve empty', async () => {
    await using pair = await connectedPair();
    const pending = pair.conn.recv(10);
    pair.conn.shutdown('read');
    expect((await pending).length).toBe(0);
    await pair.client.sendAll(bytes('ignored'));
    expect((await pair.conn.recv(10)).length).toBe(0);
  });
});

describe('StreamSocket faults', () => {
  it('connect to a closed port rejects with ConnectionRefusedError; connectEx returns the positive errno', async () => {
    const port = await closedPort();
    await using first = socket();
    await expect(first.connect({ host: '127.0.0.1', port })).rejects.toBeInstanceOf(ConnectionRefusedError);
    await using second = socket();
    expect(await second.connectEx({ host: '127.0.0.1', port })).toBe(constants.errno.ECONNREFUSED);
    await using third = socket();
    await expect(third.connectEx({ host: '', port })).rejects.toThrow(InvalidArgumentError);
  });

  it('a non-blocking connect reports EALREADY while in progress, then how it ended, and may be retried', async () => {
    /** connectEx until the background attempt has settled (checked once per event-loop turn). */
    const settle = async (sock: StreamSocket, address: { host: string; port: number }) => {
      for (;;) {
        await new Promise((resolve) => setImmediate(resolve));
        const result = await sock.connectEx(address);
        if (result !== constants.errno.EALREADY) return result;
      }
    };
    const refused = { host: '127.0.0.1', port: await closedPort() };
    await using client = socket();
    client.setBlocking(false);
    await expect(client.connect(refused)).rejects.toBeInstanceOf(BlockingIOError);
    expect(await settle(client, refused)).toBe(constants.errno.ECONNREFUSED);
    // As Python: a non-blocking connect raises (connect_ex returns) EINPROGRESS, not EAGAIN.
    await using inProgress = socket();
    inProgress.setBlocking(false);
    await expect(inProgress.connect(refused)).rejects.toMatchObject({
      code: 'EINPROGRESS',
      errno: constants.errno.EINPROGRESS,
    });
    await using viaConnectEx = socket();
    viaConnectEx.setBlocking(false);
    expect(await viaConnectEx.connectEx(refused)).toBe(constants.errno.EINPROGRESS);
    // Fresh again: a blocking retry to a listener succeeds.
    await using pair = await connectedPair();
    const address = pair.listener.getSockName() as { host: string; port: number };
    client.setBlocking(true);
    await client.connect(address);
    expect(client.getPeerName()).toEqual(address);
    await using background = socket();
    background.setBlocking(false);
    await expect(background.connect(address)).rejects.toBeInstanceOf(BlockingIOError);
    expect(await settle(background, address)).toBe(constants.errno.EISCONN);
  });

  it('reports an address in use from listen()', async () => {
    await using first = socket();
    first.bind({ host: '127.0.0.1', port: 0 });
    await first.listen();
    const address = first.getSockName();
    await using second = socket();
    second.bind({ host: '127.0.0.1', port: 'port' in address ? address.port : 0 });
    const error = await second.listen().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AddressInUseError);
    expect((error as AddressInUseError).errno).toBe(constants.errno.EADDRINUSE);
  });

  it('turns a peer reset into ConnectionResetError on recv, never an unhandled error', async () => {
    await using pair = await connectedPair();
    const pending = pair.client.recv(10);
    await pair.conn.reset();
    await expect(pending).rejects.toBeInstanceOf(ConnectionResetError);
    await expect(pair.client.recv(10)).rejects.toBeInstanceOf(ConnectionResetError);
    await expect(pair.client.sendAll(bytes('x'))).rejects.toBeInstanceOf(SocketError);
  });

  it('keeps at most backlog unclaimed connections and resets the next, counting it', async () => {
    await using listener = socket();
    listener.bind({ host: '127.0.0.1', port: 0 });
    await listener.listen(1);
    const address = listener.getSockName() as { host: string; port: number };
    await using waiting = socket();
    await using extra = socket();
    await waiting.connect(address);
    // The reset may beat the client's own connect callback: either call may see it.
    const reset = extra.connect(address).then(() => extra.recv(10, { timeout: 5_000 }));
    await expect(reset).rejects.toBeInstanceOf(ConnectionResetError);
    expect(listener.droppedConnections).toBe(1);
    const [conn] = await listener.accept({ timeout: 5_000 });
    await waiting.sendAll(bytes('still served'));
    expect(text(await conn.recv(100))).toBe('still served');
    await conn.close();
  });

  it('accept honours timeout 0, a positive timeout and incoming() ends at close', async () => {
    await using listener = socket();
    listener.bind({ host: '127.0.0.1', port: 0 });
    await listener.listen();
    await expect(listener.accept({ timeout: 0 })).rejects.toBeInstanceOf(BlockingIOError);
    await expect(listener.accept({ timeout: 20 })).rejects.toBeInstanceOf(SocketTimeoutError);
    const seen: string[] = [];
    const loop = (async () => {
      for await (const [conn, peer] of listener.incoming()) {
        seen.push(peer.family);
        await conn.close();
        await listener.close();
      }
    })();
    await using client = socket();
    await client.connect(listener.getSockName() as { host: string; port: number });
    await loop;
    expect(seen).toEqual(['IPv4']);
  });
});

describe('StreamSocket send and backpressure', () => {
  it('send accepts at most the free room; timeout 0 on a full buffer is BlockingIOError; sendAll timeout carries bytesSent', async () => {
    await using pair = await connectedPair();
    const chunk = new Uint8Array(256 * 1024);
    let accepted = 0;
    for (;;) {
      const count = await pair.client.send(chunk, { timeout: 0 }).catch((error: unknown) => error);
      if (count instanceof BlockingIOError) break;
      expect(count).toBeGreaterThanOrEqual(1);
      expect(count).toBeLessThanOrEqual(chunk.length);
      accepted += count as number;
    }
    await expect(pair.client.send(chunk, { timeout: 20 })).rejects.toBeInstanceOf(SocketTimeoutError);
    const timedOut = await pair.client
      .sendAll(new Uint8Array(1024 * 1024), { timeout: 20 })
      .catch((error: unknown) => error);
    expect(timedOut).toBeInstanceOf(SocketTimeoutError);
    const queued = (timedOut as SocketTimeoutError).bytesSent;
    expect(queued).toBeGreaterThanOrEqual(0);
    pair.client.shutdown('write');
    const received = await recvAll(pair.conn);
    expect(received.length).toBe(accepted + queued);
  });

  it('send takes its bytes when it resolves: the caller may refill the buffer at once (the send-and-reuse loop)', async () => {
    await using pair = await connectedPair();
    const receiving = recvAll(pair.conn);
    const buffer = new Uint8Array(64 * 1024);
    const expected: Buffer[] = [];
    for (let round = 0; round < 300; round++) {
      buffer.fill(round & 0xff);
      const count = await pair.client.send(buffer);
      expected.push(Buffer.alloc(count, round & 0xff));
    }
    pair.client.shutdown('write');
    expect((await receiving).equals(Buffer.concat(expected))).toBe(true);
  });

  it('sendAll resolves once every byte is handed over, and the peer receives them in order', async () => {
    await using pair = await connectedPair();
    const data = Buffer.alloc(3 * 1024 * 1024);
    for (let i = 0; i < data.length; i += 4) data.writeUInt32LE(i, i);
    const receiving = recvAll(pair.conn);
    await pair.client.sendAll(data);
    pair.client.shutdown('write');
    expect((await receiving).equals(data)).toBe(true);
  });
});

describe('StreamSocket adapters and options', () => {
  it('makeFile() is a Duplex whose end() shuts down writing', async () => {
    await using pair = await connectedPair();
    const file = pair.client.makeFile();
    file.end(Buffer.from('through a file'));
    expect(text(await recvAll(pair.conn))).toBe('through a file');
    await pair.conn.sendAll(bytes('reply'));
    pair.conn.shutdown('write');
    const parts: Buffer[] = [];
    for await (const part of file) parts.push(part as Buffer);
    expect(Buffer.concat(parts).toString()).toBe('reply');
    file.destroy();
  });

  it('offers a readable/writable Web Streams pair', async () => {
    await using pair = await connectedPair();
    const writer = pair.client.writable.getWriter();
    await writer.write(bytes('web '));
    await writer.write(bytes('streams'));
    await writer.close();
    const parts: Uint8Array[] = [];
    for await (const part of pair.conn.readable) parts.push(part);
    expect(Buffer.concat(parts).toString()).toBe('web streams');
  });

  it('remembers keep-alive and no-delay, and refuses options Node cannot honour', async () => {
    await using pair = await connectedPair();
    expect(pair.client.getSockOpt('noDelay')).toBe(false);
    pair.client.setSockOpt('noDelay', true);
    pair.client.setSockOpt('keepAlive', true);
    expect(pair.client.getSockOpt('noDelay')).toBe(true);
    expect(pair.client.getSockOpt('keepAlive')).toBe(true);
    expect(pair.client.getSockOpt('reuseAddress')).toBe(true);
    expect(() => pair.client.setSockOpt('receiveBufferSize' as never, 1 as never)).toThrow(UnsupportedError);
    expect(() => pair.client.getSockOpt('linger' as never)).toThrow(
      expect.objectContaining({ name: 'UnsupportedError', errno: constants.errno.ENOPROTOOPT }),
    );
    const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
    if (major < 22 || (major === 22 && minor < 12)) {
      expect(() => socket().setSockOpt('reusePort', true)).toThrow(UnsupportedError);
    }
  });
});
