import type { Socket } from 'node:net';
import { notReadyError, type SocketError, type StreamSocketState } from './errors.js';

/**
 * Where a stream socket is in its life (fresh, connecting, connected, listening, closed), the
 * transitions its parts make of it, and the checks its verbs make of it: each throws the typed
 * error of calling that verb now.
 */
export class StreamLifecycle {
  #state: StreamSocketState = 'fresh';
  /** The connection's sticky failure, if any (the node socket link's). */
  readonly #failure: () => unknown;

  constructor(failure: () => unknown) {
    this.#failure = failure;
  }

  /** Where the socket is now; it changes only through the transitions below. */
  get state(): StreamSocketState {
    return this.#state;
  }

  /** Whether the socket was closed (`close()`/`reset()`); it never leaves that state. */
  get closed(): boolean {
    return this.#state === 'closed';
  }

  /** A connection starts over an attached Node socket (connect, or an adopted connected one): fresh becomes connecting. */
  connecting(): void {
    this.#move('fresh', 'connecting');
  }

  /**
   * The connection opened: connecting becomes connected. In any other state (the attempt was
   * abandoned or the socket closed) it changes nothing and returns false.
   */
  connected(): boolean {
    return this.#move('connecting', 'connected');
  }

  /** A connect attempt was given up: a socket still connecting is fresh again (a closed one stays closed). */
  abandonConnect(): void {
    this.#move('connecting', 'fresh');
  }

  /** `listen`'s checks passed and its listener exists: fresh becomes listening. */
  listening(): void {
    this.#move('fresh', 'listening');
  }

  /**
   * Listening failed: a socket still listening is fresh again and returns true; a socket closed
   * meanwhile stays closed and returns false.
   */
  abandonListen(): boolean {
    return this.#move('listening', 'fresh');
  }

  /** `close()`/`reset()`: the socket is closed, for good. */
  close(): void {
    this.#state = 'closed';
  }

  /** Moves from `from` to `to`; in any other state it changes nothing and returns false. */
  #move(from: StreamSocketState, to: StreamSocketState): boolean {
    if (this.#state !== from) return false;
    this.#state = to;
    return true;
  }

  /** Throws once the socket is closed. */
  assertNotClosed(verb: string): void {
    if (this.#state === 'closed') throw this.notReady(verb, 'connected');
  }

  /** Throws why the socket cannot `verb` now: closed, failed (its sticky error) or not connected. */
  assertUsable(verb: string): void {
    this.assertNotClosed(verb);
    const failure = this.#failure();
    if (failure !== undefined) throw failure;
    if (this.#state !== 'connected') throw this.notReady(verb, 'connected');
  }

  /** Throws the typed error of calling `verb` now (see `notReadyError`) unless the socket is `expected`. */
  assertState(expected: StreamSocketState, verb: string): void {
    if (this.#state !== expected) throw this.notReady(verb, expected);
  }

  /** `socket` (the attached Node socket) when connected, for `verb`; else the error of calling it now. */
  connectedSocket(socket: Socket | undefined, verb: string): Socket {
    if (this.#state !== 'connected' || socket === undefined) throw this.notReady(verb, 'connected');
    return socket;
  }

  /** The error of calling `verb` now, in a state other than `expected`. */
  notReady(verb: string, expected: StreamSocketState): SocketError {
    return notReadyError(this.#state, verb, expected);
  }
}
