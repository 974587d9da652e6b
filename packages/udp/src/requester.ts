import type { DatagramSocket } from '@sockkit/core';
import {
  capturingPromise,
  checkOptions,
  checkSignal,
  lastRejecter,
  lastResolver,
  trySendChecked,
  unwatchAbort,
  watchAbort,
} from '@sockkit/core/internals';
import {
  attemptTimeout,
  type RetransmissionOptions,
  type RetransmissionSchedule,
  resolveRetransmission,
} from './backoff.js';
import { RequestIdSource } from './correlation.js';
import { DeadlineTimer, type Scheduled } from './deadlines.js';
import {
  canonicalHost,
  checkDestination,
  type Destination,
  type HostResolver,
  type NodeSender,
  sourceOf,
} from './destination.js';
import type { UdpEndpoint } from './endpoint.js';
import { announceDrop, announceRetransmit, logTimeout, replyDropReason } from './endpoint-events.js';
import {
  ENVELOPE_HEADER_SIZE,
  encodeRequest,
  envelopePayload,
  requestId,
  requestKey,
  requestKeyCheck,
} from './envelope.js';
import { EndpointClosedError, RequestTimeoutError } from './errors.js';
import { IntegerMap } from './integer-map.js';
import { type Payloads, UNDECODABLE } from './payloads.js';
import { SettledRequests, type Settlement } from './settled-requests.js';
import { assertDatagramSize } from './size.js';

/** Options of one `request`. */
export interface RequestOptions extends RetransmissionOptions {
  /** Abort the request: it rejects with the signal's reason and leaves the pending table. */
  readonly signal?: AbortSignal;
}

/** The request side's counters in {@link UdpEndpointStats}. */
export interface RequesterStats {
  /** Requests started, retransmissions sent, and requests that ended in `RequestTimeoutError`. */
  readonly requests: number;
  readonly retransmissions: number;
  readonly timeouts: number;
  /** Replies accepted by a pending request. */
  readonly replies: number;
  /** Replies for a request already answered (the network or the peer duplicated them). */
  readonly duplicateReplies: number;
  /** Replies for a request already given up (timed out, aborted or failed). */
  readonly lateReplies: number;
  /** Replies for an id never asked for (or settled too long ago to remember). */
  readonly unmatchedReplies: number;
  /** Replies with a pending id but from another address or port than the request went to. */
  readonly spoofedReplies: number;
  /** Requests waiting for a reply now. */
  readonly pending: number;
}

/**
 * A request waiting for its reply: the entry of the pending table and of the retransmission
 * timer, its own promise, and the address it goes to (`trySendTo` takes it as is). One object per
 * request: no closures, no separate destination.
 */
class PendingRequest<T> implements Scheduled {
  deadline = 0;
  timerSlot = -1;
  /** Attempts sent so far minus one: 0 while waiting for a reply to the first. */
  attempt = 0;
  /** Listens to `signal`, when there is one. */
  onAbort: (() => void) | undefined;
  /** When the first attempt went out, for the `RequestTimeoutError` (from its deadline: no clock read of its own). */
  startedAt = 0;
  /** Whether it left the pending table (answered, or given up). */
  settled = false;
  readonly promise: Promise<T> = capturingPromise<T>();
  readonly resolve: (reply: T) => void = lastResolver<T>();
  readonly reject: (error: unknown) => void = lastRejecter();

  constructor(
    /** The pending table's key, and the rest of the id's bits (see `requestKey`). */
    readonly key: number,
    readonly check: number,
    readonly datagram: Uint8Array,
    /** Where the request went: a reply must come from exactly there (host in canonical form). */
    readonly host: string,
    readonly port: number,
    readonly policy: RetransmissionSchedule,
    readonly signal: AbortSignal | undefined,
  ) {}

  /** Where the request went, as the events and errors report it. */
  get destination(): Destination {
    return { host: this.host, port: this.port };
  }
}

const requestOptionNames: readonly (keyof RequestOptions)[] = ['timeout', 'retries', 'backoff', 'signal'];

/**
 * The client half of an endpoint: the pending-request table, retransmission on one deadline
 * timer, the memory of settled ids, and the matching of replies (id, then source address and port).
 */
