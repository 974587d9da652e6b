import { SockkitError } from '@sockkit/core';
import { describe, expect, it } from 'vitest';
import {
  DatagramTooLargeError,
  EndpointClosedError,
  InvalidArgumentError,
  ReceiveTimeoutError,
  RequestTimeoutError,
} from '../src/errors.ts';

const cause = new Error('underlying');

const table = [
  {
    error: new DatagramTooLargeError(70_000, 65_507, { cause }),
    type: DatagramTooLargeError,
    name: 'DatagramTooLargeError',
    code: 'SOCKKIT_ERR_DATAGRAM_TOO_LARGE',
    message: 'Datagram of 70000 bytes exceeds the limit of 65507 bytes',
  },
  {
    error: new RequestTimeoutError(11_625, { attempts: 5, to: { host: '::1', port: 9 }, cause }),
    type: RequestTimeoutError,
    name: 'RequestTimeoutError',
    code: 'SOCKKIT_ERR_REQUEST_TIMEOUT',
    message: 'No reply from [::1]:9 after 5 attempts (11625 ms)',
  },
  {
    error: new ReceiveTimeoutError(250, { cause }),
    type: ReceiveTimeoutError,
    name: 'ReceiveTimeoutError',
    code: 'SOCKKIT_ERR_RECEIVE_TIMEOUT',
    message: 'No datagram received within 250 ms',
  },
  {
    error: new EndpointClosedError(undefined, { cause }),
    type: EndpointClosedError,
    name: 'EndpointClosedError',
    code: 'SOCKKIT_ERR_ENDPOINT_CLOSED',
    message: 'The UDP endpoint is closed',
  },
  {
    error: new InvalidArgumentError('options.retries', 'an integer >= 0', -1, { cause }),
    type: InvalidArgumentError,
    name: 'InvalidArgumentError',
    code: 'SOCKKIT_ERR_INVALID_ARGUMENT',
    message: 'options.retries must be an integer >= 0, got -1',
  },
];

describe('errors', () => {
  it.each(table)(
    '$name has its class, name, code, message and cause',
    ({ error, type, name, code, message }) => {
      expect(error).toBeInstanceOf(type);
      expect(error).toBeInstanceOf(SockkitError);
      expect(error).toBeInstanceOf(Error);
      expect(error.name).toBe(name);
      expect(error.code).toBe(code);
      expect(error.message).toBe(message);
      expect(error.cause).toBe(cause);
      expect(String(error)).toBe(`${name}: ${message}`);
    },
  );

  it('every class has its own brand, so classes do not match each other', () => {
    for (const { error, type } of table) {
      for (const other of table) expect(error instanceof other.type).toBe(other.type === type);
    }
  });

  it('carries the numbers a caller needs', () => {
    const tooLarge = new DatagramTooLargeError(10, 5);
    expect([tooLarge.size, tooLarge.limit]).toEqual([10, 5]);
    expect(new RequestTimeoutError(30, { attempts: 1, to: { host: '127.0.0.1', port: 1 } }).message).toBe(
      'No reply from 127.0.0.1:1 after 1 attempt (30 ms)',
    );
    expect(new InvalidArgumentError('options.queue.maxBytes', 'x', 1).argument).toBe(
      'options.queue.maxBytes',
    );
  });
});
