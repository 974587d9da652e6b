import type { Socket } from 'node:net';
import { BlockingIOError, SocketTimeoutError } from './errors.js';
import { checkBytes } from './validate.js';
import {
  abortReason,
  type BlockingOptions,
  effectiveTimeout,
  listWaiter,
  type Waiter,
  type WaiterList,
  waitIn,
} from './waiter.js';

/** `sendAll` hands Node at most this much per write while it waits for the write buffer to drain. */
export const SEND_ALL_SLICE = 64 * 1024;

/** Marks a writer waiting for `'drain'` (others wait for a write callback). */
export const DRAIN = -1;

/** What the slicing `sendAll` needs of its stream socket, without reaching into its private state. */
export interface WriteSide {
  /** The connected Node socket; throws the typed error when it cannot be written to. */
  writableSocket(): Socket;
  /** The socket's own timeout, for calls without one. */
  timeout(): number | null;
  /** The waiters the socket settles on `'drain'` (size {@link DRAIN}) and rejects on failure or close. */
  writers(): WaiterList<Waiter<void>>;
  /** Records a write failure as the connection's and returns its typed form. */
  fail(error: unknown): unknown;
}

/**
 * `sendAll` with backpressure and a deadline over the whole call: writes slices while Node's write
 * buffer has room, waits for `'drain'` when it is full, and resolves in the last slice's write
 * callback. A timeout's error carries `bytesSent` (queued bytes cannot be taken back).
 */
export async function sendAllInSlices(
  side: WriteSide,
  data: Uint8Array,
  options?: BlockingOptions,
): Promise<void> {
  const bytes = checkBytes('data', data);
  const socket = side.writableSocket();
  const timeout = effectiveTimeout(options, side.timeout());
  const signal = options?.signal;
  if (signal?.aborted) throw abortReason(signal);
  const deadline = timeout === null ? null : performance.now() + timeout;
  let sent = 0;
  const remaining = (): number | null =>
    deadline === null ? null : Math.max(deadline - performance.now(), 1);
  try {
    while (sent < bytes.length) {
      if (socket.writableNeedDrain) {
        if (timeout === 0) throw new BlockingIOError(undefined, { bytesSent: sent });
        await waitIn(
          side.writers(),
          { timeout: remaining(), ...(signal ? { signal } : {}) },
          side.timeout(),
          DRAIN,
          'sendAll',
        );
        side.writableSocket();
      }
      const end = Math.min(sent + Math.max(SEND_ALL_SLICE, socket.writableHighWaterMark), bytes.length);
      const slice = sent === 0 && end === bytes.length ? bytes : bytes.subarray(sent, end);
      if (end < bytes.length) {
        socket.write(slice);
      } else {
        const written = listWaiter(side.writers(), timeout === 0 ? null : remaining(), signal, 0, 'sendAll');
        socket.write(slice, (error) => {
          // Settled already when it timed out, was aborted, or the socket failed or closed.
          if (written.settled) return;
          if (error) written.reject(side.fail(error));
          else written.resolve();
          side.writers().noteSettled();
        });
        sent = end;
        await written.promise;
        return;
      }
      sent = end;
    }
  } catch (error) {
    if (error instanceof SocketTimeoutError && error.bytesSent !== sent) {
      throw new SocketTimeoutError(`sendAll timed out after ${timeout} ms with ${sent} bytes sent`, {
        bytesSent: sent,
      });
    }
    throw error;
  }
}
