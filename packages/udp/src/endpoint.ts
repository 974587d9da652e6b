import type { RemoteInfo } from 'node:dgram';
import { AF_INET, AF_INET6, DatagramSocket } from '@sockkit/core';
import {
  checkBoolean,
  checkOneOf,
  checkOptions,
  checkSignal,
  checkTimeout,
  onDatagrams,
  traced,
} from '@sockkit/core/internals';
import { checkRetransmission } from './backoff.js';
import { DEFAULT_QUEUE_BYTES, DEFAULT_QUEUE_DATAGRAMS } from './constants.js';
import {
  checkDestination,
  type DatagramSource,
  type Destination,
  HostResolver,
  sourceOf,
} from './destination.js';
import { announceDrop, requestChannel, requestContext } from './endpoint-events.js';
import {
  type Datagram,
  endpointOptionNames,
  type ReceiveOptions,
  type UdpEndpointOptions,
  type UdpEndpointStats,
} from './endpoint-types.js';
import { EnvelopeKind, envelopeKind } from './envelope.js';
import { EndpointClosedError } from './errors.js';
import { type DatagramCodec, Payloads, UNDECODABLE } from './payloads.js';
import { ReceiveQueue } from './receive-queue.js';
import { Requester, type RequestOptions } from './requester.js';
import { type RequestHandler, Responder } from './responder.js';
import { assertDatagramSize, resolveMaxPayload, type UdpType } from './size.js';

/**
 * A UDP endpoint: datagrams in a bounded queue, request/response with retransmission and source
 * checks, a server with a reply cache, broadcast and multicast. Create it with {@link udpEndpoint}.
 *
 * It binds the socket and routes each datagram it reads: replies to its {@link Requester},
 * requests to its {@link Responder}, the rest to the receive queue.
 */
export class UdpEndpoint<T = Uint8Array> implements AsyncDisposable, AsyncIterable<Datagram<T>> {
  readonly #socket: DatagramSocket;
  #address: DatagramSource | undefined;
  readonly #payloads: Payloads<T>;
  readonly #hosts: HostResolver;
  readonly #maxPayload: number;
  readonly #queue: ReceiveQueue<Datagram<Uint8Array>>;
  readonly #requester: Requester<T>;
  readonly #responder: Responder<T>;
  #closed: EndpointClosedError | undefined;
  #received = 0;
  #socketErrors = 0;

