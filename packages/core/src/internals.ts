/**
 * Primitives for sockkit's sibling packages (`@sockkit/framing`, `@sockkit/udp`), so that none of
 * them re-implements a validator or the timer cap: runtime checks that throw
 * `InvalidArgumentError`, and the 2^31-1 ms timer limit. Versioned with `@sockkit/core` like its
 * main entry; applications should prefer the main entry.
 */
export { describe } from './errors.js';
export { Fifo } from './fifo.js';
export {
  checkBoolean,
  checkBytes,
  checkDelay,
  checkFunction,
  checkIntegerIn,
  checkNonEmptyString,
  checkNumberIn,
  checkOneOf,
  checkOptionalDelay,
  checkOptions,
  checkPositiveInteger,
  checkTimeout,
  MAX_TIMEOUT,
} from './validate.js';
export { abortReason, neverExpires, Waiter, WaiterList } from './waiter.js';
