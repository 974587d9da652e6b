import { printError } from './output.js';

const signals = ['SIGINT', 'SIGTERM'] as const;

/** A graceful stop, asked for by a signal or by another part of the program. */
export interface Shutdown extends Disposable {
  /** Aborts (with the signal's name, or the reason given to `request`) once a stop is asked for. */
  readonly signal: AbortSignal;
  /**
   * Asks for a graceful stop without counting as a signal: a cluster worker told to stop by its
   * primary may also get the terminal's own Ctrl-C, and the two together are one stop, not two.
   */
  request(reason: string): void;
}

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
export function onShutdownSignal(): Shutdown {
  const controller = new AbortController();
  let signalled = false;
  const onSignal = (name: NodeJS.Signals) => {
    if (signalled) {
      printError(`${name} again: exiting now`);
      process.exit(130);
    }
    signalled = true;
    if (!controller.signal.aborted) controller.abort(name);
  };
  for (const name of signals) process.on(name, onSignal);
  return {
    signal: controller.signal,
    request(reason) {
      if (!controller.signal.aborted) controller.abort(reason);
    },
    [Symbol.dispose]() {
      for (const name of signals) process.off(name, onSignal);
    },
  };
}
