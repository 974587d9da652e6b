import { ReadTimeoutError } from './errors.js';

/**
 * A channel's two read deadlines: the frame deadline (a started frame must complete within
 * `frameTimeout`, the slowloris guard) and the idle deadline (some byte must arrive within
 * `idleTimeout`). It owns only timers: the channel reports what it read, and `onExpire` hears of
 * the deadline that passed. A `null` timeout disables that deadline.
 */
export class ReadDeadlines {
  readonly #frameTimeout: number | null;
  readonly #idleTimeout: number | null;
  readonly #onExpire: (error: ReadTimeoutError) => void;
  #frameTimer: NodeJS.Timeout | null = null;
  #idleTimer: NodeJS.Timeout | null = null;
  /** Set by {@link end}: reading is over, nothing starts a deadline again. */
  #ended = false;

  constructor(
    frameTimeout: number | null,
    idleTimeout: number | null,
    onExpire: (error: ReadTimeoutError) => void,
  ) {
    this.#frameTimeout = frameTimeout;
    this.#idleTimeout = idleTimeout;
    this.#onExpire = onExpire;
  }

  /** Starts the idle deadline, unless it runs already. */
  startIdle(): void {
    const timeout = this.#idleTimeout;
    if (timeout === null || this.#idleTimer !== null || this.#ended) return;
    this.#idleTimer = setTimeout(
      () => this.#onExpire(new ReadTimeoutError('idle', timeout)),
      timeout,
    ).unref();
  }

  /** Bytes arrived: the idle deadline starts over. */
  received(): void {
    this.#idleTimer?.refresh();
  }

  /**
   * After decoding a chunk: runs the deadline of the frame in progress (`inFrame`), restarting it
   * when `framesCompleted` (a new frame started in this chunk), and clears it between frames.
   */
  decoded(inFrame: boolean, framesCompleted: boolean): void {
    const timeout = this.#frameTimeout;
    if (timeout === null || this.#ended) return;
    if (!inFrame) {
      this.#clearFrame();
    } else if (this.#frameTimer === null || framesCompleted) {
      this.#clearFrame();
      this.#frameTimer = setTimeout(
        () => this.#onExpire(new ReadTimeoutError('frame', timeout)),
        timeout,
      ).unref();
    }
  }

  /** Clears both deadlines for good: the channel is closing (its close timeout governs now), the peer ended, or it failed. */
  end(): void {
    this.#ended = true;
    this.stop();
  }

  /** Clears both deadlines until reading resumes (the channel paused reading). */
  stop(): void {
    this.#clearFrame();
    if (this.#idleTimer !== null) clearTimeout(this.#idleTimer);
    this.#idleTimer = null;
  }

  #clearFrame(): void {
    if (this.#frameTimer !== null) clearTimeout(this.#frameTimer);
    this.#frameTimer = null;
  }
}