  /** `options` were checked by {@link UdpEndpoint.open} (known keys, `type`). */
  private constructor(type: UdpType, options: UdpEndpointOptions<T>) {
    this.#payloads = new Payloads(options.codec, (from) => announceDrop(this, from, 'decodeError'));
    this.#hosts = new HostResolver(type);
    this.#maxPayload = resolveMaxPayload(type, options.maxPayload);
    const { maxDatagrams = DEFAULT_QUEUE_DATAGRAMS, maxBytes = DEFAULT_QUEUE_BYTES } = checkOptions(
      'options.queue',
      options.queue,
      ['maxDatagrams', 'maxBytes'],
    );
    this.#queue = new ReceiveQueue(maxDatagrams, maxBytes);
    const retransmission = checkRetransmission('options.retransmission', options.retransmission);
    this.#socket = new DatagramSocket(type === 'udp6' ? AF_INET6 : AF_INET);
    // Every datagram comes straight here, past the socket's own queue (see #onDatagram).
    onDatagrams(this.#socket, {
      datagram: (data, from) => this.#onDatagram(data, from),
      // A socket error (e.g. ICMP-reported) that concerns no one datagram: counted.
      error: () => this.#socketErrors++,
    });
    this.#responder = new Responder(this, this.#socket, this.#payloads, this.#maxPayload, options);
    this.#requester = new Requester(
      this,
      this.#socket,
      this.#payloads,
      this.#hosts,
      this.#maxPayload,
      retransmission,
    );
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
    return endpoint;
  }

  /**
   * Routes each datagram as the socket receives it (replies to pending requests, requests to the
   * handler, the rest to the receive queue), so replies are never stuck behind datagrams the
   * application has not read yet. No tuple, queue hop or promise per datagram.
   */
  #onDatagram(data: Buffer, from: RemoteInfo): void {
    this.#received++;
    // An envelope is read only where it is meant: a request by a serving endpoint, a reply by
    // one that has sent requests. Every other datagram, magic or not, is the application's.
    const kind = envelopeKind(data);
    if (kind === EnvelopeKind.request && this.#responder.serving) {
      this.#responder.onRequest(data, sourceOf(from));
    } else if (kind === EnvelopeKind.reply && this.#requester.active) {
      this.#requester.onReply(data, from);
    } else {
      const source = sourceOf(from);
      if (!this.#queue.push({ data, from: source }, data.length)) announceDrop(this, source, 'queueFull');
    }
  }

  /** The local address the endpoint is bound to. */
  get address(): DatagramSource {
    return this.#address!;
  }

  /** A snapshot of the endpoint's counters. */
  get stats(): UdpEndpointStats {
    return {
      received: this.#received,
      decodeErrors: this.#payloads.decodeErrors,
      socketErrors: this.#socketErrors,
      ...this.#requester.stats,
      ...this.#responder.stats,
      queued: this.#queue.length,
      queueDropped: this.#queue.dropped,
      queueDroppedBytes: this.#queue.droppedBytes,
      socketDropped: this.#socket.stats.dropped,
    };
  }

  /**
   * Sends one datagram (`sendto`). Resolves once the kernel has it; that is no promise of delivery.
   * @throws {DatagramTooLargeError} above `maxPayload`, before anything is sent.
   */
  async send(message: T, to: Destination): Promise<void> {
    this.#checkOpen();
    checkDestination(to);
    const data = this.#payloads.encode(message);
    assertDatagramSize(data.length, this.#maxPayload);
    let host = this.#hosts.canonicalLiteral(to.host);
    if (host === undefined) {
      host = await this.#hosts.resolve(to.host);
      this.#checkOpen(); // closed while the name resolved
    }
    await this.#socket.sendTo(data, { host, port: to.port });
  }

  /**
   * Receives the next datagram (`recvfrom`) from the queue, waiting if it is empty. With a codec,
   * datagrams that fail to decode are counted in `stats.decodeErrors` and skipped.
   * @throws {ReceiveTimeoutError} after `timeout` ms; the endpoint stays usable.
   * @throws {EndpointClosedError} once the endpoint is closed and the datagrams it had received
   * before are read.
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
    if (this.#payloads.raw) return this.#queue.next(timeout, signal) as Promise<Datagram<T>>;
    return this.#recvDecoded(timeout, signal);
  }

  async #recvDecoded(timeout: number | null, signal: AbortSignal | undefined): Promise<Datagram<T>> {
    // One deadline for the whole call, so a stream of undecodable datagrams cannot extend it.
    const deadline = timeout === null ? null : performance.now() + timeout;
    for (;;) {
      const remaining = deadline === null ? null : Math.max(0, deadline - performance.now());
      const datagram = await this.#queue.next(remaining, signal, timeout);
      const decoded = this.#payloads.decode(datagram.data, datagram.from);
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
    const received = this.#queue.iterator();
    if (this.#payloads.raw) return received as AsyncIterator<Datagram<T>, undefined>;
    const payloads = this.#payloads;
    return {
      async next(): Promise<IteratorResult<Datagram<T>, undefined>> {
        for (;;) {
          const result = await received.next();
          if (result.done) return result;
          const { data, from } = result.value;
          const decoded = payloads.decode(data, from);
          if (decoded !== UNDECODABLE) return { done: false, value: { data: decoded, from } };
        }
      },
      return: () => received.return(),
    };
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
    // traced() would cost two closures per request for nobody.
    if (!requestChannel.hasSubscribers) return this.#request(message, to, options);
    return traced(
      requestChannel,
      () => requestContext(this, to),
      () => this.#request(message, to, options),
    );
  }

  #request(message: T, to: Destination, options: RequestOptions | undefined): Promise<T> {
    return this.#closed === undefined
      ? this.#requester.request(message, to, options)
      : Promise.reject(new EndpointClosedError());
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
    this.#responder.serve(handler);
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
    this.#requester.close(this.#closed);
    this.#queue.close(this.#closed);
    this.#responder.close();
    await this.#socket.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #checkOpen(): void {
    if (this.#closed !== undefined) throw new EndpointClosedError();
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
