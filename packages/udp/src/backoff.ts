import { InvalidOptionError } from './errors.js';

/** How the wait for a reply grows from one attempt to the next. */
export interface BackoffOptions {
  /** Multiplier from one attempt's base timeout to the next. Default 2 (RFC 7252 doubles). */
  readonly factor?: number;
  /**
   * Each attempt waits its base timeout times a random number in `[1, randomFactor]`, so clients
   * that lost the same datagram do not retransmit in lockstep. Default 1.5 (RFC 7252 ACK_RANDOM_FACTOR).
   */
  readonly randomFactor?: number;
  /** Cap on one attempt's wait, in ms, applied after the jitter. Default 8,000. */
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

/** A complete, validated retransmission policy. */
export interface RetransmissionPolicy {
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
 * so a request fails after at most 11.6 s.
 */
export const DEFAULT_RETRANSMISSION: RetransmissionPolicy = Object.freeze({
  timeout: 250,
  retries: 4,
  factor: 2,
  randomFactor: 1.5,
  maxTimeout: 8000,
});

function check(name: string, value: number, valid: boolean, expected: string): number {
  if (!valid) throw new InvalidOptionError(name, expected, value);
  return value;
}

/** Fills in the defaults and validates every field; throws {@link InvalidOptionError} on a bad one. */
export function resolveRetransmission(
  options: RetransmissionOptions = {},
  defaults: RetransmissionPolicy = DEFAULT_RETRANSMISSION,
): RetransmissionPolicy {
  const { timeout = defaults.timeout, retries = defaults.retries, backoff = {} } = options;
  const {
    factor = defaults.factor,
    randomFactor = defaults.randomFactor,
    maxTimeout = defaults.maxTimeout,
  } = backoff;
  return {
    timeout: check('timeout', timeout, timeout > 0 && Number.isFinite(timeout), 'a positive number of ms'),
    retries: check('retries', retries, Number.isInteger(retries) && retries >= 0, 'an integer >= 0'),
    factor: check('backoff.factor', factor, factor >= 1 && Number.isFinite(factor), 'a number >= 1'),
    randomFactor: check(
      'backoff.randomFactor',
      randomFactor,
      randomFactor >= 1 && Number.isFinite(randomFactor),
      'a number >= 1',
    ),
    maxTimeout: check('backoff.maxTimeout', maxTimeout, maxTimeout > 0, 'a positive number of ms'),
  };
}

/**
 * How long attempt `attempt` (0 = first send) waits for a reply:
 * `round(min(timeout * factor^attempt * uniform(1, randomFactor), maxTimeout))`.
 */
export function attemptTimeout(
  policy: RetransmissionPolicy,
  attempt: number,
  random: () => number = Math.random,
): number {
  const jitter = 1 + (policy.randomFactor - 1) * random();
  // Whole milliseconds: Node keeps one timer list per distinct duration, so fractions would make one each.
  return Math.round(Math.min(policy.timeout * policy.factor ** attempt * jitter, policy.maxTimeout));
}

/**
 * The longest a request can take from its first send to its {@link RequestTimeoutError}: every
 * attempt at its largest jitter. A server's reply cache must keep entries at least this long,
 * or a late retransmission would run the handler again.
 */
export function retransmissionSpan(policy: RetransmissionPolicy = DEFAULT_RETRANSMISSION): number {
  let span = 0;
  for (let attempt = 0; attempt <= policy.retries; attempt++)
    span += attemptTimeout(policy, attempt, () => 1);
  return span;
}
