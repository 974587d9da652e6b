import { MessageEncodeError } from './errors.js';
import { checkBigInt, checkEncodedKey, deeper, isPlainObject, unencodable } from './plain-values.js';

/**
 * Size of each buffer messages are written into. Messages are handed out as views of it, one
 * after another, so they cost no allocation of their own (msgpackr does the same). At 8 KiB,
 * messages with a 4 KiB bin field were 0.6x as fast as msgpackr: a buffer per message or two.
 */
const BUFFER_SIZE = 64 * 1024;
/** Room checked once per value: the largest scalar (9 bytes) or container header (5 bytes) fits. */
const VALUE_ROOM = 16;
/** Strings up to this many UTF-16 units are encoded in JS: cheaper than a call into Buffer#write. */
const SHORT_STRING = 64;

const TWO_POW_32 = 0x1_0000_0000;
const UINT32_MAX_BIG = 0xffff_ffffn;
const INT32_MIN_BIG = -0x8000_0000n;

/**
 * Writes plain MessagePack the way Python's `msgpack.packb` does, so a Python peer reads back
 * the same types and writes the same bytes: every integer in the smallest form that holds it
 * (unsigned forms for positive values, 64-bit ones beyond 32 bits), other numbers and `-0` as
 * float 64, strings as UTF-8 in the shortest str form, `Uint8Array` as bin, arrays, plain
 * objects and `Map`s as maps. msgpackr cannot be told to do this: it writes whole numbers
 * beyond 32 bits as float 64, `-0` as integer 0 and positive bigints as signed int 64.
 *
 * Undefined properties are left out and undefined items written as nil, as other MessagePack
 * libraries do. Anything else (a `Date`, a `Set`, a class instance, a function) is refused
 * with {@link MessageEncodeError}, as is nesting deeper than `maxDepth` (which a cycle would be).
 */
export class MessagePackWriter {
  readonly #maxDepth: number;
  #buffer: Buffer = Buffer.alloc(0);
  #view = new DataView(new ArrayBuffer(0));
  /** Where the message being written starts in #buffer. */
  #start = 0;
  #position = 0;

  constructor(maxDepth: number) {
    this.#maxDepth = maxDepth;
  }

  /** The MessagePack bytes of `value`: a view that later writes never overwrite. */
  write(value: unknown): Uint8Array {
    this.#start = this.#position;
    if (this.#buffer.length - this.#position < VALUE_ROOM) this.#replace(BUFFER_SIZE);
    try {
      this.#value(value, 0);
    } catch (error) {
      this.#position = this.#start;
      throw error;
    }
    const bytes = this.#buffer.subarray(this.#start, this.#position);
    // A buffer grown for a large message belongs to it alone: small messages after it must not pin it.
    if (this.#buffer.length > BUFFER_SIZE) this.#position = this.#buffer.length;
    return bytes;
  }

  /** Moves the message written so far into a new buffer with room for `room` more bytes. */
  #replace(room: number): void {
    const used = this.#position - this.#start;
    const next = Buffer.allocUnsafeSlow(Math.max(used + room, BUFFER_SIZE));
    if (used > 0) next.set(this.#buffer.subarray(this.#start, this.#position));
    this.#buffer = next;
    this.#view = new DataView(next.buffer, next.byteOffset, next.length);
    this.#start = 0;
    this.#position = used;
  }

  #ensure(bytes: number): void {
    if (this.#buffer.length - this.#position < bytes)
      this.#replace(Math.max(bytes, 2 * (this.#position - this.#start)));
  }

  #value(value: unknown, depth: number): void {
    this.#ensure(VALUE_ROOM);
    if (typeof value === 'string') this.#string(value);
    else if (typeof value === 'number') this.#number(value);
    else if (typeof value === 'boolean') this.#buffer[this.#position++] = value ? 0xc3 : 0xc2;
    else if (value === null || value === undefined) this.#buffer[this.#position++] = 0xc0;
    else if (typeof value === 'bigint') this.#bigint(value);
    else if (typeof value === 'object') this.#container(value, depth);
    else throw unencodable(value);
  }

  #container(value: object, depth: number): void {
    if (value instanceof Uint8Array) this.#binary(value);
    else if (Array.isArray(value)) this.#array(value, deeper(depth, this.#maxDepth));
    else if (value instanceof Map) this.#map(value, deeper(depth, this.#maxDepth));
    else if (isPlainObject(value)) this.#object(value, deeper(depth, this.#maxDepth));
    else throw unencodable(value);
  }

