import { setTimeout as sleep } from 'node:timers/promises';

/** Options of {@link until}. */
export interface UntilOptions {
  /** Give up after this many ms with an error naming the condition. Default 10,000 (under vitest's 20 s, so the message shows). */
  readonly timeout?: number;
  /** Ms between checks. Default 10: cheap on a shared machine, yet quick to notice. */
  readonly interval?: number;
}

/**
 * Resolves once `condition()` holds: for state that no event announces, such as a counter. Checks
 * at once, then every `interval` ms; rejects after `timeout` ms with the condition's source in the
 * message. Prefer waiting on an event (`once(emitter, 'message')`) when there is one.
 *
 * @example
 * ```ts
 * await until(() => server.stats.received === 10);
 * ```
 */
export async function until(condition: () => boolean, options: UntilOptions = {}): Promise<void> {
  const { timeout = 10_000, interval = 10 } = options;
  const giveUpAt = performance.now() + timeout;
  while (!condition()) {
    if (performance.now() >= giveUpAt) {
      throw new Error(`until: still false after ${timeout} ms: ${condition.toString()}`);
    }
    await sleep(interval);
  }
}
