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

  constructor(capacity = 4096) {
    this.#capacity = capacity;
  }

  record(id: string, settlement: Settlement): void {
    if (this.#settled.size >= this.#capacity) {
      const oldest = this.#settled.keys().next();
      if (oldest.done !== true) this.#settled.delete(oldest.value);
    }
    this.#settled.set(id, settlement);
  }

  /** How request `id` ended, or undefined when it is unknown (never asked, or long forgotten). */
  get(id: string): Settlement | undefined {
    return this.#settled.get(id);
  }
}
