/**
 * Udp's documented `diagnostics_channel` channels and `NODE_DEBUG=sockkit:udp` lines. Every drop
 * has a reason named after the `stats` counter it increments; payloads never hold datagram bytes.
 */
import { eventChannel, operationChannel, packageDebugLog } from '@sockkit/core/internals';
import type { DatagramSource, Destination } from './destination.js';
import type { UdpEndpoint } from './endpoint.js';
import type { Settlement } from './settled-requests.js';

/** Udp's debug logger: `NODE_DEBUG=sockkit` or `NODE_DEBUG=sockkit:udp`; `undefined` when off. */
export const log = packageDebugLog('udp');

/** Context of the `sockkit:udp:request` TracingChannel around `request()`. */
export interface UdpRequestContext {
  readonly endpoint: UdpEndpoint<unknown>;
  /** The destination given to `request`, as given. */
  readonly to: Destination;
  /** Set by the TracingChannel on `error` (`RequestTimeoutError` ...). */
  error?: unknown;
}

/** Payload of `sockkit:udp:retransmit`: a request had no reply in time and is sent again. */
export interface UdpRetransmitEvent {
  readonly endpoint: UdpEndpoint<unknown>;
  readonly to: Destination;
  /** The request id in the envelope (hex). */
  readonly id: string;
  /** 1 for the first retransmission. */
  readonly attempt: number;
}

/** Payload of `sockkit:udp:cachedReply`: a retransmitted request was answered from the reply cache. */
export interface UdpCachedReplyEvent {
  readonly endpoint: UdpEndpoint<unknown>;
  readonly to: DatagramSource;
  /** The request id in the envelope (hex). */
  readonly id: string;
}

/**
 * Why a received datagram was dropped, and the `stats` counter it is counted in: `queueFull`
 * (`queueDropped`), `decodeError` (`decodeErrors`), `duplicateReply`, `lateReply`,
 * `unmatchedReply`, `spoofedReply` (their `…Replies`), `duplicateRequest` (`duplicateRequests`),
 * `overloaded` (`overloadedRequests`), `replyCacheFull`, `amplification` (`amplificationRefused`).
 */
export type UdpDropReason =
  | 'queueFull'
  | 'decodeError'
  | 'duplicateReply'
  | 'lateReply'
  | 'unmatchedReply'
  | 'spoofedReply'
  | 'duplicateRequest'
  | 'overloaded'
  | 'replyCacheFull'
  | 'amplification';

/** Payload of `sockkit:udp:drop`. */
export interface UdpDropEvent {
  readonly endpoint: UdpEndpoint<unknown>;
  readonly from: DatagramSource;
  readonly reason: UdpDropReason;
}

export const requestChannel = operationChannel<UdpRequestContext>('sockkit:udp:request');
const retransmitChannel = eventChannel<UdpRetransmitEvent>('sockkit:udp:retransmit');
const cachedReplyChannel = eventChannel<UdpCachedReplyEvent>('sockkit:udp:cachedReply');
const dropChannel = eventChannel<UdpDropEvent>('sockkit:udp:drop');

/** The drop reason of a reply with no pending request, by how its request ended (if remembered). */
export function replyDropReason(settlement: Settlement | undefined): UdpDropReason {
  if (settlement === 'answered') return 'duplicateReply';
  return settlement === 'abandoned' ? 'lateReply' : 'unmatchedReply';
}

type AnyEndpoint = UdpEndpoint<unknown>;
/** A request id (8 bytes as char codes, see `requestId`) in hex. */
const hex = (id: string) => Buffer.from(id, 'latin1').toString('hex');
/** Subscribers see endpoints of every message type; `UdpEndpoint<T>` is invariant in `T`. */
const anyEndpoint = <T>(endpoint: UdpEndpoint<T>) => endpoint as unknown as AnyEndpoint;

/** The context of one traced `request()`. */
export function requestContext<T>(endpoint: UdpEndpoint<T>, to: Destination): UdpRequestContext {
  return { endpoint: anyEndpoint(endpoint), to };
}
const format = (address: Destination) =>
  address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;

export function announceRetransmit<T>(
  endpoint: UdpEndpoint<T>,
  to: Destination,
  id: string,
  attempt: number,
): void {
  log?.('retransmit request %s to %s (attempt %d)', hex(id), format(to), attempt + 1);
  if (retransmitChannel.hasSubscribers)
    retransmitChannel.publish({ endpoint: anyEndpoint(endpoint), to, id: hex(id), attempt });
}

/** A request gave up (its span's `error` carries the `RequestTimeoutError`). */
export function logTimeout(id: string, to: Destination, attempts: number): void {
  log?.('request %s to %s timed out after %d attempts', hex(id), format(to), attempts);
}

export function announceCachedReply<T>(endpoint: UdpEndpoint<T>, to: DatagramSource, id: string): void {
  log?.('answer request %s from %s from the reply cache', hex(id), format(to));
  if (cachedReplyChannel.hasSubscribers)
    cachedReplyChannel.publish({ endpoint: anyEndpoint(endpoint), to, id: hex(id) });
}

export function announceDrop<T>(endpoint: UdpEndpoint<T>, from: DatagramSource, reason: UdpDropReason): void {
  log?.('drop datagram from %s: %s', format(from), reason);
  if (dropChannel.hasSubscribers) dropChannel.publish({ endpoint: anyEndpoint(endpoint), from, reason });
}