  #number(value: number): void {
    const bytes = this.#buffer;
    let at = this.#position;
    if (value >>> 0 === value && !(value === 0 && 1 / value < 0)) {
      if (value < 0x80) {
        bytes[at++] = value;
      } else if (value < 0x100) {
        bytes[at++] = 0xcc;
        bytes[at++] = value;
      } else if (value < 0x1_0000) {
        bytes[at++] = 0xcd;
        bytes[at++] = value >>> 8;
        bytes[at++] = value & 0xff;
      } else {
        bytes[at++] = 0xce;
        this.#view.setUint32(at, value);
        at += 4;
      }
    } else if ((value | 0) === value && value !== 0) {
      if (value >= -0x20) {
        bytes[at++] = value & 0xff;
      } else if (value >= -0x80) {
        bytes[at++] = 0xd0;
        bytes[at++] = value & 0xff;
      } else if (value >= -0x8000) {
        bytes[at++] = 0xd1;
        bytes[at++] = (value >> 8) & 0xff;
        bytes[at++] = value & 0xff;
      } else {
        bytes[at++] = 0xd2;
        this.#view.setInt32(at, value);
        at += 4;
      }
    } else if (Number.isSafeInteger(value) && value !== 0) {
      // Beyond 32 bits, as Python: uint 64 for positive values, int 64 for negative ones.
      bytes[at++] = value > 0 ? 0xcf : 0xd3;
      this.#view.setUint32(at, Math.floor(value / TWO_POW_32) >>> 0);
      this.#view.setUint32(at + 4, value >>> 0);
      at += 8;
    } else {
      // Fractions, NaN, infinities, integers beyond 2^53 - 1 (JavaScript cannot tell them from floats) and -0.
      bytes[at++] = 0xcb;
      this.#view.setFloat64(at, value);
      at += 8;
    }
    this.#position = at;
  }

  #bigint(value: bigint): void {
    if (value <= UINT32_MAX_BIG && value >= INT32_MIN_BIG) {
      this.#number(Number(value));
      return;
    }
    checkBigInt(value);
    this.#buffer[this.#position] = value > 0n ? 0xcf : 0xd3;
    this.#view.setBigUint64(this.#position + 1, BigInt.asUintN(64, value));
    this.#position += 9;
  }

  #string(value: string): void {
    const length = value.length;
    // UTF-8 takes at most 3 bytes per UTF-16 unit; a long string counts its bytes rather than
    // start a new buffer for room it may not need.
    let most = 3 * length;
    if (length > SHORT_STRING && this.#buffer.length - this.#position < most + 5)
      most = Buffer.byteLength(value);
    const reserved = most < 0x20 ? 1 : most < 0x100 ? 2 : most < 0x1_0000 ? 3 : 5;
    this.#ensure(reserved + most);
    const start = this.#position + reserved;
    const written =
      length <= SHORT_STRING ? this.#shortString(value, start) : this.#buffer.write(value, start);
    const header = written < 0x20 ? 1 : written < 0x100 ? 2 : written < 0x1_0000 ? 3 : 5;
    if (header !== reserved) this.#buffer.copyWithin(this.#position + header, start, start + written);
    this.#header(written, 0xa0, 0x20, 0xd9, 0xda, 0xdb);
    this.#position += written;
  }

  /** UTF-8 of a short string at `at`; returns its length. Lone surrogates become U+FFFD, as in Buffer#write. */
  #shortString(value: string, at: number): number {
    const bytes = this.#buffer;
    const start = at;
    for (let index = 0; index < value.length; index++) {
      let code = value.charCodeAt(index);
      if (code < 0x80) {
        bytes[at++] = code;
      } else if (code < 0x800) {
        bytes[at++] = 0xc0 | (code >> 6);
        bytes[at++] = 0x80 | (code & 0x3f);
      } else if (code >= 0xd800 && code <= 0xdfff) {
        const low = value.charCodeAt(index + 1);
        if (code <= 0xdbff && low >= 0xdc00 && low <= 0xdfff) {
          code = 0x1_0000 + ((code - 0xd800) << 10) + (low - 0xdc00);
          index++;
          bytes[at++] = 0xf0 | (code >> 18);
          bytes[at++] = 0x80 | ((code >> 12) & 0x3f);
          bytes[at++] = 0x80 | ((code >> 6) & 0x3f);
          bytes[at++] = 0x80 | (code & 0x3f);
        } else {
          bytes[at++] = 0xef;
          bytes[at++] = 0xbf;
          bytes[at++] = 0xbd;
        }
      } else {
        bytes[at++] = 0xe0 | (code >> 12);
        bytes[at++] = 0x80 | ((code >> 6) & 0x3f);
        bytes[at++] = 0x80 | (code & 0x3f);
      }
    }
    return at - start;
  }

  #binary(value: Uint8Array): void {
    const length = value.length;
    this.#ensure(5 + length);
    this.#header(length, 0, 0, 0xc4, 0xc5, 0xc6);
    this.#buffer.set(value, this.#position);
    this.#position += length;
  }

  #array(value: readonly unknown[], depth: number): void {
    const length = value.length;
    this.#header(length, 0x90, 0x10, 0, 0xdc, 0xdd);
    for (let index = 0; index < length; index++) this.#value(value[index], depth);
  }

  #map(value: ReadonlyMap<unknown, unknown>, depth: number): void {
    this.#header(value.size, 0x80, 0x10, 0, 0xde, 0xdf);
    for (const [key, entry] of value) {
      if (typeof key === 'string') checkEncodedKey(key);
      this.#value(key, depth);
      this.#value(entry, depth);
    }
  }

  #object(value: Readonly<Record<string, unknown>>, depth: number): void {
    const keys = Object.keys(value);
    let count = 0;
    for (const key of keys) if (value[key] !== undefined) count++;
    this.#header(count, 0x80, 0x10, 0, 0xde, 0xdf);
    for (const key of keys) {
      const entry = value[key];
      if (entry === undefined) continue;
      checkEncodedKey(key);
      this.#string(key);
      this.#value(entry, depth);
    }
  }

  /** Writes a length header: the fix form below `fixLimit`, else the 8-bit (if `code8` is not 0), 16-bit or 32-bit form. */
  #header(
    length: number,
    fix: number,
    fixLimit: number,
    code8: number,
    code16: number,
    code32: number,
  ): void {
    const bytes = this.#buffer;
    let at = this.#position;
    if (length < fixLimit) {
      bytes[at++] = fix | length;
    } else if (code8 !== 0 && length < 0x100) {
      bytes[at++] = code8;
      bytes[at++] = length;
    } else if (length < 0x1_0000) {
      bytes[at++] = code16;
      bytes[at++] = length >>> 8;
      bytes[at++] = length & 0xff;
    } else {
      bytes[at++] = code32;
      this.#view.setUint32(at, length);
      at += 4;
    }
    this.#position = at;
  }
}
