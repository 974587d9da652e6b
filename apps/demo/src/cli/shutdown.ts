import { printError } from './output.js';

const signals = ['SIGINT', 'SIGTERM'] as const;

/**
 * An AbortSignal that aborts on the first SIGINT or SIGTERM, so a server can stop
 * accepting and let in-flight work finish; a second signal exits at once (130), for
 * when a peer keeps the graceful close waiting. Dispose it to restore Node's default.
 *
 * @example
 * using shutdown = onShutdownSignal();
 * await once(shutdown.signal, 'abort');
 * await server.close({ grace: 5_000 });
 */
export function onShutdownSignal(): { readonly signal: AbortSignal } & Disposable {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      printError(`${name} again: exiting now`);
      process.exit(130);
    }
    controller.abort(name);
  };
  for (const name of signals) process.on(name, onSignal);
  return {
    signal: controller.signal,
    [Symbol.dispose]() {
      for (const name of signals) process.off(name, onSignal);
    },
  };
}
