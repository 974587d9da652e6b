import { checkIntegerIn, checkNumberIn, checkOptions } from '@sockkit/core/internals';
import { retransmissionSpan } from './backoff.js';
import { SlotIndex } from './integer-map.js';

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

/** Bits of a slot's flags. */
const RUNS = 1;
const OVERFLOWED = 2;

const RUNNING: CachedRequest = Object.freeze({ state: 'running' });
const UNANSWERED: CachedRequest = Object.freeze({ state: 'unanswered' });

/** The key of an entry whose key is taken by another sender's request (rare: 30 bits of id collide). */
const overflowKey = (key: string | number, host: string, port: number, check: number) =>
  `${host}|${port}|${key}|${check}`;

/** Largest reply kept in the entry's own region of the byte arena; longer ones are kept as they are. */
const MAX_INLINE_REPLY = 256;

/**
 * At-most-once execution for `serve`: remembers each request (by sender and id) from its arrival
 * until `ttl` later, with the reply once there is one, so a retransmitted request is answered
 * from here instead of running the handler again.
 *
 * Bounded in entries and bytes: past a bound the oldest finished entries go first (counted in
 * `evictions`), which trades the at-most-once promise for those old requests against memory. A
 * running entry is never dropped. Entries share one `ttl`, so insertion order is expiry order and
 * expiry is a sweep from the front.
 */
export class ReplyCache<K extends string | number = string> {
  readonly maxEntries: number;
  readonly maxBytes: number;
  readonly ttl: number;
  /** Entries dropped before their time to respect `maxEntries` or `maxBytes`. */
  evictions = 0;
  /**
   * The entries live in a ring of slots, oldest at `#head`, as parallel arrays: an entry costs its
   * key and its reply, no object of its own. Entries live for seconds, long enough to survive the
   * young generation, so every object per entry would be copied and promoted by the GC.
   *
   * An entry is its `key` and its sender (`host`, `port`, and the `check` bits of the id the key
   * leaves out). `serve` keys by 30 bits of the id, a small integer that costs no allocation; a
   * request whose key is taken by another sender's entry is kept under a string in `#overflow`.
   *
   * A reply of up to `#maxInline` bytes is copied into its slot's region of `#arena`, so a
   * live entry holds no object of its own (the host string is shared with the previous entry's
   * when equal): with 4,096 live replies as objects, every scavenge copied and promoted them. A
   * region is `#stride` bytes, the longest such reply so far rounded up to 16: small replies
   * stay dense, and the cache's lap through its slots touches less memory (a 256-byte stride
   * for 75-byte replies cost the request/serve bench about 2%).
   */
  readonly #slots: SlotIndex<K>;
  #overflow = new Map<string, number>();
  #keys: Array<K | undefined> = [];
  #hosts: Array<string | undefined> = [];
  /**
   * Ports, id bits, reply lengths and expiry times as typed arrays, grown (doubling) up to
   * `maxEntries` slots. Ports are the integers Node reports, and a reply is at most a datagram
   * (64 KiB): both fit an `Int32Array`.
   */
  #ports = new Int32Array(0);
  #checks = new Float64Array(0);
  /** The length of an answered entry's reply; -1 while running or when unanswered. */
  #replyLengths = new Int32Array(0);
  #expiresAt = new Float64Array(0);
  /** Per slot: whether its handler still runs ({@link RUNS}) and whether it is kept in `#overflow` ({@link OVERFLOWED}). */
  #flags = new Uint8Array(0);
  /** The reply of an answered entry too long for the arena. */
  #replies: Array<Uint8Array | undefined> = [];
  /** `#stride` bytes per slot for the replies that fit, grown with the slots and the stride. */
  #arena = new Uint8Array(0);
  #stride = 0;
  readonly #maxInline: number;
  /** The host of the newest entry, shared by the next one from the same host. */
  #lastHost = '';
  #head = 0;
  #count = 0;
  #bytes = 0;
  readonly #now: () => number;

