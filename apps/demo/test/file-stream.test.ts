import { createHash, randomBytes } from 'node:crypto';
import { open, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setImmediate as turn } from 'node:timers/promises';
import { tempDir } from '@sockkit/testkit';
import { describe, expect, it } from 'vitest';
import { FileWriter, READ_SIZE, streamFile } from '../src/programs/file-stream.ts';

async function fileOf(bytes: Buffer) {
  const dir = await tempDir('sockkit-stream-');
  const path = join(dir.path, 'data.bin');
  await writeFile(path, bytes);
  return { dir, path };
}

describe('streamFile', () => {
  it('sends the bytes in order, one send at a time, never reusing a buffer before its send resolved', async () => {
    const content = randomBytes(5 * READ_SIZE + 12345);
    const { dir, path } = await fileOf(content);
    await using _dir = dir;
    await using file = await open(path);
    const sent: Buffer[] = [];
    let sending = 0;
    const hash = createHash('sha256');
    await streamFile(
      file,
      content.length,
      async (bytes) => {
        expect(sending).toBe(0);
        sending += 1;
        const asGiven = Buffer.from(bytes);
        await turn(); // reads go on meanwhile: a buffer reused too early would change under us
        await turn();
        expect(Buffer.from(bytes).equals(asGiven)).toBe(true);
        sent.push(asGiven);
        sending -= 1;
      },
      { hash },
    );
    expect(Buffer.concat(sent).equals(content)).toBe(true);
    expect(hash.digest('hex')).toBe(createHash('sha256').update(content).digest('hex'));
  });

  it('fails when the file ends before the offered size', async () => {
    const { dir, path } = await fileOf(randomBytes(1000));
    await using _dir = dir;
    await using file = await open(path);
    await expect(streamFile(file, 2000, async () => {}, { hash: createHash('sha256') })).rejects.toThrow(
      'the file ended after 1000 of the 2000 bytes offered',
    );
  });
});

describe('FileWriter', () => {
  it('writes chunks of any size, many at once, in their order', async () => {
    await using dir = await tempDir('sockkit-stream-');
    const path = join(dir.path, 'out.bin');
    const chunks = [
      ...Array.from({ length: 300 }, () => randomBytes(7)), // past the chunk count of one batch
      ...Array.from({ length: 40 }, () => randomBytes(200 * 1024)), // past the bytes of several batches
      randomBytes(1),
    ];
    {
      await using file = await open(path, 'wx');
      const writer = new FileWriter(file);
      for (const chunk of chunks) await writer.write(chunk);
      await writer.flush();
    }
    expect((await readFile(path)).equals(Buffer.concat(chunks))).toBe(true);
  });

  it('fails flush with the error the disk gave', async () => {
    await using dir = await tempDir('sockkit-stream-');
    const path = join(dir.path, 'read-only.bin');
    await writeFile(path, '');
    await using file = await open(path, 'r'); // writes fail: EBADF
    const writer = new FileWriter(file);
    await writer.write(randomBytes(10));
    await expect(writer.flush()).rejects.toThrow(/EBADF/);
  });
});
