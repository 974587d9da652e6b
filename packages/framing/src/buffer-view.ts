/**
 * A `Buffer` view made with `new`, without Node's `subarray` (a species lookup, then the
 * `FastBuffer` constructor): cheaper per view on Node 20, and a view per frame is most of what
 * `push()` costs for small frames. Its instances are real Buffers: the prototype chain is
 * Buffer's, so `Buffer.isBuffer`, `instanceof Buffer`, every Buffer method and `util.inspect`
 * behave as for any `Buffer`, and `subarray` (through `Buffer[Symbol.species]`) returns a plain one.
 */
class BufferView extends Uint8Array {}
Object.setPrototypeOf(BufferView.prototype, Buffer.prototype);
// What inspect prints and what equality checks compare: a Buffer, not a subclass of it.
BufferView.prototype.constructor = Buffer;

const BUFFER_PROTOTYPE: object = Buffer.prototype;
const VIEW_PROTOTYPE: object = BufferView.prototype;

/**
 * The bytes `start` to `end` of `bytes`, sharing its memory: a `Buffer` when `bytes` is one (as a
 * socket's chunks are), else what `bytes.subarray` makes (a plain `Uint8Array` stays one). The
 * prototype is compared, not `constructor`: Buffer's prototype is a slow dictionary to look up in.
 */
export function bufferView(bytes: Uint8Array, start: number, end: number): Uint8Array {
  const prototype: unknown = Object.getPrototypeOf(bytes);
  if (prototype !== BUFFER_PROTOTYPE && prototype !== VIEW_PROTOTYPE) return bytes.subarray(start, end);
  // A SharedArrayBuffer is viewed the same way; the types only know the two apart.
  return new BufferView(bytes.buffer as ArrayBuffer, bytes.byteOffset + start, end - start);
}