export class Requester<T> {
  readonly #endpoint: UdpEndpoint<T>;
  readonly #socket: DatagramSocket;
  readonly #payloads: Payloads<T>;
  readonly #hosts: HostResolver;
  readonly #maxPayload: number;
  readonly #retransmission: RetransmissionSchedule;
  readonly #pending = new IntegerMap<PendingRequest<T>>();
  readonly #settled = new SettledRequests<number>();
  readonly #retransmissions = new DeadlineTimer<PendingRequest<T>>((pending) =>
    this.#onAttemptTimeout(pending),
  );
  readonly #ids = new RequestIdSource();
  #closed = false;
  /** Whether `request` was ever called: from then on, reply envelopes are replies, not datagrams. */
  active = false;
  #counts = {
    requests: 0,
    retransmissions: 0,
    timeouts: 0,
    replies: 0,
    duplicateReplies: 0,
    lateReplies: 0,
    unmatchedReplies: 0,
    spoofedReplies: 0,
  };

  constructor(
    endpoint: UdpEndpoint<T>,
    socket: DatagramSocket,
    payloads: Payloads<T>,
    hosts: HostResolver,
    maxPayload: number,
    retransmission: RetransmissionSchedule,
  ) {
    this.#endpoint = endpoint;
    this.#socket = socket;
    this.#payloads = payloads;
    this.#hosts = hosts;
    this.#maxPayload = maxPayload;
    this.#retransmission = retransmission;
  }

  get stats(): RequesterStats {
    return { ...this.#counts, pending: this.#pending.size };
  }

  /** `UdpEndpoint.request` once the endpoint is known to be open. */
  request(message: T, to: Destination, options?: RequestOptions): Promise<T> {
    try {
      const checked = checkOptions('options', options, requestOptionNames);
      const { timeout, retries, backoff } = checked;
      const policy =
        timeout === undefined && retries === undefined && backoff === undefined
          ? this.#retransmission
          : resolveRetransmission(checked, this.#retransmission);
      const signal = checkSignal('options.signal', checked.signal);
      checkDestination(to);
      signal?.throwIfAborted();
      const payload = this.#payloads.encode(message);
      assertDatagramSize(ENVELOPE_HEADER_SIZE + payload.length, this.#maxPayload);
      const literal = this.#hosts.canonicalLiteral(to.host);
      if (literal !== undefined) return this.#exchange(payload, literal, to.port, policy, signal);
      return this.#hosts
        .resolve(to.host)
        .then((host) => this.#exchange(payload, canonicalHost(host), to.port, policy, signal));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Sends a request to `host` (an IP address in canonical form) until a matching reply settles it, or the last attempt times out. */
  #exchange(
    payload: Uint8Array,
    host: string,
    port: number,
    policy: RetransmissionSchedule,
    signal: AbortSignal | undefined,
  ): Promise<T> {
    if (this.#closed) throw new EndpointClosedError();
    signal?.throwIfAborted();
    let datagram = encodeRequest(this.#ids, payload);
    // Pending keys are unique, so a reply's key finds at most one request (then checked in full).
    let key = requestKey(datagram);
    while (this.#pending.has(key)) {
      datagram = encodeRequest(this.#ids, payload);
      key = requestKey(datagram);
    }
    const check = requestKeyCheck(datagram);
    this.active = true;
    const pending = new PendingRequest<T>(key, check, datagram, host, port, policy, signal);
    this.#pending.set(key, pending);
    if (signal !== undefined) {
      pending.onAbort = () => this.#fail(pending, signal.reason);
      watchAbort(signal, pending.onAbort);
    }
    this.#counts.requests++;
    this.#transmit(pending);
    return pending.promise;
  }

  #transmit(pending: PendingRequest<T>): void {
    const wait = attemptTimeout(pending.policy, pending.attempt);
    this.#retransmissions.schedule(pending, wait);
    if (pending.attempt === 0) pending.startedAt = pending.deadline - wait;
    try {
      // The datagram and address are the requester's own, checked in request().
      trySendChecked(this.#socket, pending.datagram, pending, this.#onSendError, pending);
    } catch (error) {
      this.#fail(pending, error);
    }
  }

  /** Fails the request whose send the socket reports failed: one handler for every send. */
  readonly #onSendError = (error: unknown, pending: PendingRequest<T>): void => {
    this.#fail(pending, error);
  };

  #onAttemptTimeout(pending: PendingRequest<T>): void {
    if (pending.attempt === pending.policy.retries) {
      this.#counts.timeouts++;
      logTimeout(requestId(pending.datagram), pending.destination, pending.attempt + 1);
      const waited = Math.round(performance.now() - pending.startedAt);
      this.#fail(
        pending,
        new RequestTimeoutError(waited, { attempts: pending.attempt + 1, to: pending.destination }),
      );
      return;
    }
    pending.attempt++;
    this.#counts.retransmissions++;
    announceRetransmit(this.#endpoint, pending.destination, requestId(pending.datagram), pending.attempt);
    // A subscriber may have aborted the request or closed the endpoint.
    if (!pending.settled) this.#transmit(pending);
  }

  /** Takes `pending` out of the table; false when it had already settled. */
  #settle(pending: PendingRequest<T>, settlement: Settlement): boolean {
    if (pending.settled) return false;
    pending.settled = true;
    this.#pending.delete(pending.key);
    this.#settled.record(pending.key, settlement, pending.check);
    this.#retransmissions.cancel(pending);
    if (pending.onAbort !== undefined) unwatchAbort(pending.signal!, pending.onAbort);
    return true;
  }

  #fail(pending: PendingRequest<T>, error: unknown): void {
    if (this.#settle(pending, 'abandoned')) pending.reject(error);
  }

  /** A reply envelope (`reply` is its whole datagram) from `from`: settles its pending request, or is counted and dropped. */
  onReply(reply: Uint8Array, from: NodeSender): void {
    const key = requestKey(reply);
    const check = requestKeyCheck(reply);
    let pending = this.#pending.get(key);
    if (pending !== undefined && pending.check !== check) pending = undefined;
    if (pending === undefined) {
      const settlement = this.#settled.get(key, check);
      if (settlement === 'answered') this.#counts.duplicateReplies++;
      else if (settlement === 'abandoned') this.#counts.lateReplies++;
      else this.#counts.unmatchedReplies++;
      announceDrop(this.#endpoint, sourceOf(from), replyDropReason(settlement));
    } else if (pending.port !== from.port || pending.host !== from.address) {
      this.#counts.spoofedReplies++;
      announceDrop(this.#endpoint, sourceOf(from), 'spoofedReply');
    } else {
      const decoded = this.#payloads.decode(envelopePayload(reply), from);
      if (decoded === UNDECODABLE || !this.#settle(pending, 'answered')) return;
      this.#counts.replies++;
      pending.resolve(decoded);
    }
  }

  /** Rejects every pending request with `error` (the endpoint closed); later requests fail at once. */
  close(error: EndpointClosedError): void {
    this.#closed = true;
    for (const pending of this.#pending.values()) this.#fail(pending, error);
    this.#retransmissions.clear();
  }
}
