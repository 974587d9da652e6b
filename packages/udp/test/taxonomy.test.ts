// One taxonomy across core, framing and udp: every timeout is a TimeoutError, every closed error a
// ClosedError, one class per concept, and each code is in its package's exported union.
import * as core from '@sockkit/core';
import * as framing from '@sockkit/framing';
import { describe, expect, expectTypeOf, it } from 'vitest';
import * as udp from '../src/index.ts';

const timeouts = [
  new core.SocketTimeoutError(),
  new framing.ReadTimeoutError('idle', 5),
  new framing.SendTimeoutError(5),
  new framing.CloseTimeoutError(5),
  new framing.RequestTimeoutError(5),
  new udp.RequestTimeoutError(5, { attempts: 2, to: { host: '::1', port: 9 } }),
  new udp.ReceiveTimeoutError(5),
];
const closed = [
  new core.SocketClosedError(),
  new framing.ChannelClosedError(),
  new udp.EndpointClosedError(),
];

describe('one error taxonomy', () => {
  it.each(timeouts.map((error) => [error.name, error] as const))(
    '%s is a TimeoutError of every copy',
    (_name, error) => {
      expect(error).toBeInstanceOf(core.TimeoutError);
      expect(error).toBeInstanceOf(framing.TimeoutError);
      expect(error).toBeInstanceOf(udp.TimeoutError);
      expect(error).not.toBeInstanceOf(core.ClosedError);
    },
  );

  it.each(closed.map((error) => [error.name, error] as const))('%s is a ClosedError', (_name, error) => {
    expect(error).toBeInstanceOf(core.ClosedError);
    expect(error).not.toBeInstanceOf(core.TimeoutError);
  });

  it('has one class per concept: the request timeout, the invalid argument and the invalid state', () => {
    expect(udp.RequestTimeoutError).toBe(framing.RequestTimeoutError);
    expect(udp.InvalidArgumentError).toBe(core.InvalidArgumentError);
    expect(framing.InvalidArgumentError).toBe(core.InvalidArgumentError);
    expect(udp.InvalidStateError).toBe(core.InvalidStateError);
    expect(new udp.RequestTimeoutError(5).code).toBe('SOCKKIT_ERR_REQUEST_TIMEOUT');
  });

  it('exports the literal union of each package’s codes', () => {
    expectTypeOf(new core.InvalidArgumentError('a', 'b', 1).code).toExtend<core.CoreErrorCode>();
    expectTypeOf(new core.SocketClosedError().code).toExtend<core.CoreErrorCode>();
    expectTypeOf(new framing.SendQueueFullError(1, 1).code).toExtend<framing.FramingErrorCode>();
    expectTypeOf(new framing.FrameTooLargeError(1, 1).code).toExtend<framing.FramingErrorCode>();
    expectTypeOf(new udp.DatagramTooLargeError(1, 1).code).toExtend<udp.UdpErrorCode>();
    expectTypeOf(new udp.EndpointClosedError().code).toExtend<udp.UdpErrorCode>();
    const codes: udp.UdpErrorCode[] = [
      'SOCKKIT_ERR_DATAGRAM_TOO_LARGE',
      'SOCKKIT_ERR_RECEIVE_TIMEOUT',
      'SOCKKIT_ERR_ENDPOINT_CLOSED',
    ];
    expect(codes).toHaveLength(3);
  });
});