  constructor(options?: ReplyCacheOptions, now: () => number = performance.now.bind(performance)) {
    const {
      maxEntries = 4096,
      maxBytes = 4 * 1024 * 1024,
      ttl = retransmissionSpan(),
    } = checkOptions('options.replyCache', options, ['maxEntries', 'maxBytes', 'ttl']);
    const max = Number.MAX_SAFE_INTEGER;
    this.maxEntries = checkIntegerIn('options.replyCache.maxEntries', maxEntries, 1, max, 'an integer >= 1');
    this.maxBytes = checkIntegerIn('options.replyCache.maxBytes', maxBytes, 0, max, 'an integer >= 0');
    this.ttl = checkNumberIn(
      'options.replyCache.ttl',
      ttl,
      0,
      Number.POSITIVE_INFINITY,
      'a number of ms >= 0',
    );
    this.#now = now;
    this.#slots = new SlotIndex<K>(this.maxEntries);
    // Within maxBytes: the arena is at most maxEntries x #maxInline bytes.
    this.#maxInline = Math.min(MAX_INLINE_REPLY, Math.floor(this.maxBytes / this.maxEntries));
  }

  /** Requests remembered now. */
  get size(): number {
    return this.#count;
  }

  /** Reply bytes held now. */
  get bytes(): number {
    return this.#bytes;
  }

  /** The cache's clock: what {@link find} and {@link start} read when not given the time. */
  now(): number {
    return this.#now();
  }

