import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../src/errors.ts';
import { ReplyCache } from '../src/reply-cache.ts';

function clockedCache(options: ConstructorParameters<typeof ReplyCache>[0]) {
  const clock = { now: 0 };
  return { clock, cache: new ReplyCache(options, () => clock.now) };
}

const reply = (size: number) => new Uint8Array(size);

describe('ReplyCache', () => {
  it('records a new request as running, then answers retransmissions with its reply', () => {
    const { cache } = clockedCache({});
    expect(cache.begin('a')).toBeUndefined();
    expect(cache.begin('a')).toEqual({ state: 'running' });
    cache.complete('a', reply(3));
    expect(cache.begin('a')).toEqual({ state: 'answered', reply: reply(3) });
    expect(cache.bytes).toBe(3);
  });

  it('remembers a request without a reply as unanswered', () => {
    const { cache } = clockedCache({});
    cache.begin('a');
    cache.complete('a', undefined);
    expect(cache.begin('a')).toEqual({ state: 'unanswered' });
  });

  it('keeps an entry for exactly ttl after the request first arrived', () => {
    const { cache, clock } = clockedCache({ ttl: 100 });
    cache.begin('a');
    clock.now = 50;
    cache.begin('b');
    clock.now = 99;
    expect(cache.begin('a')).toEqual({ state: 'running' });
    clock.now = 100;
    expect(cache.begin('a')).toBeUndefined();
    expect(cache.size).toBe(2);
    expect(cache.evictions).toBe(0);
  });

  it('defaults ttl to the default client span', () => {
    expect(new ReplyCache().ttl).toBe(11_625);
  });

  it('evicts the oldest entry past maxEntries, and counts it', () => {
    const { cache } = clockedCache({ maxEntries: 2 });
    cache.begin('a');
    cache.begin('b');
    cache.begin('c');
    expect(cache.size).toBe(2);
    expect(cache.evictions).toBe(1);
    expect(cache.begin('b')).toEqual({ state: 'running' });
    expect(cache.begin('a')).toBeUndefined();
  });

  it('evicts the oldest replies past maxBytes, and ignores completing an evicted entry', () => {
    const { cache } = clockedCache({ maxBytes: 10 });
    for (const key of ['a', 'b', 'c']) cache.begin(key);
    cache.complete('a', reply(4));
    cache.complete('b', reply(4));
    cache.complete('c', reply(4));
    expect(cache.bytes).toBe(8);
    expect(cache.evictions).toBe(1);
    expect(cache.begin('a')).toBeUndefined();
    cache.complete('gone', reply(1));
    expect(cache.bytes).toBe(8);
  });

  it('does not keep a reply larger than maxBytes', () => {
    const { cache } = clockedCache({ maxBytes: 2 });
    cache.begin('a');
    cache.complete('a', reply(3));
    expect(cache.begin('a')).toEqual({ state: 'unanswered' });
    expect(cache.bytes).toBe(0);
  });

  it.each([{ maxEntries: 0 }, { maxBytes: -1 }, { ttl: -1 }, { ttl: Number.NaN }])(
    'refuses %o',
    (options) => {
      expect(() => new ReplyCache(options)).toThrow(InvalidOptionError);
    },
  );
});

describe('ReplyCache under a stream of requests', () => {
  it('stays within maxEntries and expires in arrival order over many requests', () => {
    const { cache, clock } = clockedCache({ maxEntries: 100, ttl: 1000 });
    for (let i = 0; i < 5000; i++) {
      clock.now = i;
      expect(cache.begin(`r${i}`)).toBeUndefined();
      cache.complete(`r${i}`, reply(1));
      expect(cache.size).toBeLessThanOrEqual(100);
    }
    expect(cache.evictions).toBe(4900);
    expect(cache.begin('r4999')).toEqual({ state: 'answered', reply: reply(1) });
    clock.now = 5999;
    expect(cache.begin('r4999')).toBeUndefined();
    expect(cache.size).toBe(1);
    expect(cache.bytes).toBe(0);
  });
});
