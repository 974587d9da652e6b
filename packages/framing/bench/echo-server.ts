/**
 * The server process of bench/echo.ts: a raw node:net echo server and a framed echo server (a
 * `framed()` channel over each `@sockkit/core` connection, sending back every message), both on
 * loopback with no-delay. Reports its two ports over IPC, and its CPU time when asked; exits when
 * the parent disconnects.
 */
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { createServer } from '@sockkit/core';
import { framed } from '../src/index.ts';

const raw = createNetServer({ noDelay: true }, (conn) => {
  conn.on('data', (chunk) => conn.write(chunk));
  conn.on('error', () => conn.destroy());
});
raw.listen(0, '127.0.0.1');
await new Promise((resolve) => raw.once('listening', resolve));

const server = await createServer(
  { host: '127.0.0.1', port: 0 },
  async (conn) => {
    const channel = framed(conn, { idleTimeout: null });
    for await (const message of channel) void channel.send(message);
  },
  // The raw server has no idle timer either: the same work on both sides.
  { noDelay: true, idleTimeout: null },
);

const framedAddress = server.address;
if (framedAddress.family === 'unix') throw new Error('expected a TCP address');
process.send?.({ raw: (raw.address() as AddressInfo).port, framed: framedAddress.port });
// The parent asks for this process's CPU time before and after each run.
process.on('message', (message) => {
  if (message === 'cpu') process.send?.({ cpu: process.cpuUsage() });
});
process.once('disconnect', () => {
  raw.close();
  void server.close({ grace: 100 });
  setTimeout(() => process.exit(0), 200).unref();
});
