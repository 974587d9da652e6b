/**
 * Node's own `Buffer` class (`FastBuffer`, what `Buffer.alloc` and `subarray` make), which
 * `Buffer[Symbol.species]` returns. Constructing it directly skips `subarray`'s species lookup and
 * generic typed-array path: cheaper per view on Node 20, where a view per frame is most of what
 * framing's `push()` costs for small frames, and a view per datagram is on udp's request path.
 * Its instances are the same objects `subarray` returns. (A subclass of `Uint8Array` with Buffer's
 * prototype is as fast in a loop, but kept V8 from optimizing framing's receive path: 4-10x
 * slower there.)
 */
const NodeBuffer = (Buffer as unknown as Record<symbol, unknown>)[Symbol.species] as {
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): Buffer;
  new (length: number): Buffer;
};

const BUFFER_PROTOTYPE: object = Buffer.prototype;
/** Whether the species is that class (Node 20-24): else `subarray` does it, not `new Buffer(...)`, which is deprecated. */
const DIRECT =
  typeof NodeBuffer === 'function' && NodeBuffer !== Buffer && NodeBuffer.prototype === BUFFER_PROTOTYPE;

/**
 * The bytes `start` to `end` of `bytes`, sharing its memory: a `Buffer` when `bytes` is one (as a
 * socket's chunks are), else what `bytes.subarray` makes (a plain `Uint8Array` stays one). The
 * prototype is compared, not `constructor`: Buffer's prototype is a slow dictionary to look up in.
 */
export function bufferView(bytes: Uint8Array, start: number, end: number): Uint8Array {
  if (!DIRECT || Object.getPrototypeOf(bytes) !== BUFFER_PROTOTYPE) return bytes.subarray(start, end);
  return new NodeBuffer(bytes.buffer, bytes.byteOffset + start, end - start);
}

/**
 * A zero-filled `Buffer` of `length` bytes on V8's heap, for the few bytes of a tiny frame that
 * arrived in pieces: as cheap as a `Uint8Array` of that size, and a `Buffer` like the frames
 * that arrived whole.
 */
export function smallBuffer(length: number): Uint8Array {
  return DIRECT ? new NodeBuffer(length) : Buffer.alloc(length);
}
