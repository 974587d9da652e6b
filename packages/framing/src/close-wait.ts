/**
 * Runs `start`, then waits until it calls `done` (true) or `deadline` (a `performance.now()` time)
 * passes (false). `done` is handed to `onWaiting` too, so whoever fails the channel meanwhile can
 * end the wait early: a graceful close's steps share one timeout this way.
 */
export function untilDone(
  deadline: number,
  start: (done: () => void) => void,
  onWaiting: (done: () => void) => void,
): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), Math.max(0, deadline - performance.now()));
    const done = () => {
      clearTimeout(timer);
      resolve(true);
    };
    onWaiting(done);
    start(done);
  });
}
