import type { DatagramSocket } from '@sockkit/core';
import { checkFunction, checkNumberIn, checkPositiveInteger, trySendChecked } from '@sockkit/core/internals';
import { DEFAULT_MAX_AMPLIFICATION, DEFAULT_MAX_CONCURRENT_REQUESTS } from './constants.js';
import type { DatagramSource } from './destination.js';
import type { UdpEndpoint } from './endpoint.js';
import { announceCachedReply, announceDrop } from './endpoint-events.js';
import { encodeReply, envelopePayload, requestId, requestKey, requestKeyCheck } from './envelope.js';
import { InvalidStateError } from './errors.js';
import { type Payloads, UNDECODABLE } from './payloads.js';
import { ReplyCache, type ReplyCacheOptions } from './reply-cache.js';
import { assertDatagramSize } from './size.js';

/** Answers one request: the reply, or `undefined` to send none. Throwing sends none and is counted. `from` is frozen. */
export type RequestHandler<T> = (message: T, from: DatagramSource) => T | undefined | Promise<T | undefined>;

/** The limits of `serve`, part of {@link UdpEndpointOptions}. */
export interface ResponderOptions {
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

/** The serving side's counters in {@link UdpEndpointStats}. */
export interface ResponderStats {
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
}

/**
 * The server half of an endpoint: runs the `serve` handler at most once per request (by sender
 * and id) through the reply cache, within a concurrency limit, and sends replies that pass the
 * amplification check.
 */
export class Responder<T> {
  readonly #endpoint: UdpEndpoint<T>;
  readonly #socket: DatagramSocket;
  readonly #payloads: Payloads<T>;
  readonly #maxPayload: number;
  readonly #cache: ReplyCache<number>;
  readonly #maxAmplification: number;
  readonly #maxConcurrentRequests: number;
  /** Handlers running now. */
  #running = 0;
  #handler: RequestHandler<T> | undefined;
  #closed = false;
  #counts = {
    served: 0,
    cachedReplies: 0,
    duplicateRequests: 0,
    handlerErrors: 0,
    amplificationRefused: 0,
    overloadedRequests: 0,
    replyCacheFull: 0,
    replySendErrors: 0,
  };

  constructor(
    endpoint: UdpEndpoint<T>,
    socket: DatagramSocket,
    payloads: Payloads<T>,
    maxPayload: number,
    options: ResponderOptions,
  ) {
    this.#endpoint = endpoint;
    this.#socket = socket;
    this.#payloads = payloads;
    this.#maxPayload = maxPayload;
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
  }

  get stats(): ResponderStats {
    return { ...this.#counts, replyCacheEvictions: this.#cache.evictions };
  }

  /** Whether a handler is installed: from then on, request envelopes are requests, not datagrams. */
  get serving(): boolean {
    return this.#handler !== undefined;
  }

  /** `UdpEndpoint.serve` once the endpoint is known to be open. */
  serve(handler: RequestHandler<T>): void {
    checkFunction('handler', handler);
    if (this.#handler !== undefined) throw new InvalidStateError('this endpoint already serves a handler');
    this.#handler = handler;
  }

  /** Replies computed after this are not sent, and the cache forgets everything (the endpoint closed). */
  close(): void {
    this.#closed = true;
    this.#cache.clear();
  }

  /** A request envelope (`request` is its whole datagram) from `from`; only called while serving. */
  onRequest(request: Uint8Array, from: DatagramSource): void {
    const cache = this.#cache;
    const key = requestKey(request);
    const check = requestKeyCheck(request);
    // One clock read for the lookup and the new entry.
    const now = cache.now();
    const known = cache.find(key, from.host, from.port, check, now);
    if (known?.state === 'answered') {
      // Checked against this datagram, not the first: a short copy of a big request's id must not
      // draw the big reply again and again (the cache is keyed by id, not by payload).
      if (this.#amplifies(known.reply, request, from)) return;
      this.#counts.cachedReplies++;
      announceCachedReply(this.#endpoint, from, requestId(request));
      this.#sendReply(known.reply, from);
      return;
    }
    if (known !== undefined) {
      this.#counts.duplicateRequests++;
      announceDrop(this.#endpoint, from, 'duplicateRequest');
      return;
    }
    if (this.#running >= this.#maxConcurrentRequests) {
      this.#counts.overloadedRequests++;
      announceDrop(this.#endpoint, from, 'overloaded');
      return;
    }
    if (!cache.start(key, from.host, from.port, check, now)) {
      this.#counts.replyCacheFull++;
      announceDrop(this.#endpoint, from, 'replyCacheFull');
      return;
    }
    this.#running++;
    const decoded = this.#payloads.decode(envelopePayload(request), from);
    if (decoded === UNDECODABLE) {
      this.#finish(request, from, undefined);
      return;
    }
    this.#counts.served++;
    let result: ReturnType<RequestHandler<T>>;
    try {
      // The cache entry and the reply use this address: frozen, a handler cannot redirect them.
      result = this.#handler!(decoded, Object.freeze(from));
    } catch {
      this.#onHandlerFailed(request, from);
      return;
    }
    if (result instanceof Promise) {
      result.then(
        (reply) => this.#answer(request, from, reply),
        () => this.#onHandlerFailed(request, from),
      );
    } else this.#answer(request, from, result);
  }

  #onHandlerFailed(request: Uint8Array, from: DatagramSource): void {
    this.#counts.handlerErrors++;
    this.#finish(request, from, undefined);
  }

  /** Ends a handler's run: frees its place among the running ones and records its reply (or none). */
  #finish(request: Uint8Array, from: DatagramSource, reply: Uint8Array | undefined): void {
    this.#running--;
    this.#cache.complete(requestKey(request), reply, from.host, from.port, requestKeyCheck(request));
  }

  #answer(request: Uint8Array, to: DatagramSource, message: T | undefined): void {
    if (message === undefined || this.#closed) {
      this.#finish(request, to, undefined);
      return;
    }
    let reply: Uint8Array;
    try {
      reply = encodeReply(request, this.#payloads.encode(message));
      assertDatagramSize(reply.length, this.#maxPayload);
    } catch {
      this.#onHandlerFailed(request, to);
      return;
    }
    if (this.#amplifies(reply, request, to)) {
      this.#finish(request, to, undefined);
      return;
    }
    this.#finish(request, to, reply);
    this.#sendReply(reply, to);
  }

  /** Whether `reply` is over `maxAmplification` times `request` (then counted, and not sent). */
  #amplifies(reply: Uint8Array, request: Uint8Array, to: DatagramSource): boolean {
    if (reply.length <= this.#maxAmplification * request.length) return false;
    this.#counts.amplificationRefused++;
    announceDrop(this.#endpoint, to, 'amplification');
    return true;
  }

  readonly #onReplySendFailed = (): void => {
    this.#counts.replySendErrors++;
  };

  /** Sends a reply; a failure is the client's loss like any dropped datagram (it retransmits), and counted. */
  #sendReply(datagram: Uint8Array, to: DatagramSource): void {
    try {
      // A reply within maxPayload, to a sender as the socket reported it.
      trySendChecked(this.#socket, datagram, to, this.#onReplySendFailed, undefined);
    } catch {
      this.#onReplySendFailed();
    }
  }
}
