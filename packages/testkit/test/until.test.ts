import { describe, expect, it } from 'vitest';
import { until } from '../src/index.ts';

describe('until', () => {
  it('resolves at once when the condition already holds', async () => {
    let checks = 0;
    await until(() => ++checks > 0);
    expect(checks).toBe(1);
  });

  it('resolves once the condition turns true', async () => {
    let count = 0;
    const ticking = setInterval(() => count++, 1);
    try {
      await until(() => count >= 3, { interval: 1 });
      expect(count).toBeGreaterThanOrEqual(3);
    } finally {
      clearInterval(ticking);
    }
  });

  it('rejects with the condition in the message when it never holds', async () => {
    await expect(until(() => false, { timeout: 0 })).rejects.toThrow(
      /^until: still false after 0 ms: \(\) => false$/,
    );
  });
});
