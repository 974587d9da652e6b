import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { fileURLToPath } from 'node:url';
import { assertNoBytes, recordChannels, runScript, until } from '@sockkit/testkit';
import { describe, expect, it } from 'vitest';
import {
  AF_INET,
  ConnectionRefusedError,
  createConnection,
  createServer,
  DatagramSocket,
  type StreamSocket,
  socket,
} from '../src/index.ts';
import { bytes, closedPort, connectedPair } from './helpers.ts';

const EVENTS = [
  'sockkit:socket:open',
  'sockkit:socket:close',
  'sockkit:server:accept',
  'sockkit:server:refuse',
  'sockkit:datagram:drop',
];
const CONNECT = 'sockkit:socket:connect';
const OPAQUE = ['socket', 'server', 'error'];
const loopback = { host: '127.0.0.1', port: 0 };
const ip = (port?: number) => ({ family: 'IPv4', host: '127.0.0.1', port: port ?? expect.any(Number) });

describe('diagnostics channels', () => {
  it('traces connect as a span and announces open and close with addresses, duration and bytes', async () => {
    using recording = recordChannels(EVENTS, [CONNECT]);
    const pair = await connectedPair();
    await pair.client.sendAll(bytes('hello'));
    await pair.conn.recv(100, { timeout: 5_000 });
    const port = (pair.listener.getSockName() as { port: number }).port;
    await pair[Symbol.asyncDispose]();
    await until(() => recording.of('sockkit:socket:close').length === 2);

    const [start] = recording.of(`tracing:${CONNECT}:start`);
    expect(start).toEqual({ socket: pair.client, address: { host: '127.0.0.1', port } });
    expect(recording.of(`tracing:${CONNECT}:asyncEnd`)).toHaveLength(1);
    expect(recording.of(`tracing:${CONNECT}:error`)).toHaveLength(0);
    const opened = recording.of('sockkit:socket:open');
    expect(opened).toContainEqual({ socket: pair.client, localAddress: ip(), remoteAddress: ip(port) });
    expect(opened).toContainEqual({ socket: pair.conn, localAddress: ip(port), remoteAddress: ip() });
    const closed = recording.of('sockkit:socket:close');
    expect(closed).toContainEqual({
      socket: pair.client,
      localAddress: ip(),
      remoteAddress: ip(port),
      duration: expect.any(Number),
      bytesRead: 0,
      bytesWritten: 5,
      error: undefined,
    });
    expect(closed.find((event) => event.socket === pair.conn)).toMatchObject({
      bytesRead: 5,
      bytesWritten: 0,
    });
    for (const { message } of recording.events) assertNoBytes(message, OPAQUE);
  });

  it('a socket an open subscriber closes at once still connects, and announces its close', async () => {
    using recording = recordChannels(EVENTS);
    await using listener = socket(AF_INET);
    listener.bind(loopback);
    await listener.listen();
    const client = socket(AF_INET);
    const closeOnOpen = (message: unknown) => {
      if ((message as { socket: unknown }).socket === client) void client.close();
    };
    subscribe('sockkit:socket:open', closeOnOpen);
    try {
      await client.connect(listener.getSockName(), { timeout: 5_000 });
    } finally {
      unsubscribe('sockkit:socket:open', closeOnOpen);
    }
    expect(client.closed).toBe(true);
    await until(() => recording.of('sockkit:socket:close').some((event) => event.socket === client));
  });

  it('publishes a failed connect on the error channel of the span', async () => {
    using recording = recordChannels([], [CONNECT]);
    const port = await closedPort();
    await expect(createConnection({ host: '127.0.0.1', port }, { timeout: 5_000 })).rejects.toBeInstanceOf(
      ConnectionRefusedError,
    );
    const [failed] = recording.of(`tracing:${CONNECT}:error`);
    expect(failed).toMatchObject({ address: { host: '127.0.0.1', port } });
    expect(failed?.error).toBeInstanceOf(ConnectionRefusedError);
  });

  it.each([
    [{ maxConnections: 1 }, 'maxConnections'],
    [{ maxConnectionsPerAddress: 1 }, 'maxConnectionsPerAddress'],
  ] as const)(
    'announces accepted connections, and refused ones with the reason (%o)',
    async (limits, reason) => {
      using recording = recordChannels(EVENTS);
      let release = () => {};
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      await using server = await createServer(loopback, () => held, limits);
      const { host, port } = server.address as { host: string; port: number };
      try {
        await using first = await createConnection({ host, port });
        await until(() => recording.of('sockkit:server:accept').length === 1, { timeout: 5_000 });
        // The reset may beat the client's own connect callback.
        await createConnection({ host, port }).then(
          (second) => second.close(),
          () => {},
        );
        await until(() => recording.of('sockkit:server:refuse').length === 1, { timeout: 5_000 });
        expect(first.closed).toBe(false);
      } finally {
        release();
      }
      const [accepted] = recording.of('sockkit:server:accept');
      expect(accepted).toEqual({ server, socket: expect.anything(), remoteAddress: ip() });
      expect(recording.of('sockkit:server:refuse')).toEqual([{ server, remoteAddress: ip(), reason }]);
    },
  );

  it('announces a connection reset for a full listen backlog as refused for backlog', async () => {
    using recording = recordChannels(EVENTS);
    await using listener: StreamSocket = socket();
    listener.bind(loopback);
    await listener.listen(1);
    const address = listener.getSockName() as { host: string; port: number };
    await using waiting = socket();
    await using extra = socket();
    await waiting.connect(address);
    await extra.connect(address).catch(() => {});
    await until(() => listener.droppedConnections === 1);
    expect(recording.of('sockkit:server:refuse')).toEqual([
      { server: listener, remoteAddress: ip(), reason: 'backlog' },
    ]);
  });

  it('announces datagrams dropped by a full receive queue, with size but not bytes', async () => {
    using recording = recordChannels(EVENTS);
    await using receiver = new DatagramSocket(AF_INET, { maxQueuedDatagrams: 1, maxQueuedBytes: 8 });
    await receiver.bind(loopback);
    await using sender = new DatagramSocket();
    await sender.bind(loopback);
    const to = receiver.getSockName() as { host: string; port: number };
    await sender.sendTo(bytes('one'), to);
    await until(() => receiver.stats.queued === 1);
    await sender.sendTo(bytes('two'), to);
    await until(() => receiver.stats.dropped === 1);
    await receiver.recvFrom(10);
    await sender.sendTo(bytes('too long for 8'), to);
    await until(() => receiver.stats.dropped === 2);
    const from = ip((sender.getSockName() as { port: number }).port);
    expect(recording.of('sockkit:datagram:drop')).toEqual([
      { socket: receiver, remoteAddress: from, size: 3, reason: 'maxQueuedDatagrams' },
      { socket: receiver, remoteAddress: from, size: 14, reason: 'maxQueuedBytes' },
    ]);
    for (const { message } of recording.events) assertNoBytes(message, OPAQUE);
  });
});

