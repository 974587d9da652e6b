let lastResolve: (value: never) => void = () => {};
let lastReject: (reason: unknown) => void = () => {};

function capture(resolve: (value: never) => void, reject: (reason: unknown) => void): void {
  lastResolve = resolve;
  lastReject = reject;
}

/**
 * `new Promise(executor)` with one shared executor, so a promise costs no closure: read its
 * settling functions with {@link lastResolver} and {@link lastRejecter} right after (nothing runs
 * in between). For objects that settle a promise of their own on a hot path (a waiting call, a
 * request), which would otherwise allocate an executor closure per promise.
 */
export function capturingPromise<T>(): Promise<T> {
  return new Promise<T>(capture);
}

/** The `resolve` of the promise {@link capturingPromise} made last. */
export function lastResolver<T>(): (value: T) => void {
  return lastResolve as (value: T) => void;
}

/** The `reject` of the promise {@link capturingPromise} made last. */
export function lastRejecter(): (reason: unknown) => void {
  return lastReject;
}
