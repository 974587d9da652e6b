import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CachedRequest, ReplyCache } from '../src/reply-cache.ts';

/**
 * The reply cache's rules written as plainly as possible (an array, oldest first), to check the
 * real one against: its ring grows, wraps and is indexed by key, this one is searched.
 */
class ModelCache {
  entries: {
    id: string;
    running: boolean;
    reply: Uint8Array | undefined;
    answered: boolean;
    expiresAt: number;
  }[] = [];
  bytes = 0;
  evictions = 0;

  constructor(
    readonly maxEntries: number,
    readonly maxBytes: number,
    readonly ttl: number,
  ) {}

  find(id: string, now: number): CachedRequest | undefined {
    for (let seen = this.entries.length; seen > 0 && this.entries[0]!.expiresAt <= now; seen--) {
      if (this.entries[0]!.running) this.#moveOldestToBack(now);
      else this.#deleteOldest();
    }
    const entry = this.entries.find((candidate) => candidate.id === id);
    if (entry === undefined) return undefined;
    if (entry.running) return { state: 'running' };
    return entry.answered ? { state: 'answered', reply: entry.reply! } : { state: 'unanswered' };
  }

  start(id: string, now: number): boolean {
    if (this.entries.length >= this.maxEntries && !this.#evictOldestFinished(now)) return false;
    this.entries.push({ id, running: true, reply: undefined, answered: false, expiresAt: now + this.ttl });
    return true;
  }

  complete(id: string, reply: Uint8Array | undefined, now: number): void {
    const entry = this.entries.find((candidate) => candidate.id === id);
    if (entry === undefined || !entry.running) return;
    entry.running = false;
    if (reply === undefined || reply.length > this.maxBytes) return;
    entry.reply = reply;
    entry.answered = true;
    this.bytes += reply.length;
    while (this.bytes > this.maxBytes) this.#evictOldestFinished(now);
  }

  #evictOldestFinished(now: number): boolean {
    for (let seen = this.entries.length; seen > 0; seen--) {
      if (!this.entries[0]!.running) {
        this.#deleteOldest();
        this.evictions++;
        return true;
      }
      this.#moveOldestToBack(now);
    }
    return false;
  }

  #moveOldestToBack(now: number): void {
    const oldest = this.entries.shift()!;
    oldest.expiresAt = now + this.ttl;
    this.entries.push(oldest);
  }

  #deleteOldest(): void {
    const oldest = this.entries.shift()!;
    if (oldest.answered) this.bytes -= oldest.reply!.length;
  }
}

/** Requests as serve sees them: a 30-bit key (few, so senders share keys), a sender, the other id bits. */
const request = fc.record({
  key: fc.integer({ min: 0, max: 7 }),
  sender: fc.integer({ min: 0, max: 2 }),
  check: fc.integer({ min: 0, max: 1 }),
});
const step = fc.oneof(
  { arbitrary: fc.record({ arrive: request }), weight: 3 },
  {
    arbitrary: fc.record({
      complete: request,
      size: fc.option(fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 400 })), {
        nil: undefined,
      }),
    }),
    weight: 3,
  },
  { arbitrary: fc.record({ wait: fc.integer({ min: 0, max: 60 }) }), weight: 1 },
);
const senders = [
  ['127.0.0.1', 5000],
  ['127.0.0.2', 5000],
  ['127.0.0.1', 5001],
] as const;

describe('ReplyCache against a plain model', () => {
  it('gives the same answers through growth, wrap-around, expiry, eviction and shared keys', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(1, 2, 3, 5, 16, 17, 33),
        fc.constantFrom(0, 7, 300, 1000, 4 * 1024 * 1024),
        fc.constantFrom(0, 50, 400, Number.POSITIVE_INFINITY),
        fc.array(step, { maxLength: 300, size: 'max' }),
        (maxEntries, maxBytes, ttl, steps) => {
          const clock = { now: 0 };
          const cache = new ReplyCache<number>({ maxEntries, maxBytes, ttl }, () => clock.now);
          const model = new ModelCache(maxEntries, maxBytes, ttl);
          let fill = 0;
          for (const next of steps) {
            if ('wait' in next) {
              clock.now += next.wait;
              continue;
            }
            const { key, sender, check } = 'arrive' in next ? next.arrive : next.complete;
            const [host, port] = senders[sender]!;
            const id = `${key}|${sender}|${check}`;
            if ('arrive' in next) {
              // As serve does: look it up, and record it as running when it is new.
              const known = cache.find(key, host, port, check, clock.now);
              expect(known).toEqual(model.find(id, clock.now));
              if (known === undefined)
                expect(cache.start(key, host, port, check, clock.now)).toBe(model.start(id, clock.now));
            } else {
              // Any entry, running or not, new or forgotten: only a running one takes the outcome.
              const reply =
                next.size === undefined ? undefined : new Uint8Array(next.size).fill(++fill % 251);
              cache.complete(key, reply, host, port, check);
              model.complete(id, reply, clock.now);
            }
            expect([cache.size, cache.bytes, cache.evictions]).toEqual([
              model.entries.length,
              model.bytes,
              model.evictions,
            ]);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
