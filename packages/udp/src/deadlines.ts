/** Something with a deadline, in `performance.now()` milliseconds. */
export interface Scheduled {
  deadline: number;
  /** Where the timer keeps it (set by the timer): its index in the entry array, -1 when not scheduled. */
  timerSlot?: number;
}

/**
 * One timer for many deadlines. Arming and clearing a Node timer per request costs more than the
 * rest of a loopback round trip's bookkeeping; here a request only writes its deadline, and the
 * single timer is re-armed when a deadline earlier than the armed one arrives. When it fires it
 * scans the entries once, expires the due ones and re-arms for the next. A settled request just
 * leaves the set: at worst the timer fires once for nothing.
 *
 * The set is an array, each entry knowing its index (removal swaps the last entry in): a `Set`
 * churned by every request keeps finished requests alive through scavenges (see IntegerMap).
 */
export class DeadlineTimer<T extends Scheduled> {
  readonly #entries: T[] = [];
  readonly #onExpired: (entry: T) => void;
  #timer: NodeJS.Timeout | undefined;
  #due = Number.POSITIVE_INFINITY;

  /** `onExpired` runs for each entry whose deadline passed; it may `schedule` the entry again. */
  constructor(onExpired: (entry: T) => void) {
    this.#onExpired = onExpired;
  }

  /** Entries waiting now. */
  get size(): number {
    return this.#entries.length;
  }

  /** Sets `entry`'s deadline to `delay` ms from now, adding it if needed. */
  schedule(entry: T, delay: number): void {
    entry.deadline = performance.now() + delay;
    if (entry.timerSlot === undefined || entry.timerSlot < 0) {
      entry.timerSlot = this.#entries.length;
      this.#entries.push(entry);
    }
    if (entry.deadline < this.#due) this.#arm(entry.deadline);
  }

  /** Forgets `entry` (its request settled). */
  cancel(entry: T): void {
    const slot = entry.timerSlot;
    if (slot === undefined || slot < 0 || this.#entries[slot] !== entry) return;
    const last = this.#entries.pop()!;
    if (last !== entry) {
      this.#entries[slot] = last;
      last.timerSlot = slot;
    }
    entry.timerSlot = -1;
  }

  /** Forgets every entry and stops the timer. */
  clear(): void {
    for (const entry of this.#entries) entry.timerSlot = -1;
    this.#entries.length = 0;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#due = Number.POSITIVE_INFINITY;
  }

  #arm(due: number): void {
    clearTimeout(this.#timer);
    this.#due = due;
    this.#timer = setTimeout(this.#fire, Math.max(0, Math.ceil(due - performance.now())));
  }

  readonly #fire = (): void => {
    this.#timer = undefined;
    this.#due = Number.POSITIVE_INFINITY;
    // Node's timers run on the loop's millisecond clock, which may trail performance.now() a little.
    const now = performance.now() + 1;
    const expired: T[] = [];
    let next = Number.POSITIVE_INFINITY;
    for (const entry of this.#entries) {
      if (entry.deadline <= now) expired.push(entry);
      else if (entry.deadline < next) next = entry.deadline;
    }
    for (const entry of expired) this.cancel(entry);
    if (next < this.#due) this.#arm(next);
    for (const entry of expired) this.#onExpired(entry);
  };
}
