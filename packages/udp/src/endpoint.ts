import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { AF_INET, AF_INET6, DatagramSocket, type SocketAddress, toSocketError } from '@sockkit/core';
import {
  checkBoolean,
  checkBytes,
  checkFunction,
  checkMethods,
  checkNumberIn,
  checkOneOf,
  checkOptions,
  checkPositiveInteger,
  checkSignal,
  checkTimeout,
  traced,
} from '@sockkit/core/internals';
import type { MessageCodec } from '@sockkit/framing';
import {
  attemptTimeout,
  checkRetransmission,
  type RetransmissionOptions,
  type RetransmissionSchedule,
  resolveRetransmission,
} from './backoff.js';
import {
  DEFAULT_MAX_AMPLIFICATION,
  DEFAULT_MAX_CONCURRENT_REQUESTS,
  DEFAULT_QUEUE_BYTES,
  DEFAULT_QUEUE_DATAGRAMS,
} from './constants.js';
import { RequestIdSource } from './correlation.js';
import { DeadlineTimer, type Scheduled } from './deadlines.js';
import { canonicalHost, checkDestination } from './destination.js';
import {
  announceCachedReply,
  announceDrop,
  announceRetransmit,
  logTimeout,
  replyDropReason,
  requestChannel,
  requestContext,
} from './endpoint-events.js';
import {
  ENVELOPE_HEADER_SIZE,
  type Envelope,
  EnvelopeKind,
  encodeReply,
  encodeRequest,
  readEnvelope,
  requestId,
} from './envelope.js';
import {
  EndpointClosedError,
  InvalidArgumentError,
  InvalidStateError,
  ReceiveTimeoutError,
  RequestTimeoutError,
} from './errors.js';
import { type QueueOptions, ReceiveQueue } from './receive-queue.js';
import { ReplyCache, type ReplyCacheOptions } from './reply-cache.js';
import { SettledRequests, type Settlement } from './settled-requests.js';
import { assertDatagramSize, ipPayloadLimit, resolveMaxPayload, type UdpType } from './size.js';

/** A datagram's sender: an IP address, its family and a port. */
export type DatagramSource = Extract<SocketAddress, { readonly port: number }>;

/**
 * Turns messages into datagram payloads and back: `createCodec(schema)` from `@sockkit/framing`
 * (MessagePack checked by a zod schema), or anything with the same two methods. `decode` throws on
 * bytes that are not a valid message; the endpoint then drops and counts that datagram.
 */
export type DatagramCodec<T> = Pick<MessageCodec<T>, 'encode' | 'decode'>;

/** Where to send: an IP address (or a name, resolved once per call) and a port. */
export interface Destination {
  readonly host: string;
  readonly port: number;
}

/** A received datagram and its sender. */
export interface Datagram<T> {
  readonly data: T;
  readonly from: DatagramSource;
}

/** Options of {@link udpEndpoint}. */
export interface UdpEndpointOptions<T> {
  /** `'udp4'` (default) or `'udp6'`. */
  readonly type?: UdpType;
  /**
   * Local address. Default: loopback (`127.0.0.1` or `::1`) on a free port; give `'0.0.0.0'` or
   * `'::'` to receive from the network. `reuseAddress` lets several sockets share a multicast port.
   */
  readonly bind?: { readonly host?: string; readonly port?: number; readonly reuseAddress?: boolean };
  /** Typed datagrams: every payload goes through this codec. Default: raw `Uint8Array` payloads. */
  readonly codec?: DatagramCodec<T>;
  /** Largest datagram this endpoint sends, envelope included. Default and maximum: the IP limit (65,507 / 65,527). */
  readonly maxPayload?: number;
  /** Bounds of the receive queue. Default 1,024 datagrams and 4 MiB. */
  readonly queue?: QueueOptions;
  /** Endpoint-wide defaults for `request`; each call may override them. */
  readonly retransmission?: RetransmissionOptions;
  /** Bounds of `serve`'s reply cache. Its `ttl` must cover your clients' retransmission span. */
  readonly replyCache?: ReplyCacheOptions;
  /** A reply is at most this many times its request's size, or it is not sent (RFC 9000, 8.1). Default 3. */
  readonly maxAmplification?: number;
  /**
   * Most `serve` handlers running at once. A new request beyond it is dropped and counted in
   * `stats.overloadedRequests` (its client retransmits). Default 256.
   */
  readonly maxConcurrentRequests?: number;
}