  /**
   * What is known about request `key` from its sender, or `undefined` for a new one (expired
   * entries are forgotten first). `now`: the clock's time, when the caller has just read it.
   */
  find(key: K, host = '', port = 0, check = 0, now = this.#now()): CachedRequest | undefined {
    this.#sweep(now);
    const slot = this.#slotOf(key, host, port, check);
    if (slot === undefined) return undefined;
    if ((this.#flags[slot]! & RUNS) !== 0) return RUNNING;
    const length = this.#replyLengths[slot]!;
    if (length < 0) return UNANSWERED;
    // A copy of the arena's bytes: the slot may be reused before the caller's send completes.
    const start = slot * this.#stride;
    const reply = this.#replies[slot] ?? this.#arena.slice(start, start + length);
    return { state: 'answered', reply };
  }

  /**
   * Records new request `key` (one {@link find} did not know) as running: the caller runs the
   * handler, then calls {@link complete}. When the cache is full it evicts the oldest finished
   * entry; when every entry still runs it records nothing and returns false (the caller drops the
   * request: evicting a running entry would let its retransmission run the handler twice).
   * `now`: the clock's time, when the caller has just read it (for the {@link find} before).
   */
  start(key: K, host = '', port = 0, check = 0, now = this.#now()): boolean {
    if (this.#count >= this.maxEntries && !this.#evictOldestFinished(now)) return false;
    if (this.#count === this.#ports.length) this.#grow();
    const free = (this.#head + this.#count) % this.#ports.length;
    this.#keys[free] = key;
    if (host !== this.#lastHost) this.#lastHost = host;
    this.#hosts[free] = this.#lastHost;
    this.#ports[free] = port;
    this.#checks[free] = check;
    this.#replies[free] = undefined;
    this.#replyLengths[free] = -1;
    this.#expiresAt[free] = now + this.ttl;
    this.#count++;
    this.#flags[free] = this.#slots.has(key) ? RUNS | OVERFLOWED : RUNS;
    this.#index(free);
    return true;
  }

  /**
   * Records the outcome of a running request: its reply, or `undefined` for none. An entry that
   * is not running (already completed, or forgotten) keeps what it has: the first outcome stands.
   */
  complete(key: K, reply: Uint8Array | undefined, host = '', port = 0, check = 0): void {
    const slot = this.#slotOf(key, host, port, check);
    if (slot === undefined || (this.#flags[slot]! & RUNS) === 0) return;
    this.#flags[slot]! &= ~RUNS;
    if (reply === undefined || reply.length > this.maxBytes) return;
    if (reply.length <= this.#maxInline) {
      if (reply.length > this.#stride) this.#restride(reply.length);
      this.#arena.set(reply, slot * this.#stride);
    } else this.#replies[slot] = ownBuffer(reply);
    this.#replyLengths[slot] = reply.length;
    this.#bytes += reply.length;
    // Ends: the bytes over the bound belong to finished entries, which can all be evicted.
    while (this.#bytes > this.maxBytes) this.#evictOldestFinished(this.#now());
  }

  /** Forgets everything (the endpoint closed). */
  clear(): void {
    this.#slots.clear();
    this.#overflow.clear();
    this.#keys = [];
    this.#hosts = [];
    this.#replies = [];
    this.#ports = new Int32Array(0);
    this.#checks = new Float64Array(0);
    this.#replyLengths = new Int32Array(0);
    this.#expiresAt = new Float64Array(0);
    this.#flags = new Uint8Array(0);
    this.#arena = new Uint8Array(0);
    this.#stride = 0;
    this.#head = 0;
    this.#count = 0;
    this.#bytes = 0;
  }

  /**
   * Doubles the slots (up to `maxEntries`), the ring unrolled from `#head` to slot 0: memory follows
   * the entries in use, and the typed arrays hold numbers without an object per entry.
   */
  #grow(): void {
    const old = this.#ports.length;
    const size = Math.min(Math.max(16, old * 2), this.maxEntries);
    const ports = new Int32Array(size);
    const checks = new Float64Array(size);
    const replyLengths = new Int32Array(size);
    const expiresAt = new Float64Array(size);
    const flags = new Uint8Array(size);
    const arena = this.#relaidArena(
      size,
      this.#stride,
      (i) => (this.#head + i) % old,
      (i) => i,
    );
    const keys: Array<K | undefined> = [];
    const hosts: Array<string | undefined> = [];
    const replies: Array<Uint8Array | undefined> = [];
    for (let i = 0; i < this.#count; i++) {
      const slot = (this.#head + i) % old;
      ports[i] = this.#ports[slot]!;
      checks[i] = this.#checks[slot]!;
      replyLengths[i] = this.#replyLengths[slot]!;
      expiresAt[i] = this.#expiresAt[slot]!;
      flags[i] = this.#flags[slot]!;
      keys.push(this.#keys[slot]);
      hosts.push(this.#hosts[slot]);
      replies.push(this.#replies[slot]);
    }
    this.#ports = ports;
    this.#checks = checks;
    this.#replyLengths = replyLengths;
    this.#expiresAt = expiresAt;
    this.#flags = flags;
    this.#arena = arena;
    this.#keys = keys;
    this.#hosts = hosts;
    this.#replies = replies;
    this.#head = 0;
    for (let slot = 0; slot < this.#count; slot++) this.#index(slot);
  }

  /** Widens the arena's regions to hold a reply of `length` bytes (rounded up to 16, at most `#maxInline`). */
  #restride(length: number): void {
    const stride = Math.min(this.#maxInline, Math.ceil(length / 16) * 16);
    const slots = this.#ports.length;
    const live = (i: number) => (this.#head + i) % slots;
    this.#arena = this.#relaidArena(slots, stride, live, live);
    this.#stride = stride;
  }

  /**
   * A new arena of `slots` regions of `stride` bytes, with the inline reply of the `i`-th live
   * entry (oldest first) copied from region `from(i)` of the current arena to region `to(i)`.
   */
  #relaidArena(
    slots: number,
    stride: number,
    from: (i: number) => number,
    to: (i: number) => number,
  ): Uint8Array<ArrayBuffer> {
    const arena = new Uint8Array(slots * stride);
    for (let i = 0; i < this.#count; i++) {
      const slot = from(i);
      const length = this.#replyLengths[slot]!;
      if (length > 0 && this.#replies[slot] === undefined) {
        const start = slot * this.#stride;
        arena.set(this.#arena.subarray(start, start + length), to(i) * stride);
      }
    }
    return arena;
  }

  #slotOf(key: K, host: string, port: number, check: number): number | undefined {
    const slot = this.#slots.get(key);
    if (
      slot !== undefined &&
      this.#hosts[slot] === host &&
      this.#ports[slot] === port &&
      this.#checks[slot] === check
    ) {
      return slot;
    }
    return this.#overflow.size === 0 ? undefined : this.#overflow.get(overflowKey(key, host, port, check));
  }

  /** Files `slot`'s entry under its key (again, after a move). */
  #index(slot: number): void {
    if ((this.#flags[slot]! & OVERFLOWED) !== 0) this.#overflow.set(this.#overflowKeyOf(slot), slot);
    else this.#slots.set(this.#keys[slot]!, slot);
  }

  #unindex(slot: number): void {
    if ((this.#flags[slot]! & OVERFLOWED) !== 0) this.#overflow.delete(this.#overflowKeyOf(slot));
    else this.#slots.delete(this.#keys[slot]!);
  }

  #overflowKeyOf(slot: number): string {
    return overflowKey(this.#keys[slot]!, this.#hosts[slot]!, this.#ports[slot]!, this.#checks[slot]!);
  }

  /**
   * Forgets expired entries from the front. A running entry is never forgotten (its retransmission
   * would run the handler again): it moves to the back with a fresh ttl, which keeps expiry order.
   */
  #sweep(now: number): void {
    for (let seen = this.#count; seen > 0 && this.#expiresAt[this.#head]! <= now; seen--) {
      if ((this.#flags[this.#head]! & RUNS) !== 0) this.#moveOldestToBack(now);
      else this.#deleteOldest();
    }
  }

  /** Evicts the oldest finished entry (counted), moving running ones past it; false when all run. */
  #evictOldestFinished(now: number): boolean {
    for (let seen = this.#count; seen > 0; seen--) {
      if ((this.#flags[this.#head]! & RUNS) === 0) {
        this.#deleteOldest();
        this.evictions++;
        return true;
      }
      this.#moveOldestToBack(now);
    }
    return false;
  }

  #moveOldestToBack(now: number): void {
    const from = this.#head;
    const to = (from + this.#count) % this.#ports.length;
    if (to !== from) {
      this.#keys[to] = this.#keys[from];
      this.#hosts[to] = this.#hosts[from];
      this.#ports[to] = this.#ports[from]!;
      this.#checks[to] = this.#checks[from]!;
      this.#replies[to] = this.#replies[from];
      this.#replyLengths[to] = this.#replyLengths[from]!;
      if (this.#replies[from] === undefined && this.#replyLengths[from]! > 0) {
        const size = this.#stride;
        this.#arena.copyWithin(to * size, from * size, from * size + this.#replyLengths[from]!);
      }
      this.#flags[to] = this.#flags[from]!;
      this.#index(to);
      this.#keys[from] = undefined;
      this.#hosts[from] = undefined;
      this.#replies[from] = undefined;
    }
    this.#expiresAt[to] = now + this.ttl;
    this.#head = (from + 1) % this.#ports.length;
  }

  #deleteOldest(): void {
    const slot = this.#head;
    this.#unindex(slot);
    this.#bytes -= Math.max(0, this.#replyLengths[slot]!);
    this.#keys[slot] = undefined;
    this.#hosts[slot] = undefined;
    this.#replies[slot] = undefined;
    this.#head = (slot + 1) % this.#ports.length;
    this.#count--;
  }
}

/**
 * `bytes`, or a copy of it when it is a view of a larger buffer (Node's 8 KiB pool hands out
 * such views): kept for seconds, the view would hold its whole pool block alive, uncounted.
 */
function ownBuffer(bytes: Uint8Array): Uint8Array {
  return bytes.byteLength === bytes.buffer.byteLength ? bytes : new Uint8Array(bytes);
}
