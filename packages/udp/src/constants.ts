/**
 * A payload size that crosses any path without IP fragmentation: QUIC's minimum (RFC 9000,
 * section 14) and close to DNS's EDNS advice. Stay at or below it unless you control the network.
 */
export const SAFE_DATAGRAM_SIZE = 1200;

/** The largest UDP payloads over IPv4 (65,507) and IPv6 (65,527), as `@sockkit/core` checks them. */
export { MAX_IPV4_PAYLOAD, MAX_IPV6_PAYLOAD } from '@sockkit/core';

/** Default bound of an endpoint's receive queue, in datagrams. */
export const DEFAULT_QUEUE_DATAGRAMS = 1024;

/** Default bound of an endpoint's receive queue, in payload bytes (4 MiB). */
export const DEFAULT_QUEUE_BYTES = 4 * 1024 * 1024;

/** Default amplification factor: a reply is at most this many times the size of its request (RFC 9000, 8.1). */
export const DEFAULT_MAX_AMPLIFICATION = 3;

/** Default bound of `serve` handlers running at once; new requests beyond it are dropped (and counted). */
export const DEFAULT_MAX_CONCURRENT_REQUESTS = 256;
