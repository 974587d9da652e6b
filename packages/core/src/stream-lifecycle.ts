import type { Socket } from 'node:net';
import { notReadyError, type SocketError, type StreamSocketState } from './errors.js';

/**
 * Where a stream socket is in its life (fresh, connecting, connected, listening, closed), and the
 * checks its verbs make of it: each throws the typed error of calling that verb now.
 */
export class StreamLifecycle {
  state: StreamSocketState = 'fresh';
  /** The connection's sticky failure, if any (the node socket link's). */
  readonly #failure: () => unknown;

  constructor(failure: () => unknown) {
    this.#failure = failure;
  }

  get closed(): boolean {
    return this.state === 'closed';
  }

  /** Throws once the socket is closed. */
  assertNotClosed(verb: string): void {
    if (this.state === 'closed') throw this.notReady(verb, 'connected');
  }

  /** Throws why the socket cannot `verb` now: closed, failed (its sticky error) or not connected. */
  assertUsable(verb: string): void {
    this.assertNotClosed(verb);
    const failure = this.#failure();
    if (failure !== undefined) throw failure;
    if (this.state !== 'connected') throw this.notReady(verb, 'connected');
  }

  assertState(expected: StreamSocketState, verb: string): void {
    if (this.state !== expected) throw this.notReady(verb, expected);
  }

  /** `socket` (the attached Node socket) when connected, for `verb`; else the error of calling it now. */
  connectedSocket(socket: Socket | undefined, verb: string): Socket {
    if (this.state !== 'connected' || socket === undefined) throw this.notReady(verb, 'connected');
    return socket;
  }

  /** The error of calling `verb` now, in a state other than `expected`. */
  notReady(verb: string, expected: StreamSocketState): SocketError {
    return notReadyError(this.state, verb, expected);
  }
}