/** Options of one `request`. */
export interface RequestOptions extends RetransmissionOptions {
  /** Abort the request: it rejects with the signal's reason and leaves the pending table. */
  readonly signal?: AbortSignal;
}

/** Options of `recv`. */
export interface ReceiveOptions {
  /** Milliseconds to wait before {@link ReceiveTimeoutError}; `null` (default) waits forever. */
  readonly timeout?: number | null;
  readonly signal?: AbortSignal;
}

/** Answers one request: the reply, or `undefined` to send none. Throwing sends none and is counted. */
export type RequestHandler<T> = (message: T, from: DatagramSource) => T | undefined | Promise<T | undefined>;

/** Counters of an endpoint (a snapshot). Nothing is dropped without being counted here. */
export interface UdpEndpointStats {
  /** Datagrams read from the socket. */
  readonly received: number;
  /** Datagrams waiting in the receive queue now. */
  readonly queued: number;
  /** Datagrams dropped because the receive queue was full, and their bytes. */
  readonly queueDropped: number;
  readonly queueDroppedBytes: number;
  /** Datagrams dropped by the socket layer below the endpoint. */
  readonly socketDropped: number;
  /** Payloads the codec could not decode or validate. */
  readonly decodeErrors: number;
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
  /** Requests handed to the `serve` handler. */
  readonly served: number;
  /** Retransmitted requests answered from the reply cache. */
  readonly cachedReplies: number;
  /** Retransmitted requests dropped: their handler was still running, or produced no reply. */
  readonly duplicateRequests: number;
  /** Handlers that threw or rejected, or whose reply could not be encoded or was too large. */
  readonly handlerErrors: number;
  /** Replies not sent because they exceeded `maxAmplification` times the request. */
  readonly amplificationRefused: number;
  /** New requests dropped because `maxConcurrentRequests` handlers were already running. */
  readonly overloadedRequests: number;
  /** New requests dropped because every reply-cache entry was still running (none could be evicted). */
  readonly replyCacheFull: number;
  /** Reply-cache entries dropped before their ttl to respect its bounds. */
  readonly replyCacheEvictions: number;
  /** Replies the socket failed to send. */
  readonly replySendErrors: number;
  /** Errors the socket reported on the receive side (e.g. an ICMP error), which concern no one datagram. */
  readonly socketErrors: number;
}

/** A request waiting for its reply: the entry of the pending table and of the retransmission timer. */
class PendingRequest<T> implements Scheduled {
  deadline = 0;
  /** Attempts sent so far minus one: 0 while waiting for a reply to the first. */
  attempt = 0;
  /** Listens to `signal`, when there is one. */
  onAbort: (() => void) | undefined;
  /** Fails the request when the socket reports that one of its sends failed. */
  onSendError: (error: unknown) => void = ignore;
  /** When the first attempt went out, for the `RequestTimeoutError`. */
  readonly startedAt = performance.now();

  constructor(
    readonly id: string,
    readonly datagram: Uint8Array,
    /** Where the request went: a reply must come from exactly there (host in canonical form). */
    readonly destination: Destination,
    readonly policy: RetransmissionSchedule,
    readonly signal: AbortSignal | undefined,
    readonly resolve: (reply: T) => void,
    readonly reject: (error: unknown) => void,
  ) {}
}

function ignore(): void {}

/** What `#decode` returns for bytes the codec refused (a codec never returns a fresh symbol). */
const UNDECODABLE: unique symbol = Symbol('undecodable');

/** Raw payloads: the bytes as they are, and nothing that is not bytes (a string would go out as zeros). */
const identity: DatagramCodec<Uint8Array> = {
  encode: (message) => checkBytes('message', message),
  decode: (bytes) => bytes,
};

