// The shared kinds of every sockkit error, so udp users need no second import.
export { ClosedError, SockkitError, TimeoutError } from '@sockkit/core';
export {
  type BackoffOptions,
  DEFAULT_RETRANSMISSION,
  type RetransmissionOptions,
  type RetransmissionPolicy,
  retransmissionSpan,
} from './backoff.js';
export {
  DEFAULT_MAX_AMPLIFICATION,
  DEFAULT_MAX_CONCURRENT_REQUESTS,
  DEFAULT_QUEUE_BYTES,
  DEFAULT_QUEUE_DATAGRAMS,
  MAX_IPV4_PAYLOAD,
  MAX_IPV6_PAYLOAD,
  SAFE_DATAGRAM_SIZE,
} from './constants.js';
export type { DatagramSource, Destination } from './destination.js';
export { UdpEndpoint, udpEndpoint } from './endpoint.js';
export type {
  UdpCachedReplyEvent,
  UdpDropEvent,
  UdpDropReason,
  UdpRequestContext,
  UdpRetransmitEvent,
} from './endpoint-events.js';
export type { Datagram, ReceiveOptions, UdpEndpointOptions, UdpEndpointStats } from './endpoint-types.js';
export {
  DatagramTooLargeError,
  EndpointClosedError,
  InvalidArgumentError,
  InvalidStateError,
  ReceiveTimeoutError,
  RequestTimeoutError,
  type UdpErrorCode,
} from './errors.js';
export type { DatagramCodec } from './payloads.js';
export type { QueueOptions } from './receive-queue.js';
export type { ReplyCacheOptions } from './reply-cache.js';
export type { RequesterStats, RequestOptions } from './requester.js';
export type { RequestHandler, ResponderOptions, ResponderStats } from './responder.js';
export type { UdpType } from './size.js';
