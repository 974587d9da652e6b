import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../src/errors.ts';
import { ReplyCache } from '../src/reply-cache.ts';

function clockedCache(options: ConstructorParameters<typeof ReplyCache>[0]) {
  const clock = { now: 0 };
  return { clock, cache: new ReplyCache(options, () => clock.now) };
}

const reply = (size: number) => new Uint8Array(size);

/** What the endpoint does per request: look it up, else record it as running (`'full'` when refused). */
const begin = (cache: ReplyCache, key: string) => cache.find(key) ?? (cache.start(key) ? undefined : 'full');

describe('ReplyCache', () => {
  it('records a new request as running, then answers retransmissions with its reply', () => {
    const { cache } = clockedCache({});
    expect(begin(cache, 'a')).toBeUndefined();
    expect(begin(cache, 'a')).toEqual({ state: 'running' });
    cache.complete('a', reply(3));
    expect(begin(cache, 'a')).toEqual({ state: 'answered', reply: reply(3) });
    expect(cache.bytes).toBe(3);
  });

  it('keeps the first outcome when an entry is completed again', () => {
    const { cache } = clockedCache({ maxBytes: 4096 });
    begin(cache, 'big');
    const first = new Uint8Array(300).fill(1);
    cache.complete('big', first);
    cache.complete('big', reply(2));
    cache.complete('big', undefined);
    expect(begin(cache, 'big')).toEqual({ state: 'answered', reply: first });
    expect(cache.bytes).toBe(300);
    begin(cache, 'none');
    cache.complete('none', undefined);
    cache.complete('none', reply(3));
    expect(begin(cache, 'none')).toEqual({ state: 'unanswered' });
    expect(cache.bytes).toBe(300);
  });

  it('remembers a request without a reply as unanswered', () => {
    const { cache } = clockedCache({});
    begin(cache, 'a');
    cache.complete('a', undefined);
    expect(begin(cache, 'a')).toEqual({ state: 'unanswered' });
  });

  it('keeps a finished entry for exactly ttl after the request first arrived', () => {
    const { cache, clock } = clockedCache({ ttl: 100 });
    begin(cache, 'a');
    clock.now = 50;
    begin(cache, 'b');
    cache.complete('a', undefined);
    clock.now = 99;
    expect(begin(cache, 'a')).toEqual({ state: 'unanswered' });
    clock.now = 100;
    expect(begin(cache, 'a')).toBeUndefined();
    expect(cache.size).toBe(2);
    expect(cache.evictions).toBe(0);
  });

  it('defaults ttl to the default client span', () => {
    expect(new ReplyCache().ttl).toBe(11_625);
  });

  it('evicts the oldest finished entry past maxEntries, and counts it', () => {
    const { cache } = clockedCache({ maxEntries: 2 });
    begin(cache, 'a');
    begin(cache, 'b');
    cache.complete('b', reply(1));
    expect(begin(cache, 'c')).toBeUndefined();
    expect(cache.size).toBe(2);
    expect(cache.evictions).toBe(1);
    expect(begin(cache, 'a')).toEqual({ state: 'running' });
    expect(begin(cache, 'b')).toBe('full');
  });

  it('never evicts a running entry: refuses a new request when every entry runs', () => {
    const { cache } = clockedCache({ maxEntries: 2 });
    begin(cache, 'a');
    begin(cache, 'b');
    expect(begin(cache, 'c')).toBe('full');
    expect([cache.size, cache.evictions]).toEqual([2, 0]);
    expect([begin(cache, 'a'), begin(cache, 'b')]).toEqual([{ state: 'running' }, { state: 'running' }]);
    cache.complete('a', reply(2));
    expect(begin(cache, 'c')).toBeUndefined();
    expect(begin(cache, 'b')).toEqual({ state: 'running' });
  });

  it('keeps a running entry past its ttl: it is due again a ttl after the sweep that found it', () => {
    const { cache, clock } = clockedCache({ ttl: 100 });
    begin(cache, 'slow');
    clock.now = 50;
    begin(cache, 'fast');
    cache.complete('fast', reply(1));
    clock.now = 150;
    expect(begin(cache, 'slow')).toEqual({ state: 'running' });
    expect(begin(cache, 'fast')).toBeUndefined();
    cache.complete('slow', reply(1));
    expect(begin(cache, 'slow')).toEqual({ state: 'answered', reply: reply(1) });
    clock.now = 249;
    expect(begin(cache, 'slow')).toEqual({ state: 'answered', reply: reply(1) });
    clock.now = 250;
    expect(begin(cache, 'slow')).toBeUndefined();
  });

  it('evicts finished replies past maxBytes without touching a running entry in front of them', () => {
    const { cache } = clockedCache({ maxBytes: 4 });
    for (const key of ['running', 'a', 'b']) begin(cache, key);
    cache.complete('a', reply(3));
    cache.complete('b', reply(3));
    expect([cache.bytes, cache.evictions]).toEqual([3, 1]);
    expect(begin(cache, 'running')).toEqual({ state: 'running' });
    expect(begin(cache, 'b')).toEqual({ state: 'answered', reply: reply(3) });
  });

  it('evicts the oldest replies past maxBytes, and ignores completing an evicted entry', () => {
    const { cache } = clockedCache({ maxBytes: 10 });
    for (const key of ['a', 'b', 'c']) begin(cache, key);
    cache.complete('a', reply(4));
    cache.complete('b', reply(4));
    cache.complete('c', reply(4));
    expect(cache.bytes).toBe(8);
    expect(cache.evictions).toBe(1);
    expect(begin(cache, 'a')).toBeUndefined();
    cache.complete('gone', reply(1));
    expect(cache.bytes).toBe(8);
  });

  it('does not keep a reply larger than maxBytes', () => {
    const { cache } = clockedCache({ maxBytes: 2 });
    begin(cache, 'a');
    cache.complete('a', reply(3));
    expect(begin(cache, 'a')).toEqual({ state: 'unanswered' });
    expect(cache.bytes).toBe(0);
  });

  it.each([{ maxEntries: 0 }, { maxBytes: -1 }, { ttl: -1 }, { ttl: Number.NaN }])(
    'refuses %o',
    (options) => {
      expect(() => new ReplyCache(options)).toThrow(InvalidArgumentError);
    },
  );
});

