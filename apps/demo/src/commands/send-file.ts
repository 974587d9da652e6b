import { z } from 'zod';
import { formatHostPort, hostPortArg } from '../cli/args.js';
import { defineCommand, InterruptedError } from '../cli/command.js';
import { print } from '../cli/output.js';
import { onShutdownSignal } from '../cli/shutdown.js';
import { sendFile } from '../programs/file-transfer.js';

export const sendFileCommand = defineCommand({
  name: 'send-file',
  summary: 'send a file over framed TCP with progress, throughput and a SHA-256 check',
  lesson:
    'Lesson: sendall() until everything is sent. sockkit adds: the file streamed in framed chunks with backpressure (memory stays flat for any size), a progress bar on a terminal (plain lines when piped), and a SHA-256 the receiver checks before the file gets its name.',
  positionals: [
    { name: 'path', description: 'the file to send' },
    { name: 'host:port', description: 'where recv-file listens (a bare port means 127.0.0.1)' },
  ],
  options: {
    'limit-rate': {
      type: 'string',
      placeholder: 'MiB/s',
      description: 'cap the throughput, in MiB per second (default: as fast as possible)',
    },
  },
  args: z.object({
    path: z.string().min(1),
    'host:port': hostPortArg,
    'limit-rate': z.coerce
      .number({ error: 'must be a number' })
      .min(0.01, 'must be at least 0.01 (10 KiB/s)')
      .optional(),
  }),
  examples: ['sockkit-demo send-file ./photo.jpg 127.0.0.1:9000'],
  async run(args) {
    const to = args['host:port'];
    const rate = args['limit-rate'];
    print(`send-file: sending ${args.path} to ${formatHostPort(to)}`);
    // Ctrl-C cuts the transfer; the receiver drops its partial file. The bar goes, the cursor comes back.
    using shutdown = onShutdownSignal();
    const receipt = await sendFile(args.path, to, {
      signal: shutdown.signal,
      ...(rate === undefined ? {} : { bytesPerSecond: rate * 1024 * 1024 }),
    }).catch((error: unknown) => {
      if (!shutdown.signal.aborted) throw error;
      throw new InterruptedError(
        `${String(shutdown.signal.reason)}: transfer cut; the receiver keeps no partial file`,
      );
    });
    if (receipt.type === 'failed') throw new Error(`the receiver refused the file: ${receipt.reason}`);
    print(`send-file: receiver saved ${receipt.name}, sha256 ${receipt.sha256} matches`);
  },
});
