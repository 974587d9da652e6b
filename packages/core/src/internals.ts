/**
 * Primitives for sockkit's sibling packages (`@sockkit/framing`, `@sockkit/udp`), so that none of
 * them re-implements one: runtime checks that throw `InvalidArgumentError`, the 2^31-1 ms timer
 * limit, Buffer views without `subarray`'s cost, the FIFO, the timeout-plus-abort waiter with its
 * O(1)-removal list, a stream socket's write side for byte transports (`streamWriter`), and a
 * `DatagramSocket`'s direct datagram hook (`onDatagrams`) and send without argument checks
 * (`trySendChecked`) for a package that routes datagrams itself. Versioned with `@sockkit/core`
 * like its main entry; applications should prefer the main entry.
 */

export { unwatchAbort, watchAbort } from './abort-watch.js';
export { checkHostFamily } from './address.js';
export { bufferView, smallBuffer } from './buffer-view.js';
export { type DatagramSink, onDatagrams, trySendChecked } from './datagram-socket.js';
export {
  type DebugLog,
  type EventChannel,
  eventChannel,
  type OperationChannel,
  operationChannel,
  packageDebugLog,
  traced,
} from './diagnostics.js';
export { describe } from './errors.js';
export { Fifo } from './fifo.js';
export { capturingPromise, lastRejecter, lastResolver } from './promise-capture.js';
export { streamWriter } from './stream-socket.js';
export type { StreamWriter } from './stream-writer.js';
export {
  checkBoolean,
  checkBytes,
  checkDelay,
  checkFunction,
  checkIntegerIn,
  checkMethods,
  checkNonEmptyString,
  checkNumberIn,
  checkOneOf,
  checkOptionalDelay,
  checkOptions,
  checkPositiveInteger,
  checkSignal,
  checkTimeout,
  MAX_TIMEOUT,
} from './validate.js';
export { abortReason, neverExpires, Waiter, WaiterList } from './waiter.js';
