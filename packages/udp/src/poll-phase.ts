/**
 * Tells the first hand-off of an event-loop poll phase from the later ones. Node reads up to 32
 * datagrams from the kernel per readiness event and delivers each in a callback of its own,
 * followed by a microtask checkpoint: a reader resumed per datagram pays a promise hop and a
 * checkpoint per datagram. So the first hand-off of a phase goes out at once (as early as it
 * can), and the ones after it wait for the loop's check phase (`setImmediate`), where `flush`
 * hands them out together, in one checkpoint.
 */
export class PollPhase {
  #handedOff = false;
  readonly #end: () => void;

  constructor(flush: () => void) {
    this.#end = () => {
      this.#handedOff = false;
      flush();
    };
  }

  /** Whether something was handed out at once in this phase: later hand-offs wait for `flush`. */
  get handedOff(): boolean {
    return this.#handedOff;
  }

  /** Records a hand-off made at once; `flush` runs at this phase's check phase. */
  noteHandOff(): void {
    this.#handedOff = true;
    setImmediate(this.#end);
  }
}
