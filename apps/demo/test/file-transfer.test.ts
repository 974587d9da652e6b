import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createServer } from '@sockkit/core';
import { tempDir } from '@sockkit/testkit';
import { describe, expect, it } from 'vitest';
import { hostPortOf } from '../src/cli/args.ts';
import { runCli, startCli } from './cli-process.ts';
import { renderScreen } from './terminal-screen.ts';

const FILE_BYTES = 50 * 1024 * 1024;
const READY = /^recv-file ready: listening on 127\.0\.0\.1:(\d+)/;
const TERMINAL = { columns: 120, rows: 40 };
const HIDE_CURSOR = '\x1b[?25l';

async function sha256(path: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
}

/** A temp dir with a 50 MiB random file and an empty inbox. */
async function fixture() {
  const dir = await tempDir('sockkit-demo-');
  const source = join(dir.path, 'big.bin');
  const inbox = join(dir.path, 'inbox');
  await writeFile(source, randomBytes(FILE_BYTES));
  await mkdir(inbox);
  return { dir, source, inbox };
}

describe('send-file and recv-file', () => {
  it('moves 50 MiB intact: the same SHA-256 on both sides, nothing else left', async () => {
    const { dir, source, inbox } = await fixture();
    await using _dir = dir;
    await using receiver = startCli(['recv-file', '--port', '0', '--out', inbox, '--once']);
    const [, port] = await receiver.waitForLine(READY);

    const sender = await runCli(['send-file', source, `127.0.0.1:${port}`]);
    expect(sender.stderr).toBe('');
    expect(sender.code).toBe(0);
    expect(sender.stdout).toMatch(/send-file big\.bin: 50% /);
    expect(sender.stdout).toMatch(
      /send-file big\.bin: done after 50\.0 MiB of 50\.0 MiB in [\d.]+ s \([\d.]+ \w+\/s\)/,
    );
    const [, reported] = /receiver saved big\.bin, sha256 ([0-9a-f]{64}) matches/.exec(sender.stdout) ?? [];

    expect(await receiver.exited()).toBe(0);
    expect(await readdir(inbox)).toEqual(['big.bin']);
    const expected = await sha256(source);
    expect(await sha256(join(inbox, 'big.bin'))).toBe(expected);
    expect(reported).toBe(expected);
  });

  it('finishes a transfer under way when stopped with SIGINT, then exits 0', async () => {
    const { dir, source, inbox } = await fixture();
    await using _dir = dir;
    await using receiver = startCli(['recv-file', '--port', '0', '--out', inbox]);
    const [, port] = await receiver.waitForLine(READY);
    await using sender = startCli(['send-file', source, `127.0.0.1:${port}`, '--limit-rate', '50MiB']);
    await sender.waitForLine(/^send-file big\.bin: [1-4]\d% /);

    receiver.child.kill('SIGINT');
    await receiver.waitForLine(/^recv-file: stopping; transfers under way may finish$/);
    await sender.waitForLine(/receiver saved big\.bin, sha256 [0-9a-f]{64} matches$/);
    expect(await sender.exited()).toBe(0);
    expect(await receiver.exited()).toBe(0);
    expect(await sha256(join(inbox, 'big.bin'))).toBe(await sha256(source));
  });

  it('refuses a file over --max-size at the offer, telling the sender why', async () => {
    await using dir = await tempDir('sockkit-demo-');
    const source = join(dir.path, 'two.bin');
    await writeFile(source, Buffer.alloc(2 * 1024 * 1024));
    await using receiver = startCli([
      'recv-file',
      '--port',
      '0',
      '--out',
      dir.path,
      '--max-size',
      '1MiB',
      '--once',
    ]);
    const [, port] = await receiver.waitForLine(READY);

    const sender = await runCli(['send-file', source, `127.0.0.1:${port}`]);
    expect(sender.code).toBe(1);
    expect(sender.stderr).toMatch(
      /the receiver refused the file: two\.bin is 2\.0 MiB, over the 1\.0 MiB this receiver accepts/,
    );
    expect(sender.stdout).not.toMatch(/send-file two\.bin: \d+%/); // not a byte of it was sent
    await receiver.waitForLine(
      /^recv-file: transfer of two\.bin failed: two\.bin is 2\.0 MiB, over the 1\.0 MiB/,
    );
    expect(await receiver.exited()).toBe(1);
    expect(await readdir(dir.path)).toEqual(['two.bin']);
  });

  it('leaves no partial file when the sender is killed halfway', async () => {
    const { dir, source, inbox } = await fixture();
    await using _dir = dir;
    await using receiver = startCli(['recv-file', '--port', '0', '--out', inbox]);
    const [, port] = await receiver.waitForLine(READY);

    // A rate cap keeps the second half on the way while the test reacts to the 50% line.
    await using sender = startCli(['send-file', source, `127.0.0.1:${port}`, '--limit-rate', '25MiB']);
    await sender.waitForLine(/^send-file big\.bin: ([5-9]\d|100)% /);
    sender.child.kill('SIGKILL');

    await receiver.waitForLine(/^recv-file: transfer of big\.bin failed: .*; partial file removed$/);
    expect(await readdir(inbox)).toEqual([]);
    receiver.child.kill('SIGINT');
    expect(await receiver.exited()).toBe(0);
  });

  it('gives the terminal its cursor back when Ctrl-C cuts a transfer, and exits 130', async () => {
    const { dir, source, inbox } = await fixture();
    await using _dir = dir;
    await using receiver = startCli(['recv-file', '--port', '0', '--out', inbox]);
    const [, port] = await receiver.waitForLine(READY);
    await using sender = startCli(['send-file', source, `127.0.0.1:${port}`, '--limit-rate', '25MiB'], {
      terminal: TERMINAL,
    });
    await receiver.waitForLine(/^recv-file big\.bin: [1-4]\d% /); // piped: the receiver prints plain lines
    expect(sender.output()).toContain(HIDE_CURSOR); // the bar is up

    sender.child.stdin.write('\x03');
    expect(await sender.exited()).toBe(130);
    const screen = renderScreen(sender.output(), TERMINAL.columns);
    expect(screen.cursorVisible).toBe(true);
    expect(screen.wrapping).toBe(true);
    expect(screen.lines).toContainEqual(expect.stringMatching(/^send-file big\.bin: failed after /));
    expect(screen.lines.at(-1)).toMatch(
      /^sockkit-demo send-file: SIGINT: transfer cut; the receiver keeps no partial file$/,
    );
    await receiver.waitForLine(/^recv-file: transfer of big\.bin failed: .*; partial file removed$/);
    expect(await readdir(inbox)).toEqual([]);
    receiver.child.kill('SIGINT');
    expect(await receiver.exited()).toBe(0);
  });

  it.each([
    [
      'a directory',
      (dir: string) => dir,
      /^sockkit-demo send-file: .* is a directory: send-file sends one file\n {2}hint: to send a directory, pack it first: tar -cf /,
    ],
    [
      'a missing file',
      (dir: string) => join(dir, 'nope.bin'),
      /^sockkit-demo send-file: no such file: .*nope\.bin$/,
    ],
  ])('checks the file before connecting: %s never reaches the receiver', async (_, pathIn, message) => {
    await using dir = await tempDir('sockkit-demo-');
    let connections = 0;
    await using receiver = await createServer({ host: '127.0.0.1', port: 0 }, async () => {
      connections += 1;
    });
    const sender = await runCli([
      'send-file',
      pathIn(dir.path),
      `127.0.0.1:${hostPortOf(receiver.address).port}`,
    ]);
    expect(sender.code).toBe(1);
    expect(sender.stderr.trimEnd()).toMatch(message);
    expect(sender.stdout).toBe(''); // not even "sending ..."
    expect(connections).toBe(0);
  });

  it('refuses --out naming a file, with exit 2', async () => {
    await using dir = await tempDir('sockkit-demo-');
    const file = join(dir.path, 'taken');
    await writeFile(file, 'a file');
    const receiver = await runCli(['recv-file', '--port', '0', '--out', file]);
    expect(receiver.code).toBe(2);
    expect(receiver.stderr).toMatch(/^sockkit-demo recv-file: --out: .*taken is a file, not a directory$/m);
  });
});
