import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempDir, until } from '@sockkit/testkit';
import { describe, expect, it } from 'vitest';
import type { HostPort } from '../src/cli/args.ts';
import { type FileToSend, sendFile } from '../src/programs/file-transfer.ts';
import { startCli } from './cli-process.ts';
import { renderScreen } from './terminal-screen.ts';

const TERMINAL = { columns: 120, rows: 40 };
const HALF = 512 * 1024;
const BAR = /\[[█░]+\] \d+%/;

/**
 * A file whose bytes the test hands out: a named pipe, read by a real `sendFile`, so a transfer
 * stops halfway until the test lets it go on.
 */
async function heldFile(dir: string, name: string) {
  const path = join(dir, name);
  execFileSync('mkfifo', [path]);
  const [handle, writer] = await Promise.all([open(path, 'r'), open(path, 'w')]);
  const bytes = randomBytes(2 * HALF);
  const file: FileToSend = { handle, name, size: bytes.length, [Symbol.asyncDispose]: () => handle.close() };
  return {
    file,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    firstHalf: () => writer.write(bytes.subarray(0, HALF)),
    async rest() {
      await writer.write(bytes.subarray(HALF));
      await writer.close();
    },
  };
}

describe('progress on a terminal', () => {
  it('draws one bar per transfer under way in one recv-file, and loses no line', async () => {
    await using dir = await tempDir('sockkit-demo-');
    const inbox = join(dir.path, 'inbox');
    await using receiver = startCli(['recv-file', '--port', '0', '--out', inbox], { terminal: TERMINAL });
    const [, port] = await receiver.waitForLine(/^recv-file ready: listening on 127\.0\.0\.1:(\d+)/);
    const to: HostPort = { host: '127.0.0.1', port: Number(port) };
    const screen = () => renderScreen(receiver.output(), TERMINAL.columns);
    const barsOf = (lines: readonly string[]) => lines.filter((line) => BAR.test(line));
    /** The first screen that shows what `shows` wants: the output can end between the lines of one redraw. */
    const screenShowing = async (shows: (lines: readonly string[]) => boolean) => {
      let lines: readonly string[] = [];
      await until(() => {
        lines = screen().lines;
        return shows(lines);
      });
      return lines;
    };

    const a = await heldFile(dir.path, 'a.fifo');
    const b = await heldFile(dir.path, 'b.fifo');
    const sendingA = sendFile(a.file, to, { showProgress: false });
    const sendingB = sendFile(b.file, to, { showProgress: false });
    await Promise.all([a.firstHalf(), b.firstHalf()]);
    const bothHalfway = await screenShowing(
      (lines) => barsOf(lines).length === 2 && barsOf(lines).every((line) => line.includes(' 50% ')),
    );
    // One bar each, in the order the receiver took the two offers (either may come first).
    expect(barsOf(bothHalfway).toSorted()).toEqual([
      expect.stringMatching(/^recv-file a\.fifo \[/),
      expect.stringMatching(/^recv-file b\.fifo \[/),
    ]);

    await b.rest();
    expect(await sendingB).toMatchObject({ type: 'saved', name: 'b.fifo', sha256: b.sha256 });
    // b's lines go above a's bar, which goes on alone.
    const bDone = await screenShowing(
      (lines) =>
        lines.some((line) => line.startsWith('recv-file: saved b.fifo')) && BAR.test(lines.at(-1) ?? ''),
    );
    expect(barsOf(bDone)).toEqual([expect.stringMatching(/^recv-file a\.fifo \[.* 50% /)]);

    await a.rest();
    expect(await sendingA).toMatchObject({ type: 'saved', name: 'a.fifo', sha256: a.sha256 });
    receiver.child.stdin.write('\x03');
    expect(await receiver.exited()).toBe(0);

    const { lines, cursorVisible } = screen();
    expect(lines).toEqual([
      expect.stringMatching(/^recv-file ready: listening on /),
      expect.stringMatching(/^recv-file b\.fifo: done after 1\.0 MiB of 1\.0 MiB in /),
      `recv-file: saved b.fifo (${2 * HALF} bytes, sha256 ${b.sha256})`,
      expect.stringMatching(/^recv-file a\.fifo: done after 1\.0 MiB of 1\.0 MiB in /),
      `recv-file: saved a.fifo (${2 * HALF} bytes, sha256 ${a.sha256})`,
      '^Crecv-file: stopping; transfers under way may finish',
      'recv-file: stopped',
    ]);
    expect(cursorVisible).toBe(true);
    for (const { file, sha256 } of [a, b])
      expect(
        createHash('sha256')
          .update(await readFile(join(inbox, file.name)))
          .digest('hex'),
      ).toBe(sha256);
  });
});
