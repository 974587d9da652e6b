import { describe, expect, it } from 'vitest';
import { runCli } from './cli-process.ts';

const COMMANDS = [
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
];

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

  it('exits 2 on an unknown command, naming it and the command it is closest to', async () => {
    const { code, stderr } = await runCli(['ecko-server']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^sockkit-demo: unknown command 'ecko-server'; did you mean 'echo-server'\?$/m);
  });

  it('prints the versions of the demo, the sockkit packages and Node.js with --version', async () => {
    const { code, stdout } = await runCli(['--version']);
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /^sockkit-demo \d+\.\d+\.\d+ \(@sockkit\/core \d+\.\d+\.\d+, @sockkit\/framing \d+\.\d+\.\d+, @sockkit\/udp \d+\.\d+\.\d+; Node\.js v\d+/,
    );
  });

  it("prints a command's help for 'help <command>', as --help does", async () => {
    const viaHelp = await runCli(['help', 'echo-server']);
    const viaFlag = await runCli(['echo-server', '--help']);
    expect(viaHelp.code).toBe(0);
    expect(viaHelp.stdout).toMatch(/^Usage: sockkit-demo echo-server/m);
    expect(viaHelp.stdout).toBe(viaFlag.stdout);
  });

  it("exits 2 for 'help' of an unknown command", async () => {
    const { code, stderr } = await runCli(['help', 'chat-sever']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/unknown command 'chat-sever'; did you mean 'chat-server'\?/);
  });

  it('gives every short flag one meaning across all commands, and every value a placeholder of its own', async () => {
    const meanings = new Map<string, Set<string>>();
    for (const name of COMMANDS) {
      const { stdout } = await runCli([name, '--help']);
      for (const [, short, long, placeholder] of stdout.matchAll(
        /^ {2}(?:-(\w), )? *--([\w-]+)(?: <([^>]+)>)?/gm,
      )) {
        if (short) meanings.set(short, (meanings.get(short) ?? new Set()).add(long!));
        // `--port <port>` reads well; `--discover-port <discover-port>` says nothing about the value.
        if (long!.includes('-')) expect(placeholder, `${name} --${long}`).not.toBe(long);
      }
    }
    for (const [short, longs] of meanings) expect([...longs], `-${short}`).toHaveLength(1);
    expect(meanings.get('n')).toEqual(new Set(['name']));
  });

  it.each(COMMANDS)('%s --help prints its usage and exits 0', async (name) => {
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
    [['echo-server', '--port', '-1'], /--port: must be between 0 and 65535/],
    [['echo-server', '-p', '-1'], /--port: must be between 0 and 65535/],
    [['echo-server', '--bogus'], /unknown option '--bogus'$/],
    [['echo-server', '--prot', '80'], /unknown option '--prot'; did you mean '--port'\?/],
    [['echo-server', 'extra'], /unexpected argument 'extra'/],
    [['echo-client', '--port'], /--port needs a value: --port <port>/],
    [
      ['echo-client', '--port', '0'],
      /--port: must be between 1 and 65535 \(0, any free port, is for servers/,
    ],
    [['recv-file', '--once=yes'], /--once takes no value/],
  ])('exits 2 and says what is wrong in one line, then the usage, for %j', async (args, message) => {
    const { code, stderr } = await runCli(args);
    expect(code).toBe(2);
    const [problem, usage, ...more] = stderr.trimEnd().split('\n');
    expect(problem).toMatch(message);
    expect(usage).toMatch(/^Usage: sockkit-demo \S+ .*; see 'sockkit-demo help \S+'$/);
    expect(more).toEqual([]);
  });
});
