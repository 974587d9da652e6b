import { bufferView } from '@sockkit/core/internals';
import { REQUEST_ID_BYTES, type RequestIdSource } from './correlation.js';

/**
 * The request/reply envelope: 11 bytes before the payload, in network byte order.
 *
 * ```text
 * offset  size  field
 *      0     2  magic 0xD5 0x4B
 *      2     1  kind: 0x01 request, 0x02 reply
 *      3     8  request id (random, opaque; a reply echoes its request's)
 *     11     n  payload (raw bytes, or one codec message)
 * ```
 * Python: `struct.pack('!BBB8s', 0xD5, 0x4B, kind, request_id) + payload`.
 *
 * 0xD5 0x4B is never the start of UTF-8 text (0xD5 needs a continuation byte 0x80-0xBF) nor of a
 * MessagePack message at least 11 bytes long (0xD5 is a 4-byte fixext), so plain text and codec
 * datagrams are never mistaken for an envelope. Raw bytes can be: that is why an endpoint reads
 * request envelopes only while it serves, and reply envelopes only once it has sent a request.
 */
export const ENVELOPE_HEADER_SIZE = 3 + REQUEST_ID_BYTES;

const MAGIC_0 = 0xd5;
const MAGIC_1 = 0x4b;

/** The kinds of envelope. */
export const EnvelopeKind = Object.freeze({ request: 0x01, reply: 0x02 } as const);
export type EnvelopeKind = (typeof EnvelopeKind)[keyof typeof EnvelopeKind];

/**
 * The kind of a datagram with the magic, a known kind and a whole header; `undefined` for any
 * other datagram (whether it is then an ordinary datagram is the endpoint's call). The endpoint's
 * hot path: no object per datagram.
 */
export function envelopeKind(datagram: Uint8Array): EnvelopeKind | undefined {
  if (datagram.length < ENVELOPE_HEADER_SIZE || datagram[0] !== MAGIC_0 || datagram[1] !== MAGIC_1) {
    return undefined;
  }
  const kind = datagram[2];
  return kind === EnvelopeKind.request || kind === EnvelopeKind.reply ? kind : undefined;
}

/** The payload of an envelope datagram: a view, not a copy (a Buffer when the datagram is one). */
export function envelopePayload(datagram: Uint8Array): Uint8Array {
  return bufferView(datagram, ENVELOPE_HEADER_SIZE, datagram.length);
}

/** The id of an envelope datagram as a map key (the bytes at offset 3 as char codes). */
export function requestId(datagram: Uint8Array): string {
  const d = datagram;
  return String.fromCharCode(d[3]!, d[4]!, d[5]!, d[6]!, d[7]!, d[8]!, d[9]!, d[10]!);
}

/**
 * 30 bits of the id of an envelope datagram as a small integer: a map key that costs no
 * allocation (V8 keeps integers below 2^30 unboxed). {@link requestKeyCheck} holds the other 34 bits.
 */
export function requestKey(d: Uint8Array): number {
  return (d[3]! << 22) | (d[4]! << 14) | (d[5]! << 6) | (d[6]! >>> 2);
}

/** The 34 bits of the id that {@link requestKey} leaves out, as one number (exact below 2^53). */
export function requestKeyCheck(d: Uint8Array): number {
  return (d[6]! & 3) * 0x1_0000_0000 + (((d[7]! << 24) | (d[8]! << 16) | (d[9]! << 8) | d[10]!) >>> 0);
}

/**
 * Memory for a datagram that the caller overwrites entirely. `Buffer.allocUnsafe` carves small
 * sizes out of a shared 8 KiB pool: a fresh `Uint8Array` above 64 bytes costs a backing-store
 * allocation of its own, which showed up as garbage-collection time on the request path.
 */
const allocate = (size: number): Uint8Array => Buffer.allocUnsafe(size);

/** A request envelope around `payload` with a fresh id from `ids`. */
export function encodeRequest(ids: RequestIdSource, payload: Uint8Array): Uint8Array {
  const datagram = allocate(ENVELOPE_HEADER_SIZE + payload.length);
  datagram[0] = MAGIC_0;
  datagram[1] = MAGIC_1;
  datagram[2] = EnvelopeKind.request;
  ids.writeNext(datagram, 3);
  datagram.set(payload, ENVELOPE_HEADER_SIZE);
  return datagram;
}

/** The reply envelope to `request` (a request datagram): same id, kind reply. */
export function encodeReply(request: Uint8Array, payload: Uint8Array): Uint8Array {
  const datagram = allocate(ENVELOPE_HEADER_SIZE + payload.length);
  // Byte by byte: a subarray view of 11 bytes would cost more than copying them.
  for (let i = 0; i < ENVELOPE_HEADER_SIZE; i++) datagram[i] = request[i]!;
  datagram[2] = EnvelopeKind.reply;
  datagram.set(payload, ENVELOPE_HEADER_SIZE);
  return datagram;
}
