/**
 * A first-in first-out queue with O(1) `push` and `shift`: a ring over an array whose length is
 * a power of two, doubled when full and never shrunk while in use, so a queue that is pushed and
 * shifted all the time (the sends in flight on a datagram socket) allocates nothing once it has
 * grown to its working size. `Array.prototype.shift` moves every element, which turns draining a
 * long queue quadratic (4-5x slower at 1024 items, measured); an array read from a head index and
 * compacted now and then reallocated its backing store on every cycle (about 32 bytes per push,
 * measured on the datagram request path).
 */
export class Fifo<T> {
  #items: Array<T | undefined> = new Array<T | undefined>(INITIAL_CAPACITY).fill(undefined);
  #head = 0;
  #length = 0;

  /** Items waiting. */
  get length(): number {
    return this.#length;
  }

  push(item: T): void {
    if (this.#length === this.#items.length) this.#grow();
    const items = this.#items;
    items[(this.#head + this.#length) & (items.length - 1)] = item;
    this.#length += 1;
  }

  /** The oldest item, left in the queue, or `undefined` when empty. */
  peek(): T | undefined {
    return this.#length === 0 ? undefined : this.#items[this.#head];
  }

  /** Removes and returns the oldest item, or `undefined` when empty. */
  shift(): T | undefined {
    if (this.#length === 0) return undefined;
    const items = this.#items;
    const item = items[this.#head];
    items[this.#head] = undefined;
    this.#head = (this.#head + 1) & (items.length - 1);
    this.#length -= 1;
    return item;
  }

  /** Keeps only the items `keep` accepts, in order: O(n), for a caller that removes lazily and compacts rarely. */
  retain(keep: (item: T) => boolean): void {
    const kept = this.drain().filter(keep);
    for (const item of kept) this.push(item);
  }

  /** Removes every item and returns them, oldest first; the ring goes back to its first size. */
  drain(): T[] {
    const items = this.#items;
    const drained = new Array<T>(this.#length);
    for (let i = 0; i < this.#length; i++) drained[i] = items[(this.#head + i) & (items.length - 1)] as T;
    this.#items = new Array<T | undefined>(INITIAL_CAPACITY).fill(undefined);
    this.#head = 0;
    this.#length = 0;
    return drained;
  }

  /** Doubles the ring, oldest item first. */
  #grow(): void {
    const items = this.#items;
    const grown = new Array<T | undefined>(items.length * 2).fill(undefined);
    for (let i = 0; i < this.#length; i++) grown[i] = items[(this.#head + i) & (items.length - 1)];
    this.#items = grown;
    this.#head = 0;
  }
}

const INITIAL_CAPACITY = 16;
