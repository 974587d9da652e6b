import { checkIntegerIn } from '@sockkit/core/internals';
import { MAX_IPV4_PAYLOAD, MAX_IPV6_PAYLOAD } from './constants.js';
import { DatagramTooLargeError } from './errors.js';

/** The socket types an endpoint can be: IPv4 or IPv6 UDP. */
export type UdpType = 'udp4' | 'udp6';

/** The largest UDP payload the IP version allows. */
export function ipPayloadLimit(type: UdpType): number {
  return type === 'udp6' ? MAX_IPV6_PAYLOAD : MAX_IPV4_PAYLOAD;
}

/** Resolves an endpoint's `maxPayload` option against its IP limit; a value above the IP limit is refused. */
export function resolveMaxPayload(type: UdpType, maxPayload: number | undefined): number {
  const limit = ipPayloadLimit(type);
  if (maxPayload === undefined) return limit;
  return checkIntegerIn(
    'options.maxPayload',
    maxPayload,
    0,
    limit,
    `an integer from 0 to ${limit} for ${type}`,
  );
}

/** Throws {@link DatagramTooLargeError} when `size` exceeds `limit`: call it before handing bytes to the kernel. */
export function assertDatagramSize(size: number, limit: number): void {
  if (size > limit) throw new DatagramTooLargeError(size, limit);
}
