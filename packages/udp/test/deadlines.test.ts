import { describe, expect, it } from 'vitest';
import { DeadlineTimer } from '../src/deadlines.ts';

interface Entry {
  deadline: number;
  readonly name: string;
}

const entry = (name: string): Entry => ({ deadline: 0, name });

describe('DeadlineTimer', () => {
  it('expires entries in deadline order, not in scheduling order', async () => {
    const expired: string[] = [];
    let done: () => void;
    const finished = new Promise<void>((resolve) => {
      done = resolve;
    });
    const timer = new DeadlineTimer<Entry>((e) => {
      expired.push(e.name);
      if (expired.length === 3) done();
    });
    timer.schedule(entry('late'), 30);
    timer.schedule(entry('early'), 1);
    timer.schedule(entry('middle'), 15);
    await finished;
    expect(expired).toEqual(['early', 'middle', 'late']);
    expect(timer.size).toBe(0);
  });

  it('never expires a cancelled entry, and lets onExpired schedule again', async () => {
    const expired: string[] = [];
    const cancelled = entry('cancelled');
    const again = entry('again');
    const finished = new Promise<void>((resolve) => {
      const timer = new DeadlineTimer<Entry>((e) => {
        expired.push(e.name);
        if (expired.length < 3) timer.schedule(e, 2);
        else resolve();
      });
      timer.schedule(cancelled, 1);
      timer.schedule(again, 3);
      timer.cancel(cancelled);
    });
    await finished;
    expect(expired).toEqual(['again', 'again', 'again']);
  });

  it('stops on clear', async () => {
    const expired: string[] = [];
    const timer = new DeadlineTimer<Entry>((e) => expired.push(e.name));
    timer.schedule(entry('x'), 1);
    timer.clear();
    // A later deadline on another timer has passed, so the cleared one would have fired by now.
    await new Promise<void>((resolve) => {
      const probe = new DeadlineTimer<Entry>(() => resolve());
      probe.schedule(entry('probe'), 5);
    });
    expect([expired, timer.size]).toEqual([[], 0]);
  });
});
