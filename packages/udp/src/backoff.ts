import {
  checkDelay,
  checkIntegerIn,
  checkNumberIn,
  checkOptions,
  MAX_TIMEOUT,
} from '@sockkit/core/internals';

/** How the wait for a reply grows from one attempt to the next. */
export interface BackoffOptions {
  /** Multiplier from one attempt's base timeout to the next. Default 2 (RFC 7252 doubles). */
  readonly factor?: number;
  /**
   * Each attempt waits its base timeout times a random number in `[1, randomFactor]`, so clients
   * that lost the same datagram do not retransmit in lockstep. Default 1.5 (RFC 7252 ACK_RANDOM_FACTOR).
   */
  readonly randomFactor?: number;
  /** Cap on one attempt's wait, in ms, applied after the jitter; `Infinity` leaves only the timer limit (2^31-1 ms). Default 8,000. */
  readonly maxTimeout?: number;
}

/** When `request` retransmits and when it gives up. */
export interface RetransmissionOptions {
  /** Base wait for a reply to the first attempt, in ms. Default 250 (RFC 7252's 2 s ACK_TIMEOUT scaled for a LAN). */
  readonly timeout?: number;
  /** Retransmissions after the first attempt. Default 4 (RFC 7252 MAX_RETRANSMIT). */
  readonly retries?: number;
  /** Growth of the wait between attempts. */
  readonly backoff?: BackoffOptions;
}

/** Every field of {@link RetransmissionOptions} set: the shape of {@link DEFAULT_RETRANSMISSION}. */
export interface RetransmissionPolicy extends RetransmissionOptions {
  readonly timeout: number;
  readonly retries: number;
  readonly backoff: Required<BackoffOptions>;
}

/** A validated policy with its defaults filled in, flat for the hot path of `request`. */
export interface RetransmissionSchedule {
  readonly timeout: number;
  readonly retries: number;
  readonly factor: number;
  readonly randomFactor: number;
  readonly maxTimeout: number;
}

/**
 * The defaults: RFC 7252 (CoAP) confirmable-message retransmission, with ACK_TIMEOUT scaled from
 * 2 s (a constrained WAN) to 250 ms (a LAN where a round trip is well under a millisecond and the
 * rest is the peer's processing time). Worst case: waits of 375, 750, 1,500, 3,000 and 6,000 ms,
 * so a request fails after at most 11.6 s. The same shape as `udpEndpoint({ retransmission })`,
 * `request(..., options)` and {@link retransmissionSpan} take.
 */
export const DEFAULT_RETRANSMISSION: RetransmissionPolicy = Object.freeze({
  timeout: 250,
  retries: 4,
  backoff: Object.freeze({ factor: 2, randomFactor: 1.5, maxTimeout: 8000 }),
});

const DEFAULT_SCHEDULE: RetransmissionSchedule = Object.freeze({
  timeout: DEFAULT_RETRANSMISSION.timeout,
  retries: DEFAULT_RETRANSMISSION.retries,
  ...DEFAULT_RETRANSMISSION.backoff,
});

/**
 * Fills in the defaults (the endpoint's, for a `request`) and validates every field of
 * `options.timeout`, `options.retries` and `options.backoff`, naming them under `argument`.
 * Timers are capped at 2^31-1 ms: Node fires a longer one after 1 ms, which made a retransmission
 * timer re-arm every millisecond. Other keys of `options` are the caller's to check.
 */
export function resolveRetransmission(
  options: RetransmissionOptions = {},
  defaults: RetransmissionSchedule = DEFAULT_SCHEDULE,
  argument = 'options',
): RetransmissionSchedule {
  const { timeout, retries, backoff } = options;
  const { factor, randomFactor, maxTimeout } = checkOptions(`${argument}.backoff`, backoff, [
    'factor',
    'randomFactor',
    'maxTimeout',
  ]);
  return {
    timeout: timeout === undefined ? defaults.timeout : checkDelay(`${argument}.timeout`, timeout),
    retries:
      retries === undefined
        ? defaults.retries
        : checkIntegerIn(`${argument}.retries`, retries, 0, Number.MAX_SAFE_INTEGER, 'an integer >= 0'),
    factor:
      factor === undefined
        ? defaults.factor
        : checkNumberIn(`${argument}.backoff.factor`, factor, 1, Number.MAX_VALUE, 'a finite number >= 1'),
    randomFactor:
      randomFactor === undefined
        ? defaults.randomFactor
        : checkNumberIn(
            `${argument}.backoff.randomFactor`,
            randomFactor,
            1,
            Number.MAX_VALUE,
            'a finite number >= 1',
          ),
    maxTimeout:
      maxTimeout === undefined || maxTimeout === Number.POSITIVE_INFINITY
        ? (maxTimeout ?? defaults.maxTimeout)
        : checkDelay(`${argument}.backoff.maxTimeout`, maxTimeout),
  };
}

/** {@link resolveRetransmission} of an options object that holds nothing else (unknown keys refused). */
export function checkRetransmission(
  argument: string,
  options: RetransmissionOptions | undefined,
  defaults: RetransmissionSchedule = DEFAULT_SCHEDULE,
): RetransmissionSchedule {
  return resolveRetransmission(
    checkOptions(argument, options, ['timeout', 'retries', 'backoff']),
    defaults,
    argument,
  );
}

/**
 * How long attempt `attempt` (0 = first send) waits for a reply:
 * `round(min(timeout * factor^attempt * uniform(1, randomFactor), maxTimeout, 2^31-1))`.
 */
export function attemptTimeout(
  schedule: RetransmissionSchedule,
  attempt: number,
  random: () => number = Math.random,
): number {
  const jitter = 1 + (schedule.randomFactor - 1) * random();
  const wait = schedule.timeout * schedule.factor ** attempt * jitter;
  // Whole milliseconds: Node keeps one timer list per distinct duration, so fractions would make one each.
  return Math.round(Math.min(wait, schedule.maxTimeout, MAX_TIMEOUT));
}

/**
 * The longest a request can take from its first send to its `RequestTimeoutError`: every
 * attempt at its largest jitter, for `options` in the shape `udpEndpoint({ retransmission })`
 * and `request()` take (defaults filled in, every field validated). A server's reply cache must
 * keep entries at least this long, or a late retransmission would run the handler again.
 *
 * @example
 * ```ts
 * const ttl = retransmissionSpan({ timeout: 1000, retries: 6 }); // for replyCache: { ttl }
 * ```
 */
export function retransmissionSpan(options?: RetransmissionOptions): number {
  const schedule = checkRetransmission('options', options);
  const longest = Math.round(Math.min(schedule.maxTimeout, MAX_TIMEOUT));
  let span = 0;
  for (let attempt = 0; attempt <= schedule.retries; attempt++) {
    const wait = attemptTimeout(schedule, attempt, () => 1);
    // From here on every attempt waits as long (the cap, or no growth): the rest in one step, so
    // that a huge retries is not a loop as long.
    if (wait === longest || schedule.factor === 1) return span + wait * (schedule.retries - attempt + 1);
    span += wait;
  }
  return span;
}
