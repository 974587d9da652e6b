import { describe, expect, it } from 'vitest';
import { runCli } from './cli-process.ts';

describe('the self-contained lessons, run as processes', () => {
  it('sticky: shows raw TCP gluing and splitting, then framing delivering each message', async () => {
    const { code, stdout } = await runCli(['sticky']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/server recv\(1024\) -> "helloworld": 2 messages in one recv/);
    expect(stdout).toMatch(/half a message/);
    expect(stdout).toMatch(/decoder gives "hello", "world"/);
    expect(stdout).toMatch(/framing delivered every message whole and in order/);
  });

  it('typed: rejects the malformed request with the path of the bad field, then answers the next', async () => {
    const { code, stdout } = await runCli(['typed']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/server rejects it: Message does not match the schema/);
    expect(stdout).toMatch(/numbers\[1\].*expected number, received string/);
    expect(stdout).toMatch(/server replies: 42/);
  });

  it('udp-request: with heavy loss every confirmed deposit ran exactly once', async () => {
    const { code, stdout } = await runCli(['udp-request', '--requests', '5', '--loss', '40']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/network: lost (request|reply) datagram/);
    expect(stdout).toMatch(/deposits confirmed; the server executed \d+, none twice \(balance \d+\)/);
  });

  it.each([
    [['send-file'], /missing <path>/],
    [['send-file', 'a.bin'], /missing <host:port>/],
    [['send-file', 'a.bin', 'localhost:http'], /<host:port>: expected host:port/],
    [['send-file', 'a.bin', '9000', '--limit-rate', '-1'], /--limit-rate: must be a size such as 65536/],
    [['send-file', 'a.bin', '9000', '--limit-rate', '1KiB'], /--limit-rate: must be at least 10\.0 KiB/],
    [
      ['send-file', 'a.bin', '127.0.0.1:0'],
      /<host:port>: 127\.0\.0\.1:0: the port must be between 1 and 65535/,
    ],
    [['udp-request', '--loss', '95'], /--loss: must be between 0 and 90/],
    [['chat-client', '--port', '1'], /--name: is required/],
    [['chat-client', '--name', 'no spaces please'], /--name: a name is letters, digits/],
    [['chat-client', '--name', 'a', '--timeout', '0'], /--timeout: must be positive/],
    [['chat-server', '--frame-timeout', '1.5'], /--frame-timeout: must be a whole number of milliseconds/],
    [['chat-server', '--max-per-address', '0'], /--max-per-address: must be between 1 and 1024/],
    [['recv-file', '--max-size', '0'], /--max-size: must be at least 1 B/],
    [
      ['recv-file', '--max-size', '1MB'],
      /--max-size: must be a size such as 65536, 64KiB or 16MiB, got '1MB'/,
    ],
    [['chat-server', '--max-queued', '512'], /--max-queued: must be between 1\.0 KiB and 1\.0 GiB/],
    [
      ['udp-chat', '--name', 'a', '--peer', '127.0.0.1:0'],
      /--peer: 127\.0\.0\.1:0: the port must be between 1/,
    ],
  ])('exits 2 and says what is wrong for %j', async (args, message) => {
    const { code, stderr } = await runCli(args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });
});
