import { describe, expect, it } from 'vitest';
import {
  attemptTimeout,
  DEFAULT_RETRANSMISSION,
  resolveRetransmission,
  retransmissionSpan,
} from '../src/backoff.ts';
import { InvalidOptionError } from '../src/errors.ts';

describe('retransmission backoff', () => {
  it('doubles from the base timeout, with jitter in [1, randomFactor]', () => {
    const policy = DEFAULT_RETRANSMISSION;
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

  it('measures the worst-case span of the defaults: 11,625 ms', () => {
    expect(retransmissionSpan()).toBe(375 + 750 + 1500 + 3000 + 6000);
    expect(retransmissionSpan(resolveRetransmission({ timeout: 10, retries: 0 }))).toBe(15);
  });

  it('fills in defaults field by field', () => {
    expect(resolveRetransmission({ retries: 2, backoff: { factor: 3 } })).toEqual({
      ...DEFAULT_RETRANSMISSION,
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
  ])('refuses %o with InvalidOptionError naming %s', (options, option) => {
    expect(() => resolveRetransmission(options)).toThrow(InvalidOptionError);
    expect(() => resolveRetransmission(options)).toThrow(`Option ${option} `);
  });
});
