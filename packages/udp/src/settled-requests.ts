import { SlotIndex } from './integer-map.js';

/** How a request ended, as far as a late reply is concerned. */
export type Settlement = 'answered' | 'abandoned';

/**
 * The ids of the last `capacity` settled requests and how each ended, so a reply for an id no
 * longer pending can be told apart: a duplicate of one already taken, a late one for a request
 * given up (timed out, aborted, failed), or one never asked for. Oldest ids are forgotten first.
 *
 * An id is a `key` plus an optional `check`: the requester keys by 30 bits of the 64-bit id (a
 * small integer, kept in an {@link SlotIndex} without allocating, unlike a string built per
 * request) and checks the other 34. Two ids sharing a key share one entry: the later one replaces the earlier,
 * which is then forgotten early (a reply for it counts as unmatched), never mistaken for the other.
 */
export class SettledRequests<K = string> {
  readonly #capacity: number;
  /** Each remembered key's slot in the ring. */
  readonly #slots: SlotIndex<K>;
  /** The ring of recorded entries as parallel arrays, oldest at `#next` once full: forgetting one allocates nothing. */
  readonly #keys: K[] = [];
  readonly #checks: Float64Array;
  readonly #settlements: Settlement[] = [];
  #next = 0;

  constructor(capacity = 4096) {
    this.#capacity = capacity;
    this.#slots = new SlotIndex<K>(capacity);
    this.#checks = new Float64Array(capacity);
  }

  record(key: K, settlement: Settlement, check = 0): void {
    let slot = this.#slots.get(key);
    if (slot === undefined) {
      if (this.#keys.length < this.#capacity) {
        slot = this.#keys.length;
        this.#keys.push(key);
      } else {
        slot = this.#next;
        this.#slots.delete(this.#keys[slot]!);
        this.#keys[slot] = key;
        this.#next = (slot + 1) % this.#capacity;
      }
      this.#slots.set(key, slot);
    }
    this.#checks[slot] = check;
    this.#settlements[slot] = settlement;
  }

  /** How request `key` (with `check`) ended, or undefined when it is unknown (never asked, or forgotten). */
  get(key: K, check = 0): Settlement | undefined {
    const slot = this.#slots.get(key);
    return slot === undefined || this.#checks[slot] !== check ? undefined : this.#settlements[slot];
  }
}
