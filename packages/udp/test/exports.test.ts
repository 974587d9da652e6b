import { expect, it } from 'vitest';
import * as udp from '../src/index.ts';

it('exports exactly the public API at runtime (the envelope layout stays internal)', () => {
  expect(Object.keys(udp).sort()).toEqual([
    'ClosedError',
    'DEFAULT_MAX_AMPLIFICATION',
    'DEFAULT_MAX_CONCURRENT_REQUESTS',
    'DEFAULT_QUEUE_BYTES',
    'DEFAULT_QUEUE_DATAGRAMS',
    'DEFAULT_RETRANSMISSION',
    'DatagramTooLargeError',
    'EndpointClosedError',
    'InvalidArgumentError',
    'InvalidStateError',
    'MAX_IPV4_PAYLOAD',
    'MAX_IPV6_PAYLOAD',
    'ReceiveTimeoutError',
    'RequestTimeoutError',
    'SAFE_DATAGRAM_SIZE',
    'SockkitError',
    'TimeoutError',
    'UdpEndpoint',
    'retransmissionSpan',
    'udpEndpoint',
  ]);
});
