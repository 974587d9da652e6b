import cluster, { type Worker } from 'node:cluster';
import { z } from 'zod';
import { countArg, DEFAULT_HOST, formatAddress, hostArg, portArg } from '../cli/args.js';
import { defineCommand } from '../cli/command.js';
import { print } from '../cli/output.js';
import { onShutdownSignal } from '../cli/shutdown.js';
import { refineServerTls, type ServerTls, serverTlsOf, tlsServerArgs, tlsServerOptions } from '../cli/tls.js';
import { startEchoServer } from '../programs/echo.js';

/** What the primary sends a worker over the cluster's IPC channel to ask for a graceful stop. */
const STOP_MESSAGE = 'sockkit-demo:stop';

async function serveUntilSignal(host: string, port: number, role: string, tls?: ServerTls): Promise<void> {
  using shutdown = onShutdownSignal();
  const onMessage = (message: unknown) => {
    if (message === STOP_MESSAGE) shutdown.request('the primary asked');
  };
  if (cluster.isWorker) process.on('message', onMessage);
  const server = await startEchoServer({ host, port }, shutdown.signal, print, tls);
  const kind = tls === undefined ? 'echo server' : 'TLS echo server';
  print(`${role} ${process.pid} ready: ${kind} listening on ${formatAddress(server.address)}`);
  await server.closed;
  process.off('message', onMessage);
  print(`${role} ${process.pid}: stopped accepting, all connections finished`);
}

/**
 * Forks `workers` processes that share one listening port (node:cluster hands them the
 * connections). A worker that dies after it was listening is replaced; one that dies
 * before (a port in use, say) is not, so a bad start cannot become a fork loop.
 */
async function runPrimary(workers: number, host: string, port: number): Promise<void> {
  using shutdown = onShutdownSignal();
  print(`primary ${process.pid}: starting ${workers} workers on ${host}:${port}`);
  let running = 0;
  let failed = 0;
  const listening = new WeakSet<Worker>();
  const fork = () => {
    running += 1;
    cluster.fork().once('listening', function (this: Worker) {
      listening.add(this);
    });
  };
  const allStopped = new Promise<void>((resolve) => {
    cluster.on('exit', (worker, code, signal) => {
      running -= 1;
      if (!shutdown.signal.aborted && listening.has(worker)) {
        print(
          `primary ${process.pid}: worker ${worker.process.pid} died (${signal ?? code}); starting another`,
        );
        fork();
        return;
      }
      if (code !== 0) failed += 1;
      if (running === 0) resolve();
    });
  });
  for (let n = 0; n < workers; n += 1) fork();
  // A Ctrl-C reaches every process of the group, a `kill` only us: ask each worker to stop, by
  // message rather than by signal, so a worker that also got the Ctrl-C sees one request, not a
  // second signal (which means "exit now").
  shutdown.signal.addEventListener('abort', () => {
    print(`primary ${process.pid}: stopping ${running} workers`);
    for (const worker of Object.values(cluster.workers ?? {}))
      if (worker?.isConnected()) worker.send(STOP_MESSAGE);
  });
  await allStopped;
  print(`primary ${process.pid}: ${workers - failed} of ${workers} workers stopped cleanly`);
  if (failed > 0) throw new Error(`${failed} worker(s) exited with an error`);
}

export const echoServerCommand = defineCommand({
  name: 'echo-server',
  summary: 'TCP echo server: the connection loop around the communication loop',
  lesson:
    "Lesson: the looped TCP server (socket, bind, listen, accept forever; recv(1024) and reply until the client is done). sockkit adds: every connection served concurrently, end of stream and resets handled, a clean stop on Ctrl-C, --workers to share one port across cores with node:cluster, and --tls-cert/--tls-key to wrap each connection in TLS (Python's context.wrap_socket(conn, server_side=True)).",
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
    ...tlsServerOptions,
  },
  args: refineServerTls(
    z.object({ host: hostArg, port: portArg, workers: countArg(1, 64), ...tlsServerArgs }),
  ),
  examples: [
    'sockkit-demo echo-server --port 8081',
    'sockkit-demo echo-server --port 8081 --workers 2',
    'sockkit-demo echo-server --port 8081 --tls-cert cert.pem --tls-key key.pem',
  ],
  async run(args) {
    const { host, port, workers } = args;
    const tls = serverTlsOf(args);
    if (workers === 1) return serveUntilSignal(host, port, 'server', tls);
    if (cluster.isPrimary) return runPrimary(workers, host, port);
    return serveUntilSignal(host, port, 'worker', tls);
  },
});
