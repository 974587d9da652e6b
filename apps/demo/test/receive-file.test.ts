import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createConnection, createServer } from '@sockkit/core';
import { createCodec, decodeFrames, encodeFrame, FrameFormats } from '@sockkit/framing';
import { tempDir } from '@sockkit/testkit';
import { describe, expect, it } from 'vitest';
import { type ReceiveOptions, receiveFile } from '../src/programs/file-transfer.ts';
import { numberedName } from '../src/programs/save-as.ts';
import { TransferMessage } from '../src/protocols/file-transfer.ts';

const codec = createCodec(TransferMessage);
const SHA256_OF_HELLO = '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824';

/** What a test sender says after its offer: messages, and the file's raw bytes. */
type Step = TransferMessage | Uint8Array;

/**
 * Runs one transfer against `receiveFile`, as a sender that offers, waits for the answer, and
 * if accepted says whatever `then` holds without waiting again; resolves with the receiver's
 * last answer (the receipt, or its refusal of the offer).
 */
async function transfer(
  outDir: string,
  offer: Extract<TransferMessage, { type: 'offer' }>,
  then: readonly Step[],
  options: ReceiveOptions = {},
) {
  const reports: string[] = [];
  let outcome: Promise<unknown> = Promise.resolve();
  await using server = await createServer({ host: '127.0.0.1', port: 0 }, (conn) => {
    outcome = receiveFile(conn, outDir, (line) => reports.push(line), { showProgress: false, ...options });
    return outcome.then(
      () => {},
      () => {},
    );
  });
  await using conn = await createConnection(server.address, { timeout: 5_000 });
  conn.setTimeout(null);
  const say = (step: Step) =>
    conn.sendAll(step instanceof Uint8Array ? step : encodeFrame(codec.encode(step), FrameFormats.uint32BE));
  const answers = decodeFrames(conn, FrameFormats.uint32BE)[Symbol.asyncIterator]();
  const nextAnswer = async () => {
    const frame = await answers.next();
    return frame.done ? undefined : codec.decode(frame.value);
  };
  await say(offer);
  let receipt = await nextAnswer();
  if (receipt?.type === 'accepted') {
    for (const step of then) await say(step);
    receipt = await nextAnswer();
  }
  await outcome.catch(() => {});
  return { receipt, reports };
}

const hello = new TextEncoder().encode('hello');

