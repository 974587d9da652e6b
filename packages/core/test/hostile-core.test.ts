// The hostile catalogue for @sockkit/core: one test per hostile input (bytes on the wire, options
// from plain JavaScript, calls in the wrong state, resource exhaustion), each asserting the error's
// class and code, then that a well-behaved client of the same server is still served.
import { type ExpectedFailure, expectTyped, failureOf, until } from '@sockkit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AF_INET,
  BlockingIOError,
  ClosedError,
  ConnectionResetError,
  createConnection,
  createServer,
  InvalidArgumentError,
  InvalidStateError,
  SOCK_DGRAM,
  type SocketAddress,
  SocketClosedError,
  SocketError,
  type SocketServer,
  SocketTimeoutError,
  SockkitError,
  type StreamSocket,
  socket,
  TimeoutError,
  UnsupportedError,
} from '../src/index.ts';
import { bytes, text } from './helpers.ts';

let server: SocketServer;
let address: SocketAddress;
const serverErrors: unknown[] = [];

/** Echoes; on `flood` it sends 64 MiB with a 200 ms deadline, to a peer that may not read. */
async function echo(conn: StreamSocket): Promise<void> {
  for await (const chunk of conn) {
    if (text(chunk) === 'flood') await conn.sendAll(new Uint8Array(64 * 1024 * 1024), { timeout: 200 });
    else await conn.sendAll(chunk);
  }
}

beforeAll(async () => {
  server = await createServer({ host: '127.0.0.1', port: 0 }, echo, {
    maxConnections: 8,
    onError: (error) => serverErrors.push(error),
  });
  address = server.address;
});

afterAll(() => server.close({ grace: 100 }));

/** A second, well-behaved client is served: connect, send, get the echo, close. */
async function expectServed(target: SocketAddress = address): Promise<void> {
  const client = await createConnection(target, { timeout: 5_000 });
  try {
    await client.sendAll(bytes('still served?'));
    expect(text(await client.recv(64))).toBe('still served?');
  } finally {
    await client.close();
  }
}

/** The next error a handler of the server reported, after the `seen` ones before. */
async function nextServerError(seen: number): Promise<unknown> {
  await until(() => serverErrors.length > seen, { timeout: 5_000 });
  return serverErrors[seen];
}

const invalid: ExpectedFailure = { type: InvalidArgumentError, code: 'SOCKKIT_ERR_INVALID_ARGUMENT' };
const closed: ExpectedFailure = { type: SocketClosedError, code: 'EBADF', kind: ClosedError };

