import { SockkitError } from '@sockkit/core';
import { describe, expect, it } from 'vitest';
import {
  DatagramTooLargeError,
  EndpointClosedError,
  InvalidOptionError,
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
    error: new RequestTimeoutError({ host: '::1', port: 9 }, 5, { cause }),
    type: RequestTimeoutError,
    name: 'RequestTimeoutError',
    code: 'SOCKKIT_ERR_UDP_REQUEST_TIMEOUT',
    message: 'No reply from [::1]:9 after 5 attempts',
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
    error: new InvalidOptionError('retries', 'an integer >= 0', -1, { cause }),
    type: InvalidOptionError,
    name: 'InvalidOptionError',
    code: 'SOCKKIT_ERR_INVALID_OPTION',
    message: 'Option retries must be an integer >= 0, got -1',
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
    expect(new RequestTimeoutError({ host: '127.0.0.1', port: 1 }, 1).message).toBe(
      'No reply from 127.0.0.1:1 after 1 attempt',
    );
    expect(new InvalidOptionError('queue.maxBytes', 'x', 1).option).toBe('queue.maxBytes');
  });
});