describe('receiveFile', () => {
  it('refuses a file whose checksum does not match and leaves nothing behind', async () => {
    await using dir = await tempDir();
    const { receipt, reports } = await transfer(dir.path, { type: 'offer', name: 'hello.txt', size: 5 }, [
      hello,
      { type: 'end', sha256: '0'.repeat(64) },
    ]);
    expect(receipt).toEqual({ type: 'failed', reason: expect.stringMatching(/^checksum mismatch/) });
    expect(reports).toEqual([expect.stringMatching(/failed: checksum mismatch.*; partial file removed$/)]);
    expect(await readdir(dir.path)).toEqual([]);
  });

  it('refuses more bytes than offered: what follows the offered size must be the end message', async () => {
    await using dir = await tempDir();
    const { receipt } = await transfer(dir.path, { type: 'offer', name: 'hello.txt', size: 2 }, [
      hello, // "he" is the file; "llo" would be the next frame's header: 1.8 GB, no end message
      { type: 'end', sha256: SHA256_OF_HELLO },
    ]);
    expect(receipt).toEqual({ type: 'failed', reason: expect.stringMatching(/exceeds|too large/i) });
    expect(await readdir(dir.path)).toEqual([]);
  });

  it('keeps only the last segment of an offered path, so a peer cannot pick where the file lands', async () => {
    await using dir = await tempDir();
    const { receipt } = await transfer(dir.path, { type: 'offer', name: '../../etc/hello.txt', size: 5 }, [
      hello,
      { type: 'end', sha256: SHA256_OF_HELLO },
    ]);
    expect(receipt).toEqual({ type: 'saved', name: 'hello.txt', sha256: SHA256_OF_HELLO });
    expect(await readdir(dir.path)).toEqual(['hello.txt']);
    expect(await readFile(`${dir.path}/hello.txt`, 'utf8')).toBe('hello');
  });

  it('refuses an offer over its size limit before any byte is sent', async () => {
    await using dir = await tempDir();
    const { receipt, reports } = await transfer(
      dir.path,
      { type: 'offer', name: 'big.bin', size: 2048 },
      [],
      {
        maxSize: 1024,
      },
    );
    expect(receipt).toEqual({
      type: 'failed',
      reason: 'big.bin is 2.0 KiB, over the 1.0 KiB this receiver accepts',
    });
    expect(reports).toEqual([
      'recv-file: transfer of big.bin failed: big.bin is 2.0 KiB, over the 1.0 KiB this receiver accepts',
    ]);
    expect(await readdir(dir.path)).toEqual([]);
  });

  it.each(['.bashrc', '..', '/'])('refuses the name %j', async (name) => {
    await using dir = await tempDir();
    const { receipt } = await transfer(dir.path, { type: 'offer', name, size: 0 }, []);
    expect(receipt).toEqual({ type: 'failed', reason: `refused the file name ${JSON.stringify(name)}` });
    expect(await readdir(dir.path)).toEqual([]);
  });

  it('never replaces a file of the same name: the new one is saved as "name (1).ext", then "(2)"', async () => {
    await using dir = await tempDir();
    await writeFile(join(dir.path, 'hello.txt'), 'older');
    const offer = { type: 'offer', name: 'hello.txt', size: 5 } as const;
    const then = [hello, { type: 'end', sha256: SHA256_OF_HELLO }] as const;
    const first = await transfer(dir.path, offer, then);
    const second = await transfer(dir.path, offer, then);
    expect(first.receipt).toEqual({ type: 'saved', name: 'hello (1).txt', sha256: SHA256_OF_HELLO });
    expect(second.receipt).toEqual({ type: 'saved', name: 'hello (2).txt', sha256: SHA256_OF_HELLO });
    expect(first.reports).toEqual([
      `recv-file: saved hello (1).txt (5 bytes, sha256 ${SHA256_OF_HELLO}, as hello.txt was taken)`,
    ]);
    expect((await readdir(dir.path)).sort()).toEqual(['hello (1).txt', 'hello (2).txt', 'hello.txt']);
    expect(await readFile(join(dir.path, 'hello.txt'), 'utf8')).toBe('older');
  });

  it('replaces a file of the same name when told to overwrite', async () => {
    await using dir = await tempDir();
    await writeFile(join(dir.path, 'hello.txt'), 'older');
    const { receipt } = await transfer(
      dir.path,
      { type: 'offer', name: 'hello.txt', size: 5 },
      [hello, { type: 'end', sha256: SHA256_OF_HELLO }],
      { overwrite: true },
    );
    expect(receipt).toEqual({ type: 'saved', name: 'hello.txt', sha256: SHA256_OF_HELLO });
    expect(await readdir(dir.path)).toEqual(['hello.txt']);
    expect(await readFile(join(dir.path, 'hello.txt'), 'utf8')).toBe('hello');
  });
});

describe('receiveFile and a sender that stalls', () => {
  it('gives up after its idle timeout mid-file, and removes the partial file', async () => {
    await using dir = await tempDir();
    const reports: string[] = [];
    let outcome: Promise<unknown> = Promise.resolve();
    await using server = await createServer({ host: '127.0.0.1', port: 0 }, (conn) => {
      outcome = receiveFile(conn, dir.path, (line) => reports.push(line), {
        showProgress: false,
        idleTimeout: 100,
      });
      return outcome.then(
        () => {},
        () => {},
      );
    });
    await using conn = await createConnection(server.address, { timeout: 5_000 });
    conn.setTimeout(null);
    await conn.sendAll(encodeFrame(codec.encode({ type: 'offer', name: 'big.bin', size: 1000 })));
    await conn.recv(1024); // accepted
    await conn.sendAll(new Uint8Array(500)); // half, then nothing
    await expect(outcome).rejects.toThrow('the peer sent nothing for 100 ms');
    expect(reports).toEqual([
      'recv-file: transfer of big.bin failed: the peer sent nothing for 100 ms; partial file removed',
    ]);
    expect(await readdir(dir.path)).toEqual([]);
  });
});

describe('numberedName', () => {
  it.each([
    ['report.pdf', 'report (1).pdf'],
    ['archive.tar.gz', 'archive.tar (1).gz'],
    ['README', 'README (1)'],
  ])('%j -> %j', (name, numbered) => {
    expect(numberedName(name, 1)).toBe(numbered);
  });
});