describe('NODE_DEBUG', () => {
  const script = fileURLToPath(new URL('./fixtures/observed-traffic.ts', import.meta.url));

  it('prints connect, accept, close, drop and timeout lines under NODE_DEBUG=sockkit', async () => {
    const { stderr, stdout } = await runScript(script, 'sockkit');
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^SOCKKIT \d+: core: open 127\.0\.0\.1:\d+ <-> 127\.0\.0\.1:\d+$/m);
    expect(stderr).toMatch(
      /^SOCKKIT \d+: core: close 127\.0\.0\.1:\d+ after \d+ ms, 14 bytes read, 0 written$/m,
    );
    expect(stderr).toMatch(/^SOCKKIT \d+: core: connect to 127\.0\.0\.1:\d+ failed: ConnectionRefusedError/m);
    expect(stderr).toMatch(
      /^SOCKKIT \d+: core: drop datagram of 3 bytes from 127\.0\.0\.1:\d+: maxQueuedDatagrams$/m,
    );
    expect(stderr).toMatch(/^SOCKKIT \d+: core: recvFrom timed out after 20 ms$/m);
    expect(stderr).not.toContain('secret-payload');
  });

  it('prints the same lines under NODE_DEBUG=sockkit:core, and none for another package', async () => {
    const core = await runScript(script, 'sockkit:core');
    expect(core.stderr).toMatch(/^SOCKKIT:CORE \d+: open /m);
    const other = await runScript(script, 'sockkit:framing');
    expect(other.stderr).toBe('');
  });

  it('prints nothing without NODE_DEBUG', async () => {
    const { stdout, stderr } = await runScript(script, undefined);
    expect(stdout + stderr).toBe('');
  });
});
