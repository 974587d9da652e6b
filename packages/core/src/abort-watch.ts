/**
 * One `'abort'` listener per signal, however many calls wait on it. Node's EventTarget scans a
 * signal's listeners on every add and remove, so a listener per call made 20,000 `recv`s sharing
 * one signal cost 6 s to start and 2.8 s to abort (measured); this is O(1) per call.
 */
const watching = new WeakMap<AbortSignal, Set<() => void>>();

function onAbort(event: Event): void {
  const signal = event.target as AbortSignal;
  const callbacks = watching.get(signal);
  watching.delete(signal);
  if (callbacks !== undefined) for (const callback of callbacks) callback();
}

/** Calls `callback` once when `signal` aborts, unless {@link unwatchAbort} comes first. */
export function watchAbort(signal: AbortSignal, callback: () => void): void {
  let callbacks = watching.get(signal);
  if (callbacks === undefined) {
    callbacks = new Set();
    watching.set(signal, callbacks);
    signal.addEventListener('abort', onAbort, { once: true });
  }
  callbacks.add(callback);
}

/** Stops watching: `callback` (the same function given to {@link watchAbort}) is not called. */
export function unwatchAbort(signal: AbortSignal, callback: () => void): void {
  const callbacks = watching.get(signal);
  if (callbacks?.delete(callback) && callbacks.size === 0) {
    watching.delete(signal);
    signal.removeEventListener('abort', onAbort);
  }
}