describe('ReplyCache under a stream of requests', () => {
  it('stays within maxEntries and expires in arrival order over many requests', () => {
    const { cache, clock } = clockedCache({ maxEntries: 100, ttl: 1000 });
    for (let i = 0; i < 5000; i++) {
      clock.now = i;
      expect(begin(cache, `r${i}`)).toBeUndefined();
      cache.complete(`r${i}`, reply(1));
      expect(cache.size).toBeLessThanOrEqual(100);
    }
    expect(cache.evictions).toBe(4900);
    expect(begin(cache, 'r4999')).toEqual({ state: 'answered', reply: reply(1) });
    clock.now = 5999;
    expect(begin(cache, 'r4999')).toBeUndefined();
    expect(cache.size).toBe(1);
    expect(cache.bytes).toBe(0);
  });
});

describe('ReplyCache keyed by part of an id', () => {
  it('keeps requests of other senders, or other id bits, apart under one key, through expiry and moves', () => {
    const clock = { now: 0 };
    const cache = new ReplyCache<number>({ maxEntries: 3, ttl: 100 }, () => clock.now);
    const senders = [
      ['127.0.0.1', 5000, 1],
      ['127.0.0.2', 5000, 1],
      ['127.0.0.1', 5001, 1],
    ] as const;
    for (const [host, port, check] of senders) expect(cache.start(7, host, port, check)).toBe(true);
    expect(cache.find(7, '127.0.0.1', 5000, 2)).toBeUndefined();
    cache.complete(7, reply(2), '127.0.0.2', 5000, 1);
    expect(senders.map(([host, port, check]) => cache.find(7, host, port, check)?.state)).toEqual([
      'running',
      'answered',
      'running',
    ]);
    // The two running entries move to the back with a fresh ttl; the answered one expires.
    clock.now = 100;
    expect(senders.map(([host, port, check]) => cache.find(7, host, port, check)?.state)).toEqual([
      'running',
      undefined,
      'running',
    ]);
    cache.complete(7, reply(1), '127.0.0.1', 5000, 1);
    expect(cache.start(7, '127.0.0.2', 5000, 1)).toBe(true);
    expect(cache.start(7, '127.0.0.9', 5000, 1)).toBe(true); // evicts the oldest finished one
    expect(cache.evictions).toBe(1);
    expect(cache.find(7, '127.0.0.1', 5000, 1)).toBeUndefined();
    expect(cache.find(7, '127.0.0.1', 5001, 1)).toEqual({ state: 'running' });
    expect(cache.find(7, '127.0.0.2', 5000, 1)).toEqual({ state: 'running' });
    expect(cache.size).toBe(3);
    clock.now = 1000;
    expect(cache.size).toBe(3);
    for (const [host, port] of [
      ['127.0.0.1', 5001],
      ['127.0.0.2', 5000],
      ['127.0.0.9', 5000],
    ] as const)
      cache.complete(7, undefined, host, port, 1);
    expect(cache.find(7, '127.0.0.9', 5000, 1)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('gives back every reply byte for byte, kept in its arena or, past 256 bytes, as it was', () => {
    const cache = new ReplyCache<number>({ maxEntries: 3000 }, () => 0);
    const replyOf = (i: number) => new Uint8Array(i % 300).fill(i % 251);
    for (let i = 0; i < 3000; i++) {
      cache.start(i);
      cache.complete(i, replyOf(i));
    }
    const mismatched: number[] = [];
    for (let i = 0; i < 3000; i++) {
      const found = cache.find(i);
      const expected = replyOf(i);
      if (found?.state !== 'answered' || Buffer.compare(found.reply, expected) !== 0) mismatched.push(i);
    }
    expect(mismatched).toEqual([]);
  });

  it('keeps a reply past 256 bytes in a buffer of its own, not a view holding a larger one alive', () => {
    const { cache } = clockedCache({});
    const pool = new Uint8Array(8192).fill(7);
    const pooled = pool.subarray(100, 400);
    const own = new Uint8Array(300).fill(8);
    cache.start('pooled');
    cache.complete('pooled', pooled);
    cache.start('own');
    cache.complete('own', own);
    const kept = cache.find('pooled');
    expect(kept?.state === 'answered' && kept.reply.buffer.byteLength).toBe(300);
    expect(kept).toEqual({ state: 'answered', reply: pooled });
    expect(cache.find('own')).toEqual({ state: 'answered', reply: own });
    expect((cache.find('own') as { reply: Uint8Array }).reply).toBe(own);
  });
});
