import cluster from 'node:cluster';
import { once } from 'node:events';
import { z } from 'zod';
import { countArg, DEFAULT_HOST, formatAddress, hostArg, portArg } from '../cli/args.js';
import { defineCommand } from '../cli/command.js';
import { print } from '../cli/output.js';
import { onShutdownSignal } from '../cli/shutdown.js';
import { startEchoServer } from '../programs/echo.js';

async function serveUntilSignal(host: string, port: number, role: string): Promise<void> {
  using shutdown = onShutdownSignal();
  const server = await startEchoServer({ host, port }, shutdown.signal, print);
  print(`${role} ${process.pid} ready: echo server listening on ${formatAddress(server.address)}`);
  await server.closed;
  print(`${role} ${process.pid}: stopped accepting, all connections finished`);
}

/** Forks `workers` processes that share one listening port (node:cluster hands them connections). */
async function runPrimary(workers: number, host: string, port: number): Promise<void> {
  using shutdown = onShutdownSignal();
  print(`primary ${process.pid}: starting ${workers} workers on ${host}:${port}`);
  const exits = Array.from({ length: workers }, () => {
    const worker = cluster.fork();
    return once(worker, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  });
  // A Ctrl-C reaches every process of the group; a `kill` reaches only us: pass it on.
  shutdown.signal.addEventListener('abort', () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
  });
  const results = await Promise.all(exits);
  const failed = results.filter(([code]) => code !== 0).length;
  print(`primary ${process.pid}: ${workers - failed} of ${workers} workers stopped cleanly`);
  if (failed > 0) throw new Error(`${failed} worker(s) did not stop cleanly`);
}

export const echoServerCommand = defineCommand({
  name: 'echo-server',
  summary: 'TCP echo server: the connection loop around the communication loop',
  lesson:
    'Lesson: the looped TCP server (socket, bind, listen, accept forever; recv(1024) and reply until the client is done). sockkit adds: every connection served concurrently, end of stream and resets handled, a clean stop on Ctrl-C, and --workers to share one port across cores with node:cluster.',
  options: {
    host: { type: 'string', default: DEFAULT_HOST, description: 'address to listen on' },
    port: {
      type: 'string',
      short: 'p',
      default: '8081',
      description: 'port to listen on (0: any free port)',
    },
    workers: {
      type: 'string',
      short: 'w',
      placeholder: 'n',
      default: '1',
      description: 'processes sharing the port (node:cluster)',
    },
  },
  args: z.object({ host: hostArg, port: portArg, workers: countArg(1, 64) }),
  examples: ['sockkit-demo echo-server --port 8081', 'sockkit-demo echo-server --port 8081 --workers 2'],
  async run({ host, port, workers }) {
    if (workers === 1) return serveUntilSignal(host, port, 'server');
    if (cluster.isPrimary) return runPrimary(workers, host, port);
    return serveUntilSignal(host, port, 'worker');
  },
});