describe('hostile catalogue: @sockkit/core', () => {
  // Options and arguments from plain JavaScript, given to a connected client of the server.
  const clientCases: [string, (conn: StreamSocket) => unknown, ExpectedFailure][] = [
    ["send('text')", (conn) => conn.send('text' as never), invalid],
    ['sendAll([1, 2])', (conn) => conn.sendAll([1, 2] as never), invalid],
    [
      "sendAll('text', { timeout: 1000 })",
      (conn) => conn.sendAll('text' as never, { timeout: 1000 }),
      invalid,
    ],
    ["recv('10')", (conn) => conn.recv('10' as never), invalid],
    ['recv(0)', (conn) => conn.recv(0), invalid],
    ['recv(10.5)', (conn) => conn.recv(10.5), invalid],
    [
      'recv(10, { timeOut: 5 }) (an unknown option)',
      (conn) => conn.recv(10, { timeOut: 5 } as never),
      invalid,
    ],
    ["recv(10, { signal: 'abort' })", (conn) => conn.recv(10, { signal: 'abort' } as never), invalid],
    ['recv(10, { timeout: 2 ** 31 })', (conn) => conn.recv(10, { timeout: 2 ** 31 }), invalid],
    ['setTimeout(2 ** 31)', (conn) => conn.setTimeout(2 ** 31), invalid],
    ['setTimeout(NaN)', (conn) => conn.setTimeout(Number.NaN), invalid],
    ["setBlocking('no')", (conn) => conn.setBlocking('no' as never), invalid],
    ["shutdown('sideways')", (conn) => conn.shutdown('sideways' as never), invalid],
    ["setSockOpt('noDelay', 'yes')", (conn) => conn.setSockOpt('noDelay', 'yes' as never), invalid],
    [
      "setSockOpt('SO_LINGER', 1)",
      (conn) => conn.setSockOpt('SO_LINGER' as never, 1 as never),
      {
        type: UnsupportedError,
        code: 'SOCKKIT_ERR_UNSUPPORTED',
      },
    ],
    ['setIdleTimeout(-1)', (conn) => conn.setIdleTimeout(-1), invalid],
    [
      'recv(10, { timeout: 0 }) with nothing buffered',
      (conn) => conn.recv(10, { timeout: 0 }),
      {
        type: BlockingIOError,
        code: 'EAGAIN',
      },
    ],
    [
      'recv(10, { timeout: 20 }) with nothing sent',
      (conn) => conn.recv(10, { timeout: 20 }),
      {
        type: SocketTimeoutError,
        code: 'ETIMEDOUT',
        kind: TimeoutError,
      },
    ],
  ];

  it.each(clientCases)('%s', async (_name, run, expected) => {
    const conn = await createConnection(address, { timeout: 5_000 });
    try {
      expectTyped(await failureOf(() => run(conn)), expected);
    } finally {
      await conn.close();
    }
    await expectServed();
  });

  // Arguments that never reach a connection.
  const standaloneCases: [string, () => unknown, ExpectedFailure][] = [
    [
      "connect({ host: '127.0.0.1', port: '80' })",
      () => socket().connect({ host: '127.0.0.1', port: '80' } as never),
      invalid,
    ],
    ['connect({ host: 127, port: 80 })', () => socket().connect({ host: 127, port: 80 } as never), invalid],
    ["bind({ host: '', port: 80 })", () => socket().bind({ host: '', port: 80 }), invalid],
    ['bind(null)', () => socket().bind(null as never), invalid],
    ['listen(1e9)', () => socket().listen(1e9), invalid],
    [
      "socket(AF_INET, SOCK_STREAM, { highWaterMark: '64k' })",
      () => socket(AF_INET, undefined, { highWaterMark: '64k' } as never),
      invalid,
    ],
    [
      'socket(AF_INET, SOCK_STREAM, { hwm: 1 }) (an unknown option)',
      () => socket(AF_INET, undefined, { hwm: 1 } as never),
      invalid,
    ],
    [
      'createConnection(address, { timout: 5 }) (a typo)',
      () => createConnection(address, { timout: 5 } as never),
      invalid,
    ],
    [
      "createServer(address, 'not a function')",
      () => createServer({ host: '127.0.0.1', port: 0 }, 'x' as never),
      invalid,
    ],
    [
      'createServer(address, handler, { maxConnections: -1 })',
      () => createServer({ host: '127.0.0.1', port: 0 }, echo, { maxConnections: -1 }),
      invalid,
    ],
    [
      "createServer(address, handler, { noDelay: 'yes' })",
      () => createServer({ host: '127.0.0.1', port: 0 }, echo, { noDelay: 'yes' } as never),
      invalid,
    ],
    [
      'createServer(address, handler, { onError: 42 })',
      () => createServer({ host: '127.0.0.1', port: 0 }, echo, { onError: 42 } as never),
      invalid,
    ],
    [
      "UDP setSockOpt('receiveBufferSize', 2 ** 33)",
      async () => {
        await using udp = socket(AF_INET, SOCK_DGRAM);
        await udp.bind({ host: '127.0.0.1', port: 0 });
        udp.setSockOpt('receiveBufferSize', 2 ** 33);
      },
      invalid,
    ],
    [
      "UDP sendTo('x', address)",
      async () => {
        await using udp = socket(AF_INET, SOCK_DGRAM);
        await udp.sendTo('x' as never, { host: '127.0.0.1', port: 9 });
      },
      invalid,
    ],
    [
      'UDP sendTo(a 70,000-byte datagram)',
      async () => {
        await using udp = socket(AF_INET, SOCK_DGRAM);
        await udp.sendTo(new Uint8Array(70_000), { host: '127.0.0.1', port: 9 });
      },
      { type: SocketError, code: 'EMSGSIZE' },
    ],
    [
      'UDP trySendTo(bytes, address, onError: 42)',
      () => {
        const udp = socket(AF_INET, SOCK_DGRAM);
        try {
          udp.trySendTo(new Uint8Array(1), { host: '127.0.0.1', port: 9 }, 42 as never);
        } finally {
          void udp.close();
        }
      },
      invalid,
    ],
    ['UDP addMembership(42)', () => socket(AF_INET, SOCK_DGRAM).addMembership(42 as never), invalid],
  ];

  it.each(standaloneCases)('%s', async (_name, run, expected) => {
    expectTyped(await failureOf(run), expected);
    await expectServed();
  });

  // Calls in the wrong state.
  it('recv() after close() on a socket whose peer had sent FIN', async () => {
    const conn = await createConnection(address, { timeout: 5_000 });
    conn.shutdown('write'); // the server's echo loop ends and closes: FIN back
    expect((await conn.recv(10)).length).toBe(0);
    await conn.close();
    expectTyped(await failureOf(() => conn.recv(10)), closed);
    await expectServed();
  });

  it('send() after close()', async () => {
    const conn = await createConnection(address, { timeout: 5_000 });
    await conn.close();
    expectTyped(await failureOf(() => conn.send(bytes('late'))), closed);
    await expectServed();
  });

  it('accept() on a socket that is not listening', async () => {
    expectTyped(await failureOf(() => socket().accept()), { type: SocketError, code: 'EINVAL' });
    await expectServed();
  });

  it('recv() on a socket that was never connected', async () => {
    expectTyped(await failureOf(() => socket().recv(10)), { type: SocketError, code: 'ENOTCONN' });
    await expectServed();
  });

  it('a second onReadable listener on one datagram socket', async () => {
    await using udp = socket(AF_INET, SOCK_DGRAM);
    udp.onReadable(() => {});
    expectTyped(await failureOf(() => udp.onReadable(() => {})), {
      type: InvalidStateError,
      code: 'SOCKKIT_ERR_INVALID_STATE',
    });
    await expectServed();
  });

  // Bytes and behaviour on the wire.
  it('a peer that resets the connection mid-stream', async () => {
    const seen = serverErrors.length;
    const conn = await createConnection(address, { timeout: 5_000 });
    await conn.sendAll(bytes('hello'));
    await conn.recv(10);
    await conn.reset();
    expectTyped(await nextServerError(seen), { type: ConnectionResetError, code: 'ECONNRESET' });
    await expectServed();
  });

  it('a peer that connects and sends nothing (idle past idleTimeout)', async () => {
    // A server of its own: a short idle timeout on the shared one would cut the other cases'
    // connections whenever a loaded machine keeps them quiet that long.
    const idleErrors: unknown[] = [];
    await using idleServer = await createServer({ host: '127.0.0.1', port: 0 }, echo, {
      idleTimeout: 300,
      onError: (error) => idleErrors.push(error),
    });
    const conn = await createConnection(idleServer.address, { timeout: 5_000 });
    try {
      await until(() => idleErrors.length > 0, { timeout: 5_000 });
      expectTyped(idleErrors[0], { type: SocketTimeoutError, code: 'ETIMEDOUT', kind: TimeoutError });
      expect((await conn.recv(10, { timeout: 5_000 })).length).toBe(0);
    } finally {
      await conn.close();
    }
    await expectServed(idleServer.address);
  });

  it('a peer that asks for 64 MiB and never reads (the server sendAll times out)', async () => {
    const seen = serverErrors.length;
    const conn = await createConnection(address, { timeout: 5_000 });
    try {
      await conn.sendAll(bytes('flood'));
      const error = await nextServerError(seen);
      expectTyped(error, { type: SocketTimeoutError, code: 'ETIMEDOUT', kind: TimeoutError });
      expect((error as SocketTimeoutError).bytesSent).toBeGreaterThan(0);
    } finally {
      await conn.close();
    }
    await expectServed();
  });

  // Resource exhaustion.
  it('connections past maxConnections', async () => {
    const holding = await Promise.all(
      Array.from({ length: 8 }, () => createConnection(address, { timeout: 5_000 })),
    );
    await until(() => server.connections === 8);
    // The reset may reach the connect itself or the first recv.
    const refused = await failureOf(async () => {
      await using extra = await createConnection(address, { timeout: 5_000 });
      const chunk = await extra.recv(10, { timeout: 5_000 });
      if (chunk.length === 0) throw new Error('closed without a reset');
    });
    expectTyped(refused, { type: ConnectionResetError, code: 'ECONNRESET' });
    await Promise.all(holding.map((conn) => conn.close()));
    await until(() => server.connections === 0);
    await expectServed();
  });

  it('20,000 pending recv()s aborted by one signal', async () => {
    const conn = await createConnection(address, { timeout: 5_000 });
    const controller = new AbortController();
    const pending = Array.from({ length: 20_000 }, () =>
      conn.recv(10, { signal: controller.signal }).catch((error: unknown) => error),
    );
    controller.abort(new SocketClosedError('gave up'));
    const outcomes = await Promise.all(pending);
    for (const outcome of [outcomes[0], outcomes[19_999]]) expectTyped(outcome, closed);
    await conn.sendAll(bytes('usable'));
    expect(text(await conn.recv(10, { timeout: 5_000 }))).toBe('usable');
    await conn.close();
    await expectServed();
  });

  it("a handler that outlives server.close()'s grace: aborted through its signal, and close() waits", async () => {
    let aborted: unknown;
    let cleanedUp = false;
    const stubborn = await createServer({ host: '127.0.0.1', port: 0 }, async (conn, _peer, signal) => {
      if (text(await conn.recv(10)) !== 'hold') {
        await conn.sendAll(bytes('served'));
        return;
      }
      await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
      aborted = signal.reason;
      await new Promise((resolve) => setTimeout(resolve, 100)); // cleanup after the abort
      cleanedUp = true;
    });
    const target = stubborn.address as SocketAddress & { host: string; port: number };
    const holder = await createConnection(target, { timeout: 5_000 });
    await holder.sendAll(bytes('hold'));
    await until(() => stubborn.connections === 1);
    const polite = await createConnection(target, { timeout: 5_000 });
    await polite.sendAll(bytes('hi'));
    expect(text(await polite.recv(10, { timeout: 5_000 }))).toBe('served');
    await polite.close();
    await stubborn.close({ grace: 50 });
    expect(cleanedUp).toBe(true);
    expectTyped(aborted, closed);
    expect(stubborn.stats.abortedHandlers).toBe(1);
    await holder.close();
    expect(aborted).toBeInstanceOf(SockkitError);
    await expectServed();
  });
});
