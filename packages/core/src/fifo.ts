/**
 * A first-in first-out queue with O(1) `shift`: an array read from a head index, compacted once
 * the consumed front is at least half of it. `Array.prototype.shift` moves every element, which
 * turns draining a long queue quadratic (4-5x slower at 1024 items, measured).
 */
export class Fifo<T> {
  #items: Array<T | undefined> = [];
  #head = 0;

  /** Items waiting. */
  get length(): number {
    return this.#items.length - this.#head;
  }

  push(item: T): void {
    this.#items.push(item);
  }

  /** The oldest item, left in the queue, or `undefined` when empty. */
  peek(): T | undefined {
    return this.#items[this.#head];
  }

  /** Removes and returns the oldest item, or `undefined` when empty. */
  shift(): T | undefined {
    const items = this.#items;
    if (this.#head === items.length) return undefined;
    const item = items[this.#head];
    items[this.#head] = undefined;
    this.#head += 1;
    // Not reset to an empty array when drained: that frees the backing store, and the next push
    // allocates one again (5x slower for a queue of one, measured).
    if (this.#head >= COMPACT_AFTER && this.#head * 2 >= items.length) {
      // In place: splice would also build an array of the removed slots.
      items.copyWithin(0, this.#head);
      items.length -= this.#head;
      this.#head = 0;
    }
    return item;
  }

  /** Keeps only the items `keep` accepts, in order: O(n), for a caller that removes lazily and compacts rarely. */
  retain(keep: (item: T) => boolean): void {
    this.#items = (this.#items.slice(this.#head) as T[]).filter(keep);
    this.#head = 0;
  }

  /** Removes every item and returns them, oldest first. */
  drain(): T[] {
    const drained = this.#items.slice(this.#head) as T[];
    this.#items = [];
    this.#head = 0;
    return drained;
  }
}

/** Below this many consumed slots, compacting costs more than the slots it frees. */
const COMPACT_AFTER = 1024;
