import { describe, expect, it } from 'vitest';
import { runCli } from './cli-process.ts';

describe('sockkit-demo arguments', () => {
  it('lists the commands with --help and exits 0', async () => {
    const { code, stdout } = await runCli(['--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/echo-server/);
    expect(stdout).toMatch(/tour/);
  });

  it('prints the overview to stderr and exits 2 without a command', async () => {
    const { code, stderr } = await runCli([]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/Usage: sockkit-demo <command>/);
  });

  it('exits 2 on an unknown command, naming it', async () => {
    const { code, stderr } = await runCli(['ecko-server']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/unknown command 'ecko-server'/);
  });

  it.each([
    'echo-server',
    'echo-client',
    'sticky',
    'typed',
    'chat-server',
    'chat-client',
    'udp-chat',
    'udp-request',
    'send-file',
    'recv-file',
    'tour',
  ])('%s --help prints its usage and exits 0', async (name) => {
    const { code, stdout } = await runCli([name, '--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(new RegExp(`^Usage: sockkit-demo ${name}`, 'm'));
  });

  it('shows a command help with its lesson and options', async () => {
    const { code, stdout } = await runCli(['echo-server', '--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/Lesson:/);
    expect(stdout).toMatch(/--workers <n>/);
  });

  it.each([
    [['echo-server', '--port', '70000'], /--port: must be between 0 and 65535/],
    [['echo-server', '--port', 'eighty'], /--port: must be a port number/],
    [['echo-server', '--workers', '0'], /--workers: must be between 1 and 64/],
    [['echo-server', '--bogus'], /Unknown option '--bogus'/],
    [['echo-server', 'extra'], /unexpected argument 'extra'/],
    [['echo-client', '--port'], /--port/],
  ])('exits 2 and says what is wrong for %j', async (args, message) => {
    const { code, stderr } = await runCli(args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr).toMatch(/Usage: sockkit-demo/);
  });
});
