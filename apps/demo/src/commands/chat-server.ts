import { once } from 'node:events';
import { z } from 'zod';
import {
  countArg,
  DEFAULT_HOST,
  formatAddress,
  hostArg,
  portArg,
  sizeArg,
  sizeText,
  timeoutArg,
} from '../cli/args.js';
import { defineCommand } from '../cli/command.js';
import { print } from '../cli/output.js';
import { onShutdownSignal } from '../cli/shutdown.js';
import { refineServerTls, serverTlsOf, tlsServerArgs, tlsServerOptions } from '../cli/tls.js';
import {
  DEFAULT_CHAT_FRAME_TIMEOUT,
  DEFAULT_MAX_CONNECTIONS_PER_ADDRESS,
  DEFAULT_MAX_QUEUED_BYTES,
  startChatServer,
} from '../programs/chat-server.js';

export const chatServerCommand = defineCommand({
  name: 'chat-server',
  summary: 'multi-user chat over framed TCP with typed messages (join, say, leave)',
  lesson:
    'Lesson: the looped server, now with many clients at once. sockkit adds: framed messages checked by zod, members that vanish or stall mid-message or send garbage removed and the others told why, a cap on connections per address, and a bounded queue per member so one client that stops reading cannot make the server buffer without limit; --tls-cert/--tls-key serve it over TLS.',
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
      default: '8082',
      description: 'port to listen on (0: any free port)',
    },
    'max-queued': {
      type: 'string',
      placeholder: 'size',
      default: sizeText(DEFAULT_MAX_QUEUED_BYTES),
      description: 'bytes waiting for one member before it is dropped as too slow',
    },
    'frame-timeout': {
      type: 'string',
      placeholder: 'ms',
      default: String(DEFAULT_CHAT_FRAME_TIMEOUT),
      description: 'time a started message has to arrive whole before its sender is removed',
    },
    'max-per-address': {
      type: 'string',
      placeholder: 'n',
      default: String(DEFAULT_MAX_CONNECTIONS_PER_ADDRESS),
      description: 'connections at once from one IP address; more are refused',
    },
    ...tlsServerOptions,
  },
  args: refineServerTls(
    z.object({
      host: hostArg,
      port: portArg,
      'max-queued': sizeArg(1024, 1024 ** 3),
      'frame-timeout': timeoutArg,
      'max-per-address': countArg(1, 1024),
      ...tlsServerArgs,
    }),
  ),
  examples: [
    'sockkit-demo chat-server --port 8082',
    'sockkit-demo chat-server --port 8082 --tls-cert cert.pem --tls-key key.pem',
  ],
  async run(args) {
    using shutdown = onShutdownSignal();
    const tls = serverTlsOf(args);
    await using server = await startChatServer(
      { host: args.host, port: args.port },
      {
        maxQueuedBytes: args['max-queued'],
        frameTimeout: args['frame-timeout'],
        maxConnectionsPerAddress: args['max-per-address'],
        ...(tls === undefined ? {} : { tls }),
        log: (line) => print(`chat-server: ${line}`),
      },
    );
    print(`chat-server ready: listening on ${formatAddress(server.address)}${tls ? ' (TLS)' : ''}`);
    await once(shutdown.signal, 'abort');
    print('chat-server: stopping');
    await server.close({ grace: 1_000 });
    print('chat-server: stopped');
  },
});
