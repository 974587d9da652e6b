import { describe, expect, it } from 'vitest';
import { MAX_IPV4_PAYLOAD, MAX_IPV6_PAYLOAD, SAFE_DATAGRAM_SIZE } from '../src/constants.ts';
import { DatagramTooLargeError, InvalidArgumentError } from '../src/errors.ts';
import { assertDatagramSize, ipPayloadLimit, resolveMaxPayload } from '../src/size.ts';

describe('size limits', () => {
  it('derives the IP limits from the header sizes', () => {
    expect(MAX_IPV4_PAYLOAD).toBe(65_535 - 20 - 8);
    expect(MAX_IPV6_PAYLOAD).toBe(65_535 - 8);
    expect(SAFE_DATAGRAM_SIZE).toBe(1200);
    expect([ipPayloadLimit('udp4'), ipPayloadLimit('udp6')]).toEqual([65_507, 65_527]);
  });

  it('accepts a datagram at the limit and refuses one byte more', () => {
    expect(() => assertDatagramSize(65_507, 65_507)).not.toThrow();
    expect(() => assertDatagramSize(65_508, 65_507)).toThrow(DatagramTooLargeError);
  });

  it('resolves maxPayload within the IP limit', () => {
    expect(resolveMaxPayload('udp4', undefined)).toBe(65_507);
    expect(resolveMaxPayload('udp6', 1200)).toBe(1200);
    expect(() => resolveMaxPayload('udp4', 65_508)).toThrow(InvalidArgumentError);
    expect(() => resolveMaxPayload('udp6', -1)).toThrow(InvalidArgumentError);
  });
});
