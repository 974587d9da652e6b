import { z } from 'zod';
import { formatHostPort, hostPortArg, sizeArg } from '../cli/args.js';
import { defineCommand, InterruptedError } from '../cli/command.js';
import { print } from '../cli/output.js';
import { onShutdownSignal } from '../cli/shutdown.js';
import { openFileToSend, sendFile } from '../programs/file-transfer.js';

export const sendFileCommand = defineCommand({
  name: 'send-file',
  summary: 'send a file over TCP with progress, throughput and a SHA-256 check',
  lesson:
    'Lesson: sendall() until everything is sent. sockkit adds: a typed offer the receiver can refuse, then the bytes of the file streamed with backpressure (memory stays flat for any size), a progress bar on a terminal (plain lines when piped), and a SHA-256 the receiver checks before the file gets its name.',
  positionals: [
    { name: 'path', description: 'the file to send' },
    { name: 'host:port', description: 'where recv-file listens (a bare port means 127.0.0.1)' },
  ],
  options: {
    'limit-rate': {
      type: 'string',
      placeholder: 'size',
      description:
        'cap the throughput at this many bytes per second, e.g. 500KiB or 50MiB (default: as fast as possible)',
    },
  },
  args: z.object({
    path: z.string().min(1),
    'host:port': hostPortArg,
    'limit-rate': sizeArg(10 * 1024).optional(),
  }),
  examples: ['sockkit-demo send-file ./photo.jpg 127.0.0.1:9000'],
  async run(args) {
    const to = args['host:port'];
    const rate = args['limit-rate'];
    await using file = await openFileToSend(args.path); // before connecting: a missing file is no transfer
    print(`send-file: sending ${args.path} to ${formatHostPort(to)}`);
    // Ctrl-C cuts the transfer; the receiver drops its partial file. The bar goes, the cursor comes back.
    using shutdown = onShutdownSignal();
    const receipt = await sendFile(file, to, {
      signal: shutdown.signal,
      ...(rate === undefined ? {} : { bytesPerSecond: rate }),
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
