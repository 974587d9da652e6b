import type { Socket } from 'node:dgram';
import type { HostAddress } from './address.js';
import { callSafely, warnCallbackFailed } from './callback.js';
import { log } from './channels.js';
import { AF_INET6, MAX_IPV4_PAYLOAD, MAX_IPV6_PAYLOAD } from './constants.js';
import { SocketError, SocketTimeoutError, toSocketError } from './errors.js';
import { Fifo } from './fifo.js';
import { checkBytes } from './validate.js';
import { neverExpires, Waiter } from './waiter.js';

/** Where a `trySendTo` failure goes: the error, and the `context` given with the send. */
export type SendErrorHandler<C = undefined> = (error: unknown, context: C) => void;

/** A settling function of a send in flight: a promise's `reject`, or a `trySendTo` handler. */
type Rejecter = SendErrorHandler<unknown>;

const warnSendHandlerFailed = warnCallbackFailed('trySendTo onError');

/** Checks data to send: bytes, and no more than one IP datagram carries (else `EMSGSIZE`). */
export function checkDatagram(data: Uint8Array, family: number): Uint8Array {
  const bytes = checkBytes('data', data);
  const limit = family === AF_INET6 ? MAX_IPV6_PAYLOAD : MAX_IPV4_PAYLOAD;
  if (bytes.length > limit) {
    throw new SocketError(
      'EMSGSIZE',
      `datagram of ${bytes.length} bytes exceeds the ${limit}-byte limit of UDP over IPv${family === AF_INET6 ? 6 : 4}`,
    );
  }
  return bytes;
}

/**
 * The send side of a datagram socket: its sends in flight, and how each is settled when Node
 * calls back.
 *
 * Node calls the send callbacks of IP-literal sends in send order, never before `send()` returns,
 * also with an error and when the socket closes first, so one shared callback ({@link onSent})
 * settles a queue of them: a send costs no closure. A send to a host name (its lookup may finish
 * out of order) or with a deadline gets a callback of its own.
 */
export class DatagramSends {
  /** Resolve functions of queued sends in send order; `undefined` for a `trySendTo`. */
  readonly #resolvers = new Fifo<((sent: number) => void) | undefined>();
  readonly #rejecters = new Fifo<Rejecter>();
  readonly #contexts = new Fifo<unknown>();
  /** Sends with a callback of their own, still waiting for it. */
  readonly #own = new Set<Waiter<number>>();
  /** Where the error goes when a `trySendTo` handler throws: the socket's pending error. */
  readonly #onHandlerFailed: (error: unknown) => void;
  /** Whether a host is an IP address, not a name. */
  readonly #isLiteral: (host: string) => boolean;

  constructor(onHandlerFailed: (error: unknown) => void, isLiteral: (host: string) => boolean) {
    this.#onHandlerFailed = onHandlerFailed;
    this.#isLiteral = isLiteral;
  }

  /** Sends `bytes` to `peer` (the connected peer when undefined); resolves with their length once Node has sent them. */
  send(
    socket: Socket,
    bytes: Uint8Array,
    peer: HostAddress | undefined,
    timeout: number | null,
    signal: AbortSignal | undefined,
  ): Promise<number> {
    const untimed = (timeout === null || timeout === 0) && signal === undefined;
    if (untimed && (peer === undefined || this.#isLiteral(peer.host))) {
      // Queued after send(), in case it throws.
      if (peer === undefined) socket.send(bytes, this.#onSent);
      else socket.send(bytes, peer.port, peer.host, this.#onSent);
      return new Promise<number>(this.#queue);
    }
    // A send never waits for room, so timeout 0 (non-blocking) sets no timer.
    const [sender, done] = this.#ownCallback(bytes.length, timeout === 0 ? null : timeout, signal);
    if (peer === undefined) socket.send(bytes, done);
    else socket.send(bytes, peer.port, peer.host, done);
    return sender.promise;
  }

  /** `trySendTo` after its checks: only a failure is reported, to `report` with `context`. */
  trySend(socket: Socket, bytes: Uint8Array, peer: HostAddress, report: Rejecter, context: unknown): void {
    if (this.#isLiteral(peer.host)) {
      socket.send(bytes, peer.port, peer.host, this.#onSent);
      this.#resolvers.push(undefined);
      this.#rejecters.push(report);
      this.#contexts.push(context);
    } else {
      // Node reads the bytes once the name is resolved: a copy, so they are taken now.
      socket.send(Buffer.from(bytes), peer.port, peer.host, (error) => {
        if (error) this.#fail(report, toSocketError(error), context);
      });
    }
  }

  /** Rejects every send in flight with `closing` (the socket closed); a handler's throw becomes a warning. */
  close(closing: unknown): void {
    for (const sender of this.#own) sender.reject(closing);
    this.#own.clear();
    const contexts = this.#contexts.drain();
    const rejecters = this.#rejecters.drain();
    for (let i = 0; i < rejecters.length; i++) {
      callSafely((error) => rejecters[i]!(error, contexts[i]), closing, warnSendHandlerFailed);
    }
    this.#resolvers.drain();
  }

  /** The callback of a queued send: settles the oldest. After {@link close} the queue is empty and late callbacks find nothing. */
  readonly #onSent = (error: Error | null, sent?: number): void => {
    const resolve = this.#resolvers.shift();
    const reject = this.#rejecters.shift();
    const context = this.#contexts.shift();
    if (reject === undefined) return;
    if (error) this.#fail(reject, toSocketError(error), context);
    else resolve?.(sent ?? 0);
  };

  /** The executor of a queued send's promise: one function per socket, no closure per call. */
  readonly #queue = (resolve: (sent: number) => void, reject: (reason: unknown) => void): void => {
    this.#resolvers.push(resolve);
    this.#rejecters.push(reject);
    this.#contexts.push(undefined);
  };

  /** A send with a callback of its own (a host name, a deadline): its waiter, and the callback to give Node. */
  #ownCallback(
    size: number,
    timeout: number | null,
    signal: AbortSignal | undefined,
  ): [Waiter<number>, (error: Error | null) => void] {
    const own = this.#own;
    const sender =
      timeout === null && signal === undefined
        ? new Waiter<number>(null, undefined, neverExpires)
        : new Waiter<number>(timeout, signal, (expired, reason) => {
            own.delete(expired);
            if (reason !== 'timeout') return undefined;
            log?.('sendTo timed out after %d ms', timeout);
            return new SocketTimeoutError(`send timed out after ${timeout} ms`);
          });
    own.add(sender);
    const done = (error: Error | null) => {
      own.delete(sender);
      if (error) sender.reject(toSocketError(error));
      else sender.resolve(size);
    };
    return [sender, done];
  }

  /** Hands a failure to its promise or handler; a handler's own throw goes to `onHandlerFailed`. */
  #fail(reject: Rejecter, error: unknown, context: unknown): void {
    callSafely((failure) => reject(failure, context), error, this.#onHandlerFailed);
  }
}
