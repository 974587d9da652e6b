import { retransmissionSpan } from './backoff.js';
import { InvalidOptionError } from './errors.js';

/** Bounds of a server's reply cache. */
export interface ReplyCacheOptions {
  /** Most requests remembered at once. Default 4,096. */
  readonly maxEntries?: number;
  /** Most reply bytes held at once. Default 4 MiB. */
  readonly maxBytes?: number;
  /**
   * How long a request is remembered after it first arrives, in ms. It must cover the clients'
   * whole retransmission span ({@link retransmissionSpan}), or a late retransmission runs the
   * handler a second time. Default: the span of the default policy (11,625 ms).
   */
  readonly ttl?: number;
}

/** What the cache knows about a request. */
export type CachedRequest =
  | { readonly state: 'running' }
  | { readonly state: 'answered'; readonly reply: Uint8Array }
  /** The handler threw, returned nothing, or its reply was refused: retransmissions get no answer either. */
  | { readonly state: 'unanswered' };

const RUNNING: CachedRequest = Object.freeze({ state: 'running' });
const UNANSWERED: CachedRequest = Object.freeze({ state: 'unanswered' });

/**
 * At-most-once execution for `serve`: remembers each request (by sender and id) from its arrival
 * until `ttl` later, with the reply once there is one, so a retransmitted request is answered
 * from here instead of running the handler again.
 *
 * Bounded in entries and bytes: past a bound the oldest entries go first (counted in
 * `evictions`), which trades the at-most-once promise for those old requests against memory.
 * Entries share one `ttl`, so insertion order is expiry order and expiry is a sweep from the front.
 */
export class ReplyCache {
  readonly maxEntries: number;
  readonly maxBytes: number;
  readonly ttl: number;
  /** Entries dropped before their time to respect `maxEntries` or `maxBytes`. */
  evictions = 0;
  /**
   * The entries live in a ring of slots, oldest at `#head`, as parallel arrays: an entry costs its
   * key and its reply, no object of its own. Entries live for seconds, long enough to survive the
   * young generation, so every object per entry would be copied and promoted by the GC.
   */
  #slots = new Map<string, number>();
  #keys: Array<string | undefined> = [];
  /** The reply of an answered entry; `undefined` while running or when unanswered. */
  #replies: Array<Uint8Array | undefined> = [];
  /** Whether the entry's handler still runs. */
  #running: boolean[] = [];
  #expiresAt: number[] = [];
  #head = 0;
  #count = 0;
  #bytes = 0;
  readonly #now: () => number;

  constructor(options: ReplyCacheOptions = {}, now: () => number = performance.now.bind(performance)) {
    const { maxEntries = 4096, maxBytes = 4 * 1024 * 1024, ttl = retransmissionSpan() } = options;
    if (!Number.isInteger(maxEntries) || maxEntries < 1) {
      throw new InvalidOptionError('replyCache.maxEntries', 'an integer >= 1', maxEntries);
    }
    if (!Number.isInteger(maxBytes) || maxBytes < 0) {
      throw new InvalidOptionError('replyCache.maxBytes', 'an integer >= 0', maxBytes);
    }
    if (!(ttl >= 0)) throw new InvalidOptionError('replyCache.ttl', 'a number of ms >= 0', ttl);
    this.maxEntries = maxEntries;
    this.maxBytes = maxBytes;
    this.ttl = ttl;
    this.#now = now;
  }

  /** Requests remembered now. */
  get size(): number {
    return this.#count;
  }

  /** Reply bytes held now. */
  get bytes(): number {
    return this.#bytes;
  }

  /**
   * Looks `key` up. A request seen before (and not expired) returns what is known about it; a new
   * one is recorded as running and returns `undefined`: the caller runs the handler, then calls
   * {@link complete}.
   */
  begin(key: string): CachedRequest | undefined {
    const now = this.#now();
    this.#sweep(now);
    const slot = this.#slots.get(key);
    if (slot !== undefined) {
      if (this.#running[slot]) return RUNNING;
      const reply = this.#replies[slot];
      return reply === undefined ? UNANSWERED : { state: 'answered', reply };
    }
    if (this.#count >= this.maxEntries) this.#evictOldest();
    const free = (this.#head + this.#count) % this.maxEntries;
    this.#keys[free] = key;
    this.#replies[free] = undefined;
    this.#running[free] = true;
    this.#expiresAt[free] = now + this.ttl;
    this.#count++;
    this.#slots.set(key, free);
    return undefined;
  }

  /** Records the outcome of a running request: its reply, or `undefined` for none. */
  complete(key: string, reply: Uint8Array | undefined): void {
    const slot = this.#slots.get(key);
    if (slot === undefined) return;
    this.#running[slot] = false;
    if (reply === undefined || reply.byteLength > this.maxBytes) return;
    this.#replies[slot] = reply;
    this.#bytes += reply.byteLength;
    while (this.#bytes > this.maxBytes) this.#evictOldest();
  }

  /** Forgets everything (the endpoint closed). */
  clear(): void {
    this.#slots.clear();
    this.#keys = [];
    this.#replies = [];
    this.#running = [];
    this.#expiresAt = [];
    this.#head = 0;
    this.#count = 0;
    this.#bytes = 0;
  }

  #sweep(now: number): void {
    while (this.#count > 0 && this.#expiresAt[this.#head]! <= now) this.#deleteOldest();
  }

  #evictOldest(): void {
    if (this.#deleteOldest()) this.evictions++;
  }

  #deleteOldest(): boolean {
    if (this.#count === 0) return false;
    const slot = this.#head;
    this.#slots.delete(this.#keys[slot]!);
    this.#bytes -= this.#replies[slot]?.byteLength ?? 0;
    this.#keys[slot] = undefined;
    this.#replies[slot] = undefined;
    this.#head = (slot + 1) % this.maxEntries;
    this.#count--;
    return true;
  }
}
