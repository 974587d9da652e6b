import { createServer } from '@sockkit/core';
import { describe, expect, it } from 'vitest';
import { hostPortOf } from '../src/cli/args.ts';
import { runCli, startCli } from './cli-process.ts';

const TERMINAL = { columns: 100, rows: 30 };
const CTRL_C = '\x03';

import { gate, recvTimedOut } from './waits.ts';

const READY = /^(?:server|worker) (\d+) ready: echo server listening on 127\.0\.0\.1:(\d+)$/;

describe('echo-server and echo-client', () => {
  it('echoes every line typed into the client, then both end cleanly', async () => {
    await using server = startCli(['echo-server', '--port', '0']);
    const [, , port] = await server.waitForLine(READY);
    const client = await runCli(['echo-client', '--port', port!], 'hello\n\nsecond line\n');
    expect(client.code).toBe(0);
    expect(client.stdout).toMatch(/^reply: hello$/m);
    expect(client.stdout).toMatch(/^reply: second line$/m);
    expect(client.stdout).toMatch(/connection closed/);
    await server.waitForLine(/done, 18 bytes echoed/);
  });

  it('keeps waiting for a slow reply: --timeout bounds the connect, not every recv after it', async () => {
    const CONNECT_TIMEOUT = 100;
    const lineHeard = gate();
    const release = gate();
    // A slow echo server: it reads the line, then stays quiet until the test releases it.
    await using server = await createServer({ host: '127.0.0.1', port: 0 }, async (conn) => {
      const line = await conn.recv(1024);
      lineHeard.open();
      await release.opened;
      await conn.sendAll(line);
    });
    const port = String(hostPortOf(server.address).port);
    await using client = startCli([
      'echo-client',
      '--port',
      port,
      '--timeout',
      String(CONNECT_TIMEOUT),
      '-m',
      'hi',
    ]);
    await lineHeard.opened;
    await recvTimedOut(3 * CONNECT_TIMEOUT); // the client has waited longer than its --timeout
    release.open();
    await client.waitForLine(/^reply: hi$/);
    expect(await client.exited()).toBe(0);
    expect(client.stderr()).toBe('');
  });

  it('prints a reply that never ends its line once it is 64 KiB long, instead of holding it all', async () => {
    const seen = gate();
    // A server that sends 200 KiB without a newline, and says no more until the test has seen some.
    // It reads the client's message before closing: closing with unread bytes would send RST, not FIN.
    await using server = await createServer({ host: '127.0.0.1', port: 0 }, async (conn) => {
      await conn.sendAll(new TextEncoder().encode('x'.repeat(200 * 1024)));
      await seen.opened;
      while ((await conn.recv(1024)).length > 0);
    });
    const port = String(hostPortOf(server.address).port);
    await using client = startCli(['echo-client', '--port', port, '-m', 'hi']);
    const [, held] = await client.waitForLine(/^reply: (x+)$/);
    expect(held!.length).toBeGreaterThanOrEqual(64 * 1024);
    expect(held!.length).toBeLessThan(200 * 1024);
    seen.open();
    await client.waitForLine(/^server closed the connection$|^connection closed$/);
    expect(await client.exited()).toBe(0);
  });

  it('stops on SIGINT: stops accepting, finishes its connections, exits 0', async () => {
    await using server = startCli(['echo-server', '--port', '0']);
    const [, , port] = await server.waitForLine(READY);
    await using client = startCli(['echo-client', '--port', port!]);
    await client.waitForLine(/^connected to/);
    server.child.kill('SIGINT');
    await server.waitForLine(/stopped accepting, all connections finished/);
    expect(await server.exited()).toBe(0);
    // The client notices the server's close instead of hanging.
    await client.waitForLine(/server closed the connection/);
    expect(await client.exited()).toBe(0);
  });

  it('serves connections from two worker processes sharing one port (--workers 2)', async () => {
    await using server = startCli(['echo-server', '--port', '0', '--workers', '2']);
    const [ready1, ready2] = [await server.waitForLine(READY), await server.waitForLine(READY)];
    expect(ready1[2]).toBe(ready2[2]);
    const workerPids = new Set([ready1[1], ready2[1]]);
    expect(workerPids.size).toBe(2);

    // node:cluster hands connections out round robin; a few clients reach both workers.
    const servedBy = new Set<string>();
    for (let attempt = 0; attempt < 10 && servedBy.size < 2; attempt += 1) {
      const client = await runCli(['echo-client', '--port', ready1[2]!, '-m', `hello ${attempt}`]);
      expect(client.stdout).toMatch(new RegExp(`reply: hello ${attempt}`));
      const [, clientPort] = /from 127\.0\.0\.1:(\d+)/.exec(client.stdout) ?? [];
      const [, pid] = await server.waitForLine(
        new RegExp(`^pid (\\d+): connection from 127\\.0\\.0\\.1:${clientPort}$`),
      );
      servedBy.add(pid!);
    }
    expect(servedBy).toEqual(workerPids);

    server.child.kill('SIGTERM');
    await server.waitForLine(/2 of 2 workers stopped cleanly/);
    expect(await server.exited()).toBe(0);
  });

  it('stops every worker cleanly on Ctrl-C in a terminal, which signals the whole process group', async () => {
    await using server = startCli(['echo-server', '--port', '0', '--workers', '2'], { terminal: TERMINAL });
    await server.waitForLine(READY);
    await server.waitForLine(READY);
    server.child.stdin.write(CTRL_C);
    await server.waitForLine(/2 of 2 workers stopped cleanly/);
    expect(await server.exited()).toBe(0);
    expect(server.output()).not.toMatch(/again: exiting now/);
  });
});
