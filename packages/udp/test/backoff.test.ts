import { describe, expect, it } from 'vitest';
import {
  attemptTimeout,
  DEFAULT_RETRANSMISSION,
  resolveRetransmission,
  retransmissionSpan,
} from '../src/backoff.ts';
import { InvalidArgumentError } from '../src/errors.ts';

describe('retransmission backoff', () => {
  it('doubles from the base timeout, with jitter in [1, randomFactor]', () => {
    const policy = resolveRetransmission();
    expect([0, 1, 2, 3, 4].map((attempt) => attemptTimeout(policy, attempt, () => 0))).toEqual([
      250, 500, 1000, 2000, 4000,
    ]);
    expect([0, 1, 2, 3, 4].map((attempt) => attemptTimeout(policy, attempt, () => 1))).toEqual([
      375, 750, 1500, 3000, 6000,
    ]);
    for (let i = 0; i < 100; i++) {
      const wait = attemptTimeout(policy, 1, Math.random);
      expect(wait).toBeGreaterThanOrEqual(500);
      expect(wait).toBeLessThanOrEqual(750);
    }
  });

  it('caps one wait at maxTimeout, after the jitter', () => {
    const policy = resolveRetransmission({ timeout: 100, retries: 10, backoff: { maxTimeout: 1000 } });
    expect(attemptTimeout(policy, 3, () => 1)).toBe(1000);
    expect(attemptTimeout(policy, 9, () => 0)).toBe(1000);
  });

  it('never waits longer than a Node timer holds (2^31-1 ms), even with maxTimeout Infinity', () => {
    const policy = resolveRetransmission({
      timeout: 2 ** 31 - 1,
      retries: 5,
      backoff: { maxTimeout: Number.POSITIVE_INFINITY },
    });
    expect(attemptTimeout(policy, 4, () => 1)).toBe(2 ** 31 - 1);
    expect(() => resolveRetransmission({ timeout: 2 ** 31 })).toThrow(InvalidArgumentError);
    expect(() => resolveRetransmission({ backoff: { maxTimeout: 2 ** 31 } })).toThrow(InvalidArgumentError);
  });

  it('measures the worst-case span of the defaults: 11,625 ms', () => {
    expect(retransmissionSpan()).toBe(375 + 750 + 1500 + 3000 + 6000);
    expect(retransmissionSpan({ timeout: 10, retries: 0 })).toBe(15);
  });

  it('takes the options shape udpEndpoint({ retransmission }) takes, and DEFAULT_RETRANSMISSION is in it', () => {
    expect(retransmissionSpan(DEFAULT_RETRANSMISSION)).toBe(retransmissionSpan());
    // A field of its own changes only that field (it once returned 0 for { timeout: 1000 }).
    expect(retransmissionSpan({ timeout: 1000 })).toBe(1500 + 3000 + 6000 + 8000 + 8000);
    expect(retransmissionSpan({ timeout: 100, retries: 2, backoff: { factor: 3, randomFactor: 1 } })).toBe(
      100 + 300 + 900,
    );
    expect(() => retransmissionSpan({ factor: 3 } as never)).toThrow(InvalidArgumentError);
  });

  it('adds the attempts at the cap in one step: each wait summed, however many retries', () => {
    const bySum = (options: Parameters<typeof retransmissionSpan>[0]) => {
      const schedule = resolveRetransmission(options);
      let span = 0;
      for (let attempt = 0; attempt <= schedule.retries; attempt++)
        span += attemptTimeout(schedule, attempt, () => 1);
      return span;
    };
    for (const options of [
      { timeout: 1000, retries: 40 },
      { timeout: 7, retries: 30, backoff: { factor: 1.3, randomFactor: 1.1, maxTimeout: 999.6 } },
      { timeout: 50, retries: 12, backoff: { factor: 1 } },
      { timeout: 2 ** 30, retries: 5, backoff: { maxTimeout: Number.POSITIVE_INFINITY } },
      { timeout: 0.4, retries: 3, backoff: { randomFactor: 1 } },
    ]) {
      expect(retransmissionSpan(options)).toBe(bySum(options));
    }
    // A billion retries of the defaults: the ramp, then 8 s each.
    expect(retransmissionSpan({ retries: 1e9 })).toBe(375 + 750 + 1500 + 3000 + 6000 + 8000 * (1e9 - 4));
  });

  it('fills in defaults field by field', () => {
    expect(resolveRetransmission({ retries: 2, backoff: { factor: 3 } })).toEqual({
      ...resolveRetransmission(),
      retries: 2,
      factor: 3,
    });
  });

  it.each([
    [{ timeout: 0 }, 'timeout'],
    [{ timeout: Number.POSITIVE_INFINITY }, 'timeout'],
    [{ retries: -1 }, 'retries'],
    [{ retries: 1.5 }, 'retries'],
    [{ backoff: { factor: 0.5 } }, 'backoff.factor'],
    [{ backoff: { randomFactor: 0.9 } }, 'backoff.randomFactor'],
    [{ backoff: { maxTimeout: 0 } }, 'backoff.maxTimeout'],
  ])('refuses %o with InvalidArgumentError naming %s', (options, option) => {
    expect(() => resolveRetransmission(options)).toThrow(InvalidArgumentError);
    expect(() => resolveRetransmission(options)).toThrow(`options.${option} must be`);
  });
});
