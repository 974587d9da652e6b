import { describe, expect, it } from 'vitest';
import { RequestIdSource } from '../src/correlation.ts';
import {
  ENVELOPE_HEADER_SIZE,
  encodeReply,
  encodeRequest,
  envelopeKind,
  envelopePayload,
  requestId,
  requestKey,
  requestKeyCheck,
} from '../src/envelope.ts';

/** A datagram's envelope read field by field, as the endpoint does; `undefined` for any other datagram. */
function readEnvelope(datagram: Uint8Array) {
  const kind = envelopeKind(datagram);
  if (kind === undefined) return undefined;
  return { kind, id: requestId(datagram), payload: envelopePayload(datagram) };
}

const bytes = (...values: number[]) => Uint8Array.from(values);

describe('envelope', () => {
  it('lays out magic, kind and id before the payload', () => {
    const request = encodeRequest(new RequestIdSource(), bytes(7, 8));
    expect(request.byteLength).toBe(ENVELOPE_HEADER_SIZE + 2);
    expect([...request.subarray(0, 3)]).toEqual([0xd5, 0x4b, 0x01]);
    expect([...request.subarray(11)]).toEqual([7, 8]);
    const parsed = readEnvelope(request);
    if (parsed === undefined) throw new Error('not an envelope');
    expect(parsed.kind).toBe(1);
    expect(parsed.id).toBe(String.fromCharCode(...request.subarray(3, 11)));
    expect([...parsed.payload]).toEqual([7, 8]);
  });

  it('answers a request with its id and kind reply', () => {
    const request = encodeRequest(new RequestIdSource(), bytes(1));
    const reply = encodeReply(request, bytes(2, 3, 4));
    expect([...reply.subarray(0, 3)]).toEqual([0xd5, 0x4b, 0x02]);
    expect(reply.subarray(3, 11)).toEqual(request.subarray(3, 11));
    const parsed = readEnvelope(reply);
    expect(parsed).toMatchObject({ kind: 2, id: (readEnvelope(request) as { id: string }).id });
  });

  it('carries an empty payload', () => {
    const parsed = readEnvelope(encodeRequest(new RequestIdSource(), new Uint8Array(0)));
    expect(parsed).toMatchObject({ kind: 1 });
    expect((parsed as { payload: Uint8Array }).payload.byteLength).toBe(0);
  });

  it('draws distinct random ids, past the end of one pool', () => {
    const ids = new RequestIdSource();
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) seen.add((readEnvelope(encodeRequest(ids, bytes())) as { id: string }).id);
    expect(seen.size).toBe(2000);
  });

  it.each([
    ['empty', bytes()],
    ['text', new TextEncoder().encode('hello, world')],
    ['another magic', bytes(0xd5, 0x4c, 1, 0, 0, 0, 0, 0, 0, 0, 0)],
    ['the magic alone', bytes(0xd5, 0x4b)],
    ['a header one byte short', bytes(0xd5, 0x4b, 1, 0, 0, 0, 0, 0, 0, 0)],
    ['an unknown kind', bytes(0xd5, 0x4b, 3, 0, 0, 0, 0, 0, 0, 0, 0)],
  ])('reads no envelope in %s', (_, datagram) => {
    expect(readEnvelope(datagram)).toBeUndefined();
  });

  it('splits an id into a small-integer key and a check that together hold all 64 bits', () => {
    const max = bytes(0xd5, 0x4b, 1, 255, 255, 255, 255, 255, 255, 255, 255);
    expect([requestKey(max), requestKeyCheck(max)]).toEqual([2 ** 30 - 1, 2 ** 34 - 1]);
    for (let bit = 0; bit < 64; bit++) {
      const datagram = bytes(0xd5, 0x4b, 1, 0, 0, 0, 0, 0, 0, 0, 0);
      datagram[3 + (bit >> 3)] = 0x80 >> (bit & 7);
      const expected = bit < 30 ? [2 ** (29 - bit), 0] : [0, 2 ** (63 - bit)];
      expect([requestKey(datagram), requestKeyCheck(datagram)]).toEqual(expected);
    }
  });
});
