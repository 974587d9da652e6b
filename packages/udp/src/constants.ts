/**
 * A payload size that crosses any path without IP fragmentation: QUIC's minimum (RFC 9000,
 * section 14) and close to DNS's EDNS advice. Stay at or below it unless you control the network.
 */
export const SAFE_DATAGRAM_SIZE = 1200;

/** Largest UDP payload over IPv4: 65,535 minus the 20-byte IP header and the 8-byte UDP header. */
export const MAX_IPV4_PAYLOAD = 65_507;

/** Largest UDP payload over IPv6 without jumbograms: 65,535 minus the 8-byte UDP header. */
export const MAX_IPV6_PAYLOAD = 65_527;

/** Default bound of an endpoint's receive queue, in datagrams. */
export const DEFAULT_QUEUE_DATAGRAMS = 1024;

/** Default bound of an endpoint's receive queue, in payload bytes (4 MiB). */
export const DEFAULT_QUEUE_BYTES = 4 * 1024 * 1024;

/** Default amplification factor: a reply is at most this many times the size of its request (RFC 9000, 8.1). */
export const DEFAULT_MAX_AMPLIFICATION = 3;

/** Default bound of `serve` handlers running at once; new requests beyond it are dropped (and counted). */
export const DEFAULT_MAX_CONCURRENT_REQUESTS = 256;
