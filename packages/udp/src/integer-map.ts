import { randomInt } from 'node:crypto';

/** An empty slot of the key array (keys are 0 to 2^31 - 1). */
const EMPTY = -1;

/**
 * A map from small non-negative integers (below 2^31) to values, by open addressing over two
 * arrays: what the request tables use instead of a `Map` on the hot path.
 *
 * A `Map` that lives long and sees constant inserts and deletes rehashes into a new table every
 * so often, and V8 links each obsolete table to its successor with their entries still in them:
 * once one table is in the old generation, every later one and every value it held survives the
 * scavenges until a full GC. Measured on the request table: 1.8 MB of finished requests copied
 * and promoted by every scavenge (2-3 ms each, against 0.2 ms without). Here a delete empties its
 * slot and nothing links one table to the next.
 *
 * Keys may be chosen by a remote peer (request ids), so slots are found through a multiplicative
 * hash with a random seed: no peer can pick ids that all probe the same run of slots.
 */
export class IntegerMap<V> {
  #keys: Int32Array;
  #values: Array<V | undefined>;
  #mask: number;
  #shift: number;
  #size = 0;
  readonly #seed = randomInt(2 ** 31);

  /** `capacity`: how many keys it holds before it first grows (it doubles as needed). */
  constructor(capacity = 8) {
    let slots = 16;
    while (slots < capacity * 2) slots *= 2;
    this.#keys = new Int32Array(slots).fill(EMPTY);
    this.#values = new Array<V | undefined>(slots).fill(undefined);
    this.#mask = slots - 1;
    this.#shift = 32 - Math.log2(slots);
  }

  get size(): number {
    return this.#size;
  }

  get(key: number): V | undefined {
    const slot = this.#find(key);
    return slot < 0 ? undefined : this.#values[slot];
  }

  has(key: number): boolean {
    return this.#find(key) >= 0;
  }

  set(key: number, value: V): void {
    const keys = this.#keys;
    const mask = this.#mask;
    let slot = this.#home(key);
    for (let found = keys[slot]!; found !== EMPTY; found = keys[slot]!) {
      if (found === key) {
        this.#values[slot] = value;
        return;
      }
      slot = (slot + 1) & mask;
    }
    keys[slot] = key;
    this.#values[slot] = value;
    if (++this.#size * 2 > keys.length) this.#grow();
  }

  delete(key: number): boolean {
    let slot = this.#find(key);
    if (slot < 0) return false;
    const keys = this.#keys;
    const values = this.#values;
    const mask = this.#mask;
    // Backward-shift deletion: pull later keys of the probe run into the hole, so no tombstones.
    for (let next = (slot + 1) & mask; keys[next] !== EMPTY; next = (next + 1) & mask) {
      const home = this.#home(keys[next]!);
      if (((next - home) & mask) >= ((next - slot) & mask)) {
        keys[slot] = keys[next]!;
        values[slot] = values[next];
        slot = next;
      }
    }
    keys[slot] = EMPTY;
    values[slot] = undefined;
    this.#size--;
    return true;
  }

  /** The values, in no particular order (a copy: the map may change while the caller loops). */
  values(): V[] {
    const values: V[] = [];
    for (let slot = 0; slot < this.#keys.length; slot++) {
      if (this.#keys[slot] !== EMPTY) values.push(this.#values[slot]!);
    }
    return values;
  }

  clear(): void {
    this.#keys.fill(EMPTY);
    this.#values.fill(undefined);
    this.#size = 0;
  }

  #home(key: number): number {
    return Math.imul(key ^ this.#seed, 0x9e3779b1) >>> this.#shift;
  }

  #find(key: number): number {
    const keys = this.#keys;
    const mask = this.#mask;
    let slot = this.#home(key);
    for (let found = keys[slot]!; found !== EMPTY; found = keys[slot]!) {
      if (found === key) return slot;
      slot = (slot + 1) & mask;
    }
    return -1;
  }

  #grow(): void {
    const keys = this.#keys;
    const values = this.#values;
    const slots = keys.length * 2;
    this.#keys = new Int32Array(slots).fill(EMPTY);
    this.#values = new Array<V | undefined>(slots).fill(undefined);
    this.#mask = slots - 1;
    this.#shift = 32 - Math.log2(slots);
    this.#size = 0;
    for (let slot = 0; slot < keys.length; slot++) {
      if (keys[slot] !== EMPTY) this.set(keys[slot]!, values[slot] as V);
    }
  }
}

/**
 * Slot numbers by key, for the rings of the settled-id memory and the reply cache: small
 * non-negative integer keys (what the requester and `serve` use) in an {@link IntegerMap}, any
 * other key in a `Map`.
 */
export class SlotIndex<K> {
  readonly #integers: IntegerMap<number>;
  readonly #others = new Map<K, number>();

  /** `capacity`: the keys expected; the map starts at most at 4,096 and grows as keys come. */
  constructor(capacity: number) {
    this.#integers = new IntegerMap<number>(Math.min(capacity, 4096));
  }

  get size(): number {
    return this.#integers.size + this.#others.size;
  }

  get(key: K): number | undefined {
    return isSmallInteger(key) ? this.#integers.get(key) : this.#others.get(key);
  }

  has(key: K): boolean {
    return isSmallInteger(key) ? this.#integers.has(key) : this.#others.has(key);
  }

  set(key: K, slot: number): void {
    if (isSmallInteger(key)) this.#integers.set(key, slot);
    else this.#others.set(key, slot);
  }

  delete(key: K): void {
    if (isSmallInteger(key)) this.#integers.delete(key);
    else this.#others.delete(key);
  }

  clear(): void {
    this.#integers.clear();
    this.#others.clear();
  }
}

function isSmallInteger(key: unknown): key is number {
  return typeof key === 'number' && (key | 0) === key && key >= 0;
}
