/** The endpoint's public shapes: its options, what it receives, and its counters. */
import type { RetransmissionOptions } from './backoff.js';
import type { DatagramSource } from './destination.js';
import type { ReceiveTimeoutError } from './errors.js';
import type { DatagramCodec } from './payloads.js';
import type { QueueOptions } from './receive-queue.js';
import type { RequesterStats } from './requester.js';
import type { ResponderOptions, ResponderStats } from './responder.js';
import type { UdpType } from './size.js';

/** A received datagram and its sender. */
export interface Datagram<T> {
  readonly data: T;
  readonly from: DatagramSource;
}

/** Options of {@link udpEndpoint}. */
export interface UdpEndpointOptions<T> extends ResponderOptions {
  /** `'udp4'` (default) or `'udp6'`. */
  readonly type?: UdpType;
  /**
   * Local address. Default: loopback (`127.0.0.1` or `::1`) on a free port; give `'0.0.0.0'` or
   * `'::'` to receive from the network (a `serve()`ing endpoint on a host with several addresses:
   * bind each address, as replies leave from the address the kernel picks). `reuseAddress` lets
   * several sockets share a multicast port.
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
}

/** Options of `recv`. */
export interface ReceiveOptions {
  /** Milliseconds to wait before {@link ReceiveTimeoutError}; `null` (default) waits forever. */
  readonly timeout?: number | null;
  readonly signal?: AbortSignal;
}

/** Counters of an endpoint (a snapshot). Nothing is dropped without being counted here. */
export interface UdpEndpointStats extends RequesterStats, ResponderStats {
  /** Datagrams read from the socket. */
  readonly received: number;
  /** Datagrams waiting in the receive queue now. */
  readonly queued: number;
  /** Datagrams dropped because the receive queue was full, and their bytes. */
  readonly queueDropped: number;
  readonly queueDroppedBytes: number;
  /**
   * Datagrams dropped by the socket layer below the endpoint: always 0, since datagrams go from
   * the socket straight to the endpoint, whose queue counts every drop (`queueDropped`).
   */
  readonly socketDropped: number;
  /** Payloads the codec could not decode or validate. */
  readonly decodeErrors: number;
  /** Errors the socket reported on the receive side (e.g. an ICMP error), which concern no one datagram. */
  readonly socketErrors: number;
}

/** Every key of {@link UdpEndpointOptions}, for the unknown-option check. */
export const endpointOptionNames: readonly (keyof UdpEndpointOptions<unknown>)[] = [
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
