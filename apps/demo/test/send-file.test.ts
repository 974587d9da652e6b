import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createServer } from '@sockkit/core';
import { tempDir } from '@sockkit/testkit';
import { describe, expect, it } from 'vitest';
import { hostPortOf } from '../src/cli/args.ts';
import { openFileToSend, sendFile } from '../src/programs/file-transfer.ts';
import { TransferChannel } from '../src/programs/transfer-channel.ts';
import { gate, recvTimedOut } from './waits.ts';

const SHORT = 100;

/** A receiver played by the test: `behave` gets each connection's transfer channel. */
async function fakeReceiver(behave: (channel: TransferChannel) => Promise<void>) {
  return createServer({ host: '127.0.0.1', port: 0 }, async (conn) => {
    await behave(new TransferChannel(conn));
  });
}

/** Reads an offer and accepts it; resolves with the offered size. */
async function acceptOffer(channel: TransferChannel): Promise<number> {
  const offer = await channel.next(null);
  if (offer.type !== 'offer') throw new Error(`expected an offer, got ${offer.type}`);
  await channel.send({ type: 'accepted' });
  return offer.size;
}

/** Reads the `size` bytes of an accepted offer and its end; resolves with the SHA-256 of the bytes. */
async function readBytes(channel: TransferChannel, size: number): Promise<string> {
  const hash = createHash('sha256');
  await channel.receiveBytes(size, null, (bytes) => {
    hash.update(bytes);
  });
  const end = await channel.next(null);
  expect(end).toMatchObject({ type: 'end', sha256: hash.copy().digest('hex') });
  return hash.digest('hex');
}

/** A temp dir holding a file of `bytes` bytes, opened for sending; disposing closes the file and removes the dir. */
async function fileOf(bytes: number) {
  const dir = await tempDir('sockkit-send-');
  const path = join(dir.path, 'data.bin');
  await writeFile(path, Buffer.alloc(bytes, 7));
  const file = await openFileToSend(path);
  return {
    file,
    async [Symbol.asyncDispose]() {
      await file[Symbol.asyncDispose]();
      await dir[Symbol.asyncDispose]();
    },
  };
}

describe('sendFile timeouts', () => {
  it('outlasts its connect timeout: that bounds the connect, not the transfer', async () => {
    await using fixture = await fileOf(64 * 1024);
    await using receiver = await fakeReceiver(async (channel) => {
      const size = await acceptOffer(channel);
      await recvTimedOut(3 * SHORT); // a receiver slower than the sender's connect timeout
      const sha256 = await readBytes(channel, size);
      await channel.send({ type: 'saved', name: 'data.bin', sha256 });
    });
    const receipt = await sendFile(fixture.file, hostPortOf(receiver.address), {
      connectTimeout: SHORT,
      showProgress: false,
    });
    expect(receipt).toMatchObject({ type: 'saved', name: 'data.bin' });
  });

  it('gives up on a receiver that stops taking bytes, after its stall timeout', async () => {
    await using fixture = await fileOf(32 * 1024 * 1024); // more than the kernel buffers hold
    const testEnd = gate();
    await using receiver = await fakeReceiver(async (channel) => {
      await acceptOffer(channel);
      await testEnd.opened; // and never reads again
    });
    await expect(
      sendFile(fixture.file, hostPortOf(receiver.address), { stallTimeout: SHORT, showProgress: false }),
    ).rejects.toThrow(`the receiver took no bytes for ${SHORT} ms`);
    testEnd.open();
  });

  it('gives up waiting for the receipt after its answer timeout', async () => {
    await using fixture = await fileOf(64 * 1024);
    const testEnd = gate();
    await using receiver = await fakeReceiver(async (channel) => {
      await readBytes(channel, await acceptOffer(channel));
      await testEnd.opened; // and never answers
    });
    await expect(
      sendFile(fixture.file, hostPortOf(receiver.address), { answerTimeout: SHORT, showProgress: false }),
    ).rejects.toThrow(`no answer from the receiver within ${SHORT} ms`);
    testEnd.open();
  });
});
