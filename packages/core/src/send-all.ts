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
/** Marks a `sendAll` waiting for its turn to write: the one before it is still writing slices. */
export const TURN = -2;

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
  /**
   * Takes the socket's write turn if free (true); false while another sliced `sendAll` writes,
   * which then hands the turn to the oldest writer waiting with size {@link TURN}.
   */
  takeTurn(): boolean;
  /** Hands the turn on once this call's last slice is written (or it failed). */
  passTurn(): void;
}

/** Resolves the oldest `sendAll` waiting for its turn, which then holds it; false when none waits. */
export function handTurnOn(writers: WaiterList<Waiter<void>>): boolean {
  const [next] = writers.take((writer) => writer.size === TURN, 1);
  next?.resolve();
  return next !== undefined;
}

/**
 * Rejects the writers that wait to write (for `'drain'` or their turn) with `error`: after
 * `shutdown('write')` Node emits no `'drain'`, so they would wait forever. Writers waiting for a
 * write callback stay: their bytes are queued and still flushed.
 */
export function rejectWaitingWriters(writers: WaiterList<Waiter<void>>, error: unknown): void {
  for (const writer of writers.take((waiter) => waiter.size === DRAIN || waiter.size === TURN)) {
    writer.reject(error);
  }
}

/**
 * `sendAll` with backpressure and a deadline over the whole call: writes slices while Node's write
 * buffer has room, waits for `'drain'` when it is full, and resolves in the last slice's write
 * callback. A timeout's error carries `bytesSent` (queued bytes cannot be taken back).
 * Concurrent calls take turns, so each call's bytes reach the wire in one piece, in call order.
 */
export async function sendAllInSlices(
  side: WriteSide,
  data: Uint8Array,
  options?: BlockingOptions,
): Promise<void> {
  const bytes = checkBytes('data', data);
  let socket = side.writableSocket();
  const timeout = effectiveTimeout(options, side.timeout());
  const signal = options?.signal;
  if (signal?.aborted) throw abortReason(signal);
  if (bytes.length === 0) return;
  const deadline = timeout === null ? null : performance.now() + timeout;
  let sent = 0;
  const remaining = (): number | null =>
    deadline === null ? null : Math.max(deadline - performance.now(), 1);
  const waitFor = (what: number) =>
    waitIn(
      side.writers(),
      { timeout: remaining(), ...(signal ? { signal } : {}) },
      side.timeout(),
      what,
      'sendAll',
    );
  try {
    if (!side.takeTurn()) {
      if (timeout === 0) throw new BlockingIOError(undefined, { bytesSent: 0 });
      await waitFor(TURN);
    }
    let written: Waiter<void>;
    try {
      // The socket may have failed or shut down while this call waited for its turn.
      socket = side.writableSocket();
      for (;;) {
        if (socket.writableNeedDrain) {
          if (timeout === 0) throw new BlockingIOError(undefined, { bytesSent: sent });
          await waitFor(DRAIN);
          side.writableSocket();
        }
        const end = Math.min(sent + Math.max(SEND_ALL_SLICE, socket.writableHighWaterMark), bytes.length);
        const slice = sent === 0 && end === bytes.length ? bytes : bytes.subarray(sent, end);
        if (end < bytes.length) {
          socket.write(slice);
          sent = end;
          continue;
        }
        written = listWaiter(side.writers(), timeout === 0 ? null : remaining(), signal, 0, 'sendAll');
        const last = written;
        socket.write(slice, (error) => {
          // Settled already when it timed out, was aborted, or the socket failed or closed.
          if (last.settled) return;
          if (error) last.reject(side.fail(error));
          else last.resolve();
          side.writers().noteSettled();
        });
        sent = end;
        break;
      }
    } finally {
      // Every slice is queued in order (or the call failed): the next sendAll may write behind it.
      side.passTurn();
    }
    await written.promise;
  } catch (error) {
    if (error instanceof SocketTimeoutError && error.bytesSent !== sent) {
      throw new SocketTimeoutError(`sendAll timed out after ${timeout} ms with ${sent} bytes sent`, {
        bytesSent: sent,
      });
    }
    throw error;
  }
}
