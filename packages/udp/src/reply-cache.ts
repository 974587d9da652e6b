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

interface Entry {
  readonly key: string;
  value: CachedRequest;
  readonly expiresAt: number;
  bytes: number;
}

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
  #entries = new Map<string, Entry>();
  /** The same entries, oldest first: expiry and eviction take from the front without iterating the map. */
  #order: Entry[] = [];
  #head = 0;
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
    return this.#entries.size;
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
    const known = this.#entries.get(key);
    if (known !== undefined) return known.value;
    if (this.#entries.size >= this.maxEntries) this.#evictOldest();
    const entry: Entry = { key, value: RUNNING, expiresAt: now + this.ttl, bytes: 0 };
    this.#entries.set(key, entry);
    this.#order.push(entry);
    return undefined;
  }

  /** Records the outcome of a running request: its reply, or `undefined` for none. */
  complete(key: string, reply: Uint8Array | undefined): void {
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    if (reply === undefined || reply.byteLength > this.maxBytes) {
      entry.value = UNANSWERED;
      return;
    }
    entry.value = { state: 'answered', reply };
    entry.bytes = reply.byteLength;
    this.#bytes += reply.byteLength;
    while (this.#bytes > this.maxBytes) this.#evictOldest();
  }

  /** Forgets everything (the endpoint closed). */
  clear(): void {
    this.#entries.clear();
    this.#order = [];
    this.#head = 0;
    this.#bytes = 0;
  }

  #sweep(now: number): void {
    for (let oldest = this.#order[this.#head]; oldest !== undefined && oldest.expiresAt <= now; ) {
      this.#deleteOldest();
      oldest = this.#order[this.#head];
    }
  }

  #evictOldest(): void {
    if (this.#deleteOldest()) this.evictions++;
  }

  #deleteOldest(): boolean {
    const entry = this.#order[this.#head];
    if (entry === undefined) return false;
    this.#head++;
    if (this.#head >= 1024 && this.#head * 2 >= this.#order.length) {
      this.#order = this.#order.slice(this.#head);
      this.#head = 0;
    }
    this.#entries.delete(entry.key);
    this.#bytes -= entry.bytes;
    return true;
  }
}
