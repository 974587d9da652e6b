import { once } from 'node:events';
import { mkdir, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createServer } from '@sockkit/core';
import { z } from 'zod';
import { DEFAULT_HOST, formatAddress, hostArg, portArg, sizeArg, sizeText } from '../cli/args.js';
import { defineCommand, UsageError } from '../cli/command.js';
import { print } from '../cli/output.js';
import { onShutdownSignal } from '../cli/shutdown.js';
import { DEFAULT_MAX_FILE_SIZE, RECEIVER_SERVER_OPTIONS, receiveFile } from '../programs/file-transfer.js';

/** On Ctrl-C, how long transfers under way may take to finish before they are cut. */
const SHUTDOWN_GRACE_MS = 30_000;

export const recvFileCommand = defineCommand({
  name: 'recv-file',
  summary: 'receive files over TCP; a file gets its name only once its SHA-256 matches',
  lesson:
    'Lesson: recv() in a loop until the peer is done. sockkit adds: framed typed messages, a size limit checked on the offer, a checksum before the file is named, partial files removed when a sender vanishes or stalls, safe file names, and transfers in flight finished on Ctrl-C.',
  options: {
    host: {
      type: 'string',
      placeholder: 'address',
      default: DEFAULT_HOST,
      description: 'address to listen on',
    },
    port: {
      type: 'string',
      short: 'p',
      placeholder: 'port',
      default: '9000',
      description: 'port to listen on (0: any free port)',
    },
    out: {
      type: 'string',
      short: 'o',
      placeholder: 'dir',
      default: '.',
      description: 'directory for received files',
    },
    'max-size': {
      type: 'string',
      placeholder: 'size',
      default: sizeText(DEFAULT_MAX_FILE_SIZE),
      description: 'refuse offers of larger files, before any byte is sent',
    },
    overwrite: {
      type: 'boolean',
      description: 'replace a file of the same name (default: save as "name (1).ext", never replace)',
    },
    once: { type: 'boolean', description: 'exit after one transfer (exit code 1 if it failed)' },
  },
  args: z.object({
    host: hostArg,
    port: portArg,
    out: z.string().min(1),
    'max-size': sizeArg(1),
    overwrite: z.boolean().optional(),
    once: z.boolean().optional(),
  }),
  examples: ['sockkit-demo recv-file --port 9000 --out ./inbox'],
  async run({ host, port, out, 'max-size': maxSize, overwrite, once: justOne }) {
    const outDir = resolve(out);
    const existing = await stat(outDir).catch(() => undefined);
    if (existing && !existing.isDirectory()) throw new UsageError(`--out: ${out} is a file, not a directory`);
    await mkdir(outDir, { recursive: true });
    using shutdown = onShutdownSignal();
    const stopRequested = once(shutdown.signal, 'abort').then(() => 'stop' as const);
    let transferEnded: (outcome: 'saved' | 'failed') => void = () => {};
    const firstTransfer = new Promise<'saved' | 'failed'>((resolve) => {
      transferEnded = resolve;
    });
    await using server = await createServer(
      { host, port },
      (conn) =>
        receiveFile(conn, outDir, print, { maxSize, overwrite: overwrite ?? false }).then(
          ({ type }) => transferEnded(type),
          () => transferEnded('failed'), // already reported; a failed transfer never stops the server
        ),
      RECEIVER_SERVER_OPTIONS,
    );
    print(`recv-file ready: listening on ${formatAddress(server.address)}, saving to ${outDir}`);
    const outcome = await Promise.race(justOne ? [stopRequested, firstTransfer] : [stopRequested]);
    if (outcome === 'stop') print('recv-file: stopping; transfers under way may finish');
    await server.close({ grace: SHUTDOWN_GRACE_MS });
    if (outcome === 'failed') throw new Error('the transfer failed');
    print('recv-file: stopped');
  },
});