const endpointOptionNames: readonly (keyof UdpEndpointOptions<unknown>)[] = [
  'type',
  'bind',
  'codec',
  'maxPayload',
  'queue',
  'retransmission',
  'replyCache',
  'maxAmplification',
  'maxConcurrentRequests',
];

/**
 * A UDP endpoint: datagrams in a bounded queue, request/response with retransmission and source
 * checks, a server with a reply cache, broadcast and multicast. Create it with {@link udpEndpoint}.
 */
export class UdpEndpoint<T = Uint8Array> implements AsyncDisposable, AsyncIterable<Datagram<T>> {
  readonly #socket: DatagramSocket;
  #address: DatagramSource | undefined;
  readonly #type: UdpType;
  /** The receive size: the IP payload limit, so nothing is ever truncated. */
  readonly #bufsize: number;
  readonly #codec: DatagramCodec<T>;
  readonly #maxPayload: number;
  readonly #queue: ReceiveQueue<Datagram<Uint8Array>>;
  readonly #retransmission: RetransmissionSchedule;
  readonly #cache: ReplyCache;
  readonly #maxAmplification: number;
  readonly #maxConcurrentRequests: number;
  /** Handlers running now. */
  #running = 0;
  readonly #pending = new Map<string, PendingRequest<T>>();
  readonly #settled = new SettledRequests();
  readonly #retransmissions = new DeadlineTimer<PendingRequest<T>>((pending) =>
    this.#onAttemptTimeout(pending),
  );
  readonly #ids = new RequestIdSource();
  #handler: RequestHandler<T> | undefined;
  /** Whether `request` was ever called: from then on, reply envelopes are replies, not datagrams. */
  #requesting = false;
  #lastHost: string | undefined;
  #lastCanonical: string | undefined;
  #closed: EndpointClosedError | undefined;
  #counts = {
    received: 0,
    decodeErrors: 0,
    requests: 0,
    retransmissions: 0,
    timeouts: 0,
    replies: 0,
    duplicateReplies: 0,
    lateReplies: 0,
    unmatchedReplies: 0,
    spoofedReplies: 0,
    served: 0,
    cachedReplies: 0,
    duplicateRequests: 0,
    handlerErrors: 0,
    amplificationRefused: 0,
    overloadedRequests: 0,
    replyCacheFull: 0,
    replySendErrors: 0,
    socketErrors: 0,
  };

  /** `options` were checked by {@link UdpEndpoint.open} (known keys, `type`). */
  private constructor(type: UdpType, options: UdpEndpointOptions<T>) {
    this.#type = type;
    this.#bufsize = ipPayloadLimit(type);
    this.#codec =
      options.codec === undefined
        ? (identity as unknown as DatagramCodec<T>)
        : checkMethods(
            'options.codec',
            options.codec,
            ['encode', 'decode'],
            'a codec with encode and decode (createCodec(schema))',
          );
    this.#maxPayload = resolveMaxPayload(type, options.maxPayload);
    const { maxDatagrams = DEFAULT_QUEUE_DATAGRAMS, maxBytes = DEFAULT_QUEUE_BYTES } = checkOptions(
      'options.queue',
      options.queue,
      ['maxDatagrams', 'maxBytes'],
    );
    this.#queue = new ReceiveQueue(maxDatagrams, maxBytes);
    this.#retransmission = checkRetransmission('options.retransmission', options.retransmission);
    this.#cache = new ReplyCache(options.replyCache);
    this.#maxAmplification = checkNumberIn(
      'options.maxAmplification',
      options.maxAmplification ?? DEFAULT_MAX_AMPLIFICATION,
      1,
      Number.POSITIVE_INFINITY,
      'a number >= 1 (Infinity to allow any reply)',
    );
    this.#maxConcurrentRequests = checkPositiveInteger(
      'options.maxConcurrentRequests',
      options.maxConcurrentRequests ?? DEFAULT_MAX_CONCURRENT_REQUESTS,
    );
    // The endpoint drains the socket's queue at once (see #pump), so the same bounds hold there.
    this.#socket = new DatagramSocket(type === 'udp6' ? AF_INET6 : AF_INET, {
      maxQueuedDatagrams: maxDatagrams,
      maxQueuedBytes: maxBytes,
    });
  }

  /** @internal Use {@link udpEndpoint}: validates every option, then binds. */
  static async open<T>(given: UdpEndpointOptions<T> | undefined): Promise<UdpEndpoint<T>> {
    const options = checkOptions('options', given, endpointOptionNames);
    const type = checkOneOf('options.type', options.type ?? 'udp4', ['udp4', 'udp6']);
    const {
      host = type === 'udp6' ? '::1' : '127.0.0.1',
      port = 0,
      reuseAddress = false,
    } = checkOptions('options.bind', options.bind, ['host', 'port', 'reuseAddress']);
    checkBoolean('options.bind.reuseAddress', reuseAddress);
    const endpoint = new UdpEndpoint<T>(type, options);
    const socket = endpoint.#socket;
    try {
      if (reuseAddress) socket.setSockOpt('reuseAddress', true);
      await socket.bind({ host, port });
      // Kept: the address stays readable after close (core's getSockName throws then).
      endpoint.#address = socket.getSockName() as DatagramSource;
    } catch (error) {
      await socket.close();
      throw error;
    }
    socket.onReadable(endpoint.#drain);
    return endpoint;
  }

  /**
   * The one reader of the socket: routes each datagram as it arrives (replies to pending requests,
   * requests to the handler, the rest to the receive queue), so replies are never stuck behind
   * datagrams the application has not read yet. It drains the socket synchronously from its
   * readable cue: no promise per datagram.
   */
  readonly #drain = (): void => {
    const socket = this.#socket;
    const bufsize = this.#bufsize;
    for (;;) {
      let datagram: ReturnType<DatagramSocket['tryRecvFrom']>;
      try {
        datagram = socket.tryRecvFrom(bufsize);
      } catch {
        // Closed, or a socket error (e.g. ICMP-reported) that concerns no one datagram: counted.
        if (socket.closed) return;
        this.#counts.socketErrors++;
        continue;
      }
      if (datagram === undefined) return;
      this.#onDatagram(datagram[0], datagram[1] as DatagramSource);
    }
  };

  /** The local address the endpoint is bound to. */
  get address(): DatagramSource {
    return this.#address!;
  }

  /** A snapshot of the endpoint's counters. */
  get stats(): UdpEndpointStats {
    return {
      ...this.#counts,
      queued: this.#queue.length,
      queueDropped: this.#queue.dropped,
      queueDroppedBytes: this.#queue.droppedBytes,
      socketDropped: this.#socket.stats.dropped,
      pending: this.#pending.size,
      replyCacheEvictions: this.#cache.evictions,
    };
  }

  /**
   * Sends one datagram (`sendto`). Resolves once the kernel has it; that is no promise of delivery.
   * @throws {DatagramTooLargeError} above `maxPayload`, before anything is sent.
   */
  async send(message: T, to: Destination): Promise<void> {
    this.#checkOpen();
    checkDestination(to);
    const data = this.#encode(message);
    assertDatagramSize(data.byteLength, this.#maxPayload);
    const host = await this.#resolve(to.host);
    await this.#socket.sendTo(data, { host, port: to.port });
  }

  /**
   * Receives the next datagram (`recvfrom`) from the queue, waiting if it is empty. With a codec,
   * datagrams that fail to decode are counted in `stats.decodeErrors` and skipped.
   * @throws {ReceiveTimeoutError} after `timeout` ms; the endpoint stays usable.
   * @throws {EndpointClosedError} once the endpoint is closed.
   */
  recv(options?: ReceiveOptions): Promise<Datagram<T>> {
    let timeout: number | null;
    let signal: AbortSignal | undefined;
    try {
      const checked = checkOptions('options', options, ['timeout', 'signal']);
      // Capped at 2^31-1 ms: Node fires a longer timer after 1 ms.
      timeout = checkTimeout('options.timeout', checked.timeout ?? null);
      signal = checkSignal('options.signal', checked.signal);
    } catch (error) {
      return Promise.reject(error);
    }
    // Raw payloads need no decoding: hand out the queue's promise itself, one hop per datagram.
    if (this.#codec === identity) return this.#queue.next(timeout, signal) as Promise<Datagram<T>>;
    return this.#recvDecoded(timeout, signal);
  }

  async #recvDecoded(timeout: number | null, signal: AbortSignal | undefined): Promise<Datagram<T>> {
    // One deadline for the whole call, so a stream of undecodable datagrams cannot extend it.
    const deadline = timeout === null ? null : performance.now() + timeout;
    for (;;) {
      const remaining = deadline === null ? null : Math.max(0, deadline - performance.now());
      const datagram = await this.#queue.next(remaining, signal, timeout);
      const decoded = this.#decode(datagram.data, datagram.from);
      if (decoded !== UNDECODABLE) return { data: decoded, from: datagram.from };
    }
  }

  /**
   * Received datagrams, in arrival order, until the endpoint closes. Breaking out of the loop
   * leaves the endpoint open. With a codec, datagrams that fail to decode are skipped and counted.
   * @example
   * ```ts
   * for await (const { data, from } of endpoint) await endpoint.send(data, from);
   * ```
   */
  [Symbol.asyncIterator](): AsyncIterator<Datagram<T>, undefined> {
    const done: IteratorReturnResult<undefined> = { done: true, value: undefined };
    const next =
      this.#codec === identity
        ? () => this.#queue.nextResult() as Promise<IteratorResult<Datagram<T>, undefined>>
        : () =>
            this.recv().then(
              (value): IteratorResult<Datagram<T>, undefined> => ({ done: false, value }),
              (error: unknown) => {
                if (error instanceof EndpointClosedError) return done;
                throw error;
              },
            );
    return { next, return: async () => done };
  }

  /**
   * Sends `message` as a request and resolves with the reply. The request carries a random 64-bit
   * id; a reply is accepted only when its id, source address and source port all match. Without a
   * reply it is retransmitted `retries` times with exponential backoff and jitter (defaults:
   * {@link DEFAULT_RETRANSMISSION}), then rejects with {@link RequestTimeoutError}.
   *
   * From the first call on, received datagrams of 11 bytes or more that start with `D5 4B 02` are
   * replies for this machinery, never delivered to `recv` (see the README's wire format).
   *
   * @example
   * ```ts
   * const reply = await client.request(bytes, { host: '127.0.0.1', port: 5300 }, { retries: 2 });
   * ```
   * @throws {DatagramTooLargeError} when the request with its 11-byte envelope exceeds `maxPayload`.
   */
  request(message: T, to: Destination, options?: RequestOptions): Promise<T> {
    return traced(
      requestChannel,
      () => requestContext(this, to),
      () => this.#request(message, to, options),
    );
  }

  #request(message: T, to: Destination, options?: RequestOptions): Promise<T> {
    try {
      this.#checkOpen();
      const checked = checkOptions('options', options, ['timeout', 'retries', 'backoff', 'signal']);
      const { timeout, retries, backoff } = checked;
      const policy =
        timeout === undefined && retries === undefined && backoff === undefined
          ? this.#retransmission
          : resolveRetransmission(checked, this.#retransmission);
      const signal = checkSignal('options.signal', checked.signal);
      checkDestination(to);
      signal?.throwIfAborted();
      const payload = this.#encode(message);
      assertDatagramSize(ENVELOPE_HEADER_SIZE + payload.byteLength, this.#maxPayload);
      const literal = this.#canonicalLiteral(to.host);
      if (literal !== undefined) return this.#exchange(payload, literal, to.port, policy, signal);
      return this.#resolve(to.host).then((host) =>
        this.#exchange(payload, canonicalHost(host), to.port, policy, signal),
      );
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * `host` in canonical form when it is an IP address, else undefined (a name). The last answer is
   * kept: a client mostly asks one server, and the check is a regular expression.
   */
  #canonicalLiteral(host: string): string | undefined {
    if (host === this.#lastHost) return this.#lastCanonical;
    if (isIP(host) === 0) return undefined;
    this.#lastHost = host;
    this.#lastCanonical = canonicalHost(host);
    return this.#lastCanonical;
  }

  /** Sends a request to `host` (an IP address in canonical form) until a matching reply settles it, or the last attempt times out. */
  #exchange(
    payload: Uint8Array,
    host: string,
    port: number,
    policy: RetransmissionSchedule,
    signal: AbortSignal | undefined,
  ): Promise<T> {
    this.#checkOpen();
    signal?.throwIfAborted();
    let datagram = encodeRequest(this.#ids, payload);
    let id = requestId(datagram);
    while (this.#pending.has(id)) {
      datagram = encodeRequest(this.#ids, payload);
      id = requestId(datagram);
    }
    this.#requesting = true;
    return new Promise<T>((resolve, reject) => {
      const destination = { host, port };
      const pending = new PendingRequest(id, datagram, destination, policy, signal, resolve, reject);
      this.#pending.set(id, pending);
      pending.onSendError = (error) => this.#fail(pending, error);
      if (signal !== undefined) {
        pending.onAbort = () => this.#fail(pending, signal.reason);
        signal.addEventListener('abort', pending.onAbort, { once: true });
      }
      this.#counts.requests++;
      this.#transmit(pending);
    });
  }

  #transmit(pending: PendingRequest<T>): void {
    this.#retransmissions.schedule(pending, attemptTimeout(pending.policy, pending.attempt));
    try {
      this.#socket.trySendTo(pending.datagram, pending.destination, pending.onSendError);
    } catch (error) {
      this.#fail(pending, error);
    }
  }

  #onAttemptTimeout(pending: PendingRequest<T>): void {
    if (pending.attempt === pending.policy.retries) {
      this.#counts.timeouts++;
      logTimeout(pending.id, pending.destination, pending.attempt + 1);
      const waited = Math.round(performance.now() - pending.startedAt);
      this.#fail(
        pending,
        new RequestTimeoutError(waited, { attempts: pending.attempt + 1, to: pending.destination }),
      );
      return;
    }
    pending.attempt++;
    this.#counts.retransmissions++;
    announceRetransmit(this, pending.destination, pending.id, pending.attempt);
    this.#transmit(pending);
  }

  /** Takes `pending` out of the table; false when it had already settled. */
  #settle(pending: PendingRequest<T>, settlement: Settlement): boolean {
    if (this.#pending.get(pending.id) !== pending) return false;
    this.#pending.delete(pending.id);
    this.#settled.record(pending.id, settlement);
    this.#retransmissions.cancel(pending);
    if (pending.onAbort !== undefined) pending.signal?.removeEventListener('abort', pending.onAbort);
    return true;
  }

  #fail(pending: PendingRequest<T>, error: unknown): void {
    if (this.#settle(pending, 'abandoned')) pending.reject(error);
  }

  /**
   * Answers requests with `handler`. Each request (by sender and id) runs the handler at most once
   * while the reply cache remembers it: a retransmission is answered from the cache, or dropped
   * while the handler still runs. A handler that throws is counted in `stats.handlerErrors` and
   * the endpoint keeps serving. A reply larger than `maxAmplification` times its request is not sent.
   * At most `maxConcurrentRequests` handlers run at once; newer requests are dropped and counted.
   *
   * From this call on, received datagrams of 11 bytes or more that start with `D5 4B 01` are
   * requests for `handler`, never delivered to `recv` (see the README's wire format).
   *
   * @example
   * ```ts
   * server.serve((message, from) => message); // an echo service
   * ```
   */
  serve(handler: RequestHandler<T>): void {
    this.#checkOpen();
    checkFunction('handler', handler);
    if (this.#handler !== undefined) throw new InvalidStateError('this endpoint already serves a handler');
    this.#handler = handler;
  }

  /** Allows sending to broadcast addresses (`SO_BROADCAST`). */
  setBroadcast(flag: boolean): void {
    this.#checkOpen();
    this.#socket.setSockOpt('broadcast', flag);
  }

  /** Joins multicast `group` on the interface with address `iface` (default: chosen by the kernel). */
  join(group: string, iface?: string): void {
    this.#checkOpen();
    this.#socket.addMembership(group, iface);
  }

  /** Leaves multicast `group` on `iface`. */
  leave(group: string, iface?: string): void {
    this.#checkOpen();
    this.#socket.dropMembership(group, iface);
  }

  /** Hops a multicast datagram may travel (`IP_MULTICAST_TTL`); 1 (the kernel default) stays on the local network. */
  setMulticastTTL(ttl: number): void {
    this.#checkOpen();
    this.#socket.setSockOpt('multicastTTL', ttl);
  }

  /** Whether this host's own sockets receive the multicast datagrams it sends (`IP_MULTICAST_LOOP`). */
  setMulticastLoopback(flag: boolean): void {
    this.#checkOpen();
    this.#socket.setSockOpt('multicastLoopback', flag);
  }

  /** The local interface address outgoing multicast leaves from (`IP_MULTICAST_IF`). */
  setMulticastInterface(iface: string): void {
    this.#checkOpen();
    this.#socket.setSockOpt('multicastInterface', iface);
  }

  /** Closes the socket; pending requests and waiting `recv`s reject with {@link EndpointClosedError}. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed !== undefined) return;
    this.#closed = new EndpointClosedError();
    for (const pending of [...this.#pending.values()]) this.#fail(pending, this.#closed);
    this.#retransmissions.clear();
    this.#queue.close(this.#closed);
    this.#cache.clear();
    await this.#socket.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #checkOpen(): void {
    if (this.#closed !== undefined) throw new EndpointClosedError();
  }

  async #resolve(host: string): Promise<string> {
    if (isIP(host) !== 0) return host;
    try {
      return (await lookup(host, { family: this.#type === 'udp6' ? 6 : 4 })).address;
    } catch (error) {
      throw toSocketError(error); // ENOTFOUND ... as a SocketError, cause kept
    }
  }

  /** The payload of `message`: its encoding, which must be bytes. */
  #encode(message: T): Uint8Array {
    const payload = this.#codec.encode(message);
    if (!(payload instanceof Uint8Array)) {
      throw new InvalidArgumentError('options.codec', 'a codec whose encode returns a Uint8Array', payload);
    }
    return payload;
  }

  /** The decoded message, or {@link UNDECODABLE} (counted) when the codec refuses the bytes. */
  #decode(bytes: Uint8Array, from: DatagramSource): T | typeof UNDECODABLE {
    try {
      return this.#codec.decode(bytes);
    } catch {
      this.#counts.decodeErrors++;
      announceDrop(this, from, 'decodeError');
      return UNDECODABLE;
    }
  }

  #onDatagram(data: Uint8Array, from: DatagramSource): void {
    this.#counts.received++;
    // An envelope is read only where it is meant: a request by a serving endpoint, a reply by
    // one that has sent requests. Every other datagram, magic or not, is the application's.
    const envelope = readEnvelope(data);
    if (envelope?.kind === EnvelopeKind.request && this.#handler !== undefined) {
      this.#onRequest(this.#handler, envelope, data, from);
    } else if (envelope?.kind === EnvelopeKind.reply && this.#requesting) this.#onReply(envelope, from);
    else if (!this.#queue.push({ data, from }, data.byteLength)) announceDrop(this, from, 'queueFull');
  }

  #onReply(envelope: Envelope, from: DatagramSource): void {
    const pending = this.#pending.get(envelope.id);
    if (pending === undefined) {
      const settlement = this.#settled.get(envelope.id);
      if (settlement === 'answered') this.#counts.duplicateReplies++;
      else if (settlement === 'abandoned') this.#counts.lateReplies++;
      else this.#counts.unmatchedReplies++;
      announceDrop(this, from, replyDropReason(settlement));
    } else if (pending.destination.port !== from.port || pending.destination.host !== from.host) {
      this.#counts.spoofedReplies++;
      announceDrop(this, from, 'spoofedReply');
    } else {
      const decoded = this.#decode(envelope.payload, from);
      if (decoded === UNDECODABLE || !this.#settle(pending, 'answered')) return;
      this.#counts.replies++;
      pending.resolve(decoded);
    }
  }

  #onRequest(
    handler: RequestHandler<T>,
    envelope: Envelope,
    request: Uint8Array,
    from: DatagramSource,
  ): void {
    const cache = this.#cache;
    const key = `${from.host}|${from.port}|${envelope.id}`;
    const known = cache.find(key);
    if (known?.state === 'answered') {
      // Checked against this datagram, not the first: a short copy of a big request's id must not
      // draw the big reply again and again (the cache is keyed by id, not by payload).
      if (this.#amplifies(known.reply, request, from)) return;
      this.#counts.cachedReplies++;
      announceCachedReply(this, from, envelope.id);
      this.#sendReply(known.reply, from);
      return;
    }
    if (known !== undefined) {
      this.#counts.duplicateRequests++;
      announceDrop(this, from, 'duplicateRequest');
      return;
    }
    if (this.#running >= this.#maxConcurrentRequests) {
      this.#counts.overloadedRequests++;
      announceDrop(this, from, 'overloaded');
      return;
    }
    if (!cache.start(key)) {
      this.#counts.replyCacheFull++;
      announceDrop(this, from, 'replyCacheFull');
      return;
    }
    this.#running++;
    const decoded = this.#decode(envelope.payload, from);
    if (decoded === UNDECODABLE) {
      this.#finish(key, undefined);
      return;
    }
    this.#counts.served++;
    let result: ReturnType<RequestHandler<T>>;
    try {
      result = handler(decoded, from);
    } catch {
      this.#onHandlerFailed(key);
      return;
    }
    if (result instanceof Promise) {
      result.then(
        (reply) => this.#answer(key, request, from, reply),
        () => this.#onHandlerFailed(key),
      );
    } else this.#answer(key, request, from, result);
  }

  #onHandlerFailed(key: string): void {
    this.#counts.handlerErrors++;
    this.#finish(key, undefined);
  }

  /** Ends a handler's run: frees its place among the running ones and records its reply (or none). */
  #finish(key: string, reply: Uint8Array | undefined): void {
    this.#running--;
    this.#cache.complete(key, reply);
  }

  #answer(key: string, request: Uint8Array, to: DatagramSource, message: T | undefined): void {
    if (message === undefined || this.#closed !== undefined) {
      this.#finish(key, undefined);
      return;
    }
    let reply: Uint8Array;
    try {
      reply = encodeReply(request, this.#encode(message));
      assertDatagramSize(reply.byteLength, this.#maxPayload);
    } catch {
      this.#onHandlerFailed(key);
      return;
    }
    if (this.#amplifies(reply, request, to)) {
      this.#finish(key, undefined);
      return;
    }
    this.#finish(key, reply);
    this.#sendReply(reply, to);
  }

  /** Whether `reply` is over `maxAmplification` times `request` (then counted, and not sent). */
  #amplifies(reply: Uint8Array, request: Uint8Array, to: DatagramSource): boolean {
    if (reply.byteLength <= this.#maxAmplification * request.byteLength) return false;
    this.#counts.amplificationRefused++;
    announceDrop(this, to, 'amplification');
    return true;
  }

  readonly #onReplySendFailed = (): void => {
    this.#counts.replySendErrors++;
  };

  /** Sends a reply; a failure is the client's loss like any dropped datagram (it retransmits), and counted. */
  #sendReply(datagram: Uint8Array, to: DatagramSource): void {
    try {
      this.#socket.trySendTo(datagram, to, this.#onReplySendFailed);
    } catch {
      this.#onReplySendFailed();
    }
  }
}

/**
 * Opens a UDP endpoint bound to `options.bind` (default: loopback, a free port).
 *
 * @example
 * ```ts
 * await using server = await udpEndpoint({ bind: { host: '127.0.0.1', port: 0 } });
 * server.serve((request) => request);
 * await using client = await udpEndpoint();
 * const reply = await client.request(new TextEncoder().encode('ping'), server.address);
 * ```
 */
export function udpEndpoint(
  options?: UdpEndpointOptions<Uint8Array> & { readonly codec?: undefined },
): Promise<UdpEndpoint<Uint8Array>>;
export function udpEndpoint<T>(
  options: UdpEndpointOptions<T> & { readonly codec: DatagramCodec<T> },
): Promise<UdpEndpoint<T>>;
export function udpEndpoint<T>(options?: UdpEndpointOptions<T>): Promise<UdpEndpoint<T>> {
  return UdpEndpoint.open(options);
}
