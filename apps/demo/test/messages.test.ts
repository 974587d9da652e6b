import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AF_INET, SOCK_STREAM, socket } from '@sockkit/core';
import { tempDir } from '@sockkit/testkit';
import { describe, expect, it } from 'vitest';
import { runCli, startCli } from './cli-process.ts';

const ECHO_READY = /^server \d+ ready: echo server listening on 127\.0\.0\.1:(\d+)$/;

/** A loopback port that nothing listens on: bound by a socket that is then closed. */
async function closedPort(): Promise<number> {
  await using probe = socket(AF_INET, SOCK_STREAM);
  probe.bind({ host: '127.0.0.1', port: 0 });
  await probe.listen(1);
  const address = probe.getSockName();
  if (address.family === 'unix') throw new Error('expected an IP address');
  return address.port;
}

describe('error messages say what happened and what to do', () => {
  it('a port in use: another server is on it; pick another or --port 0', async () => {
    await using first = startCli(['echo-server', '--port', '0']);
    const [, port] = await first.waitForLine(ECHO_READY);
    const second = await runCli(['echo-server', '--port', port!]);
    expect(second.code).toBe(1);
    expect(second.stderr.trimEnd().split('\n')).toEqual([
      `sockkit-demo echo-server: cannot listen on 127.0.0.1:${port}: another server is on that port (EADDRINUSE)`,
      '  hint: pick another port with --port, or --port 0 for any free port',
    ]);
  });

  it('nothing listening: is the server running?', async () => {
    const port = await closedPort();
    const client = await runCli(['echo-client', '--port', String(port), '-m', 'hi']);
    expect(client.code).toBe(1);
    expect(client.stderr.trimEnd().split('\n')).toEqual([
      `sockkit-demo echo-client: nothing is listening on 127.0.0.1:${port} (ECONNREFUSED)`,
      '  hint: is the server running, on that host and port?',
    ]);
  });

  it('a chat client pointed at an echo server: this is not a sockkit chat server', async () => {
    await using server = startCli(['echo-server', '--port', '0']);
    const [, port] = await server.waitForLine(ECHO_READY);
    const client = await runCli(['chat-client', '--port', port!, '--name', 'alice']);
    expect(client.code).toBe(1);
    expect(client.stderr.trimEnd().split('\n')).toEqual([
      `sockkit-demo chat-client: 127.0.0.1:${port} is not a sockkit chat server: it did not answer our join with a welcome`,
      '  hint: chat-server listens on 8082 unless given --port: is this port some other program?',
    ]);
  });

  it('a sender pointed at an echo server: this is not a sockkit recv-file receiver', async () => {
    await using dir = await tempDir('sockkit-demo-');
    const file = join(dir.path, 'hello.txt');
    await writeFile(file, 'hello');
    await using server = startCli(['echo-server', '--port', '0']);
    const [, port] = await server.waitForLine(ECHO_READY);
    const sender = await runCli(['send-file', file, `127.0.0.1:${port}`]);
    expect(sender.code).toBe(1);
    expect(sender.stderr.trimEnd().split('\n')).toEqual([
      `sockkit-demo send-file: 127.0.0.1:${port} is not a sockkit recv-file receiver: it did not answer the offer`,
      '  hint: recv-file listens on 9000 unless given --port: is this port some other program?',
    ]);
  });
});
