/**
 * Runs a user callback so that nothing it does can crash the process: its throw, or the rejection
 * of the promise an async callback returns, goes to `onFailure` instead of becoming an uncaught
 * exception (inside a Node event) or an unhandled rejection.
 */
export function callSafely<T>(
  callback: (argument: T) => unknown,
  argument: T,
  onFailure: (error: unknown) => void,
): void {
  let result: unknown;
  try {
    result = callback(argument);
  } catch (error) {
    onFailure(error);
    return;
  }
  if (result instanceof Promise) result.catch(onFailure);
}

/** Where a failing error-reporting callback's own error goes: a process warning, never a crash. */
export function warnCallbackFailed(name: string): (error: unknown) => void {
  return (error) => {
    process.emitWarning(new Error(`the ${name} callback threw`, { cause: error }));
  };
}
