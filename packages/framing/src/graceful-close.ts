import type { Outbox } from './outbox.js';
import type { Transport } from './transport.js';

/**
 * A channel's graceful close: its queued writes and the end of its write side, then the peer's
 * end, all within one timeout. Closing a TCP socket while received bytes are unread makes the
 * kernel reset the connection and drop what it has not sent yet, so after ending its side the
 * channel reads on, discarding, until the peer ends too (a lingering close, as HTTP servers do).
 */
export class GracefulClose {
  readonly #transport: Transport;
  readonly #outbox: Outbox;
  /** Ends the current wait, if one runs. */
  #stop: (() => void) | null = null;
  #lingering = false;

  constructor(transport: Transport, outbox: Outbox) {
    this.#transport = transport;
    this.#outbox = outbox;
  }

  /** Whether received bytes are discarded now: the write side ended, and the peer's end is awaited. */
  get lingering(): boolean {
    return this.#lingering;
  }

  /**
   * Runs the steps within `timeout` ms; `peerEnded` says whether the peer has ended its side
   * already. False when the flush did not finish in time: the bytes not yet written are lost.
   */
  async run(timeout: number, peerEnded: () => boolean): Promise<boolean> {
    const transport = this.#transport;
    const deadline = performance.now() + timeout;
    let flushed = true;
    if (!transport.writableEnded && !transport.destroyed) {
      flushed = await this.#until(deadline, (done) =>
        this.#outbox.afterQueuedWrites(() => transport.end(done)),
      );
    }
    if (flushed && !peerEnded() && !transport.destroyed) {
      this.#lingering = true;
      transport.resume();
      await this.#until(deadline, () => {}); // until stopWaiting(): the peer ended, or the channel failed
    }
    return flushed;
  }

  /** Ends the current wait early: the peer ended while lingering, or the channel failed. */
  stopWaiting(): void {
    this.#stop?.();
  }

  /** Runs `start`, then waits until it calls `done` or {@link stopWaiting} is called (true), or `deadline` passes (false). */
  #until(deadline: number, start: (done: () => void) => void): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), Math.max(0, deadline - performance.now()));
      const done = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.#stop = done;
      start(done);
    });
  }
}
