/** How a request ended, as far as a late reply is concerned. */
export type Settlement = 'answered' | 'abandoned';

/**
 * The ids of the last `capacity` settled requests and how each ended, so a reply for an id no
 * longer pending can be told apart: a duplicate of one already taken, a late one for a request
 * given up (timed out, aborted, failed), or one never asked for. Oldest ids are forgotten first.
 */
export class SettledRequests {
  readonly #capacity: number;
  readonly #settled = new Map<string, Settlement>();
  /** The recorded ids in a ring, oldest at `#next` once full: forgetting one allocates nothing. */
  readonly #ring: string[] = [];
  #next = 0;

  constructor(capacity = 4096) {
    this.#capacity = capacity;
  }

  record(id: string, settlement: Settlement): void {
    if (this.#settled.has(id)) {
      this.#settled.set(id, settlement);
      return;
    }
    if (this.#ring.length < this.#capacity) {
      this.#ring.push(id);
    } else {
      this.#settled.delete(this.#ring[this.#next]!);
      this.#ring[this.#next] = id;
      this.#next = (this.#next + 1) % this.#capacity;
    }
    this.#settled.set(id, settlement);
  }

  /** How request `id` ended, or undefined when it is unknown (never asked, or long forgotten). */
  get(id: string): Settlement | undefined {
    return this.#settled.get(id);
  }
}
