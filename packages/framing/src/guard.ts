import { MessageDecodeError } from './errors.js';

/** Limits the pre-decode check enforces on raw MessagePack bytes. */
export interface MessagePackLimits {
  /** Deepest nesting of arrays and maps (a top-level array is depth 1). */
  readonly maxDepth: number;
  /** Most values in one message, counting every array item, map key and map value. */
  readonly maxElements: number;
  /** Accept msgpackr's record extension (0xd4 0x72 definitions and their 0x40-0x7f references). */
  readonly records: boolean;
  /** Integers beyond ±(2^53 - 1) decode as bigints, so none needs refusing. */
  readonly largeIntegersAsBigInt: boolean;
  /** Maps decode as `Map`s, so keys may be any scalar (nil, booleans, floats and bin too), not only strings and integers. */
  readonly scalarKeys: boolean;
}

const TWO_POW_32 = 0x1_0000_0000;
const TWO_POW_53 = 2 ** 53;
/** Record structure ids are 0x40-0x7f. */
const RECORD_ID_BASE = 0x40;
const RECORD_EXTENSION = 0x72;

/** Kinds of value a type byte starts (besides containers, whose child count is returned instead). */
const SCALAR = -1;
const KEYABLE_SCALAR = -2;

function refuse(reason: string, position: number): never {
  throw new MessageDecodeError(`Refused MessagePack: ${reason} (at byte ${position})`);
}

function need(bytes: Uint8Array, position: number, count: number): void {
  if (count > bytes.length - position)
    refuse(`${count} bytes declared, ${bytes.length - position} left`, position);
}

function readUint(bytes: Uint8Array, at: number, width: number): number {
  need(bytes, at, width);
  if (width === 1) return bytes[at]!;
  if (width === 2) return (bytes[at]! << 8) | bytes[at + 1]!;
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
}

/** Refuses a map or record key that would reach an object's prototype machinery. */
function checkKey(bytes: Uint8Array, at: number, length: number): void {
  if (length !== 9 && length !== 11) return;
  // '__proto__' and 'prototype' are 9 bytes, 'constructor' 11; compare only on a first-byte match.
  const first = bytes[at];
  if (first !== 0x5f && first !== 0x70 && first !== 0x63) return;
  const key = String.fromCharCode(...bytes.subarray(at, at + length));
  if (key === '__proto__' || key === 'constructor' || key === 'prototype')
    refuse(`forbidden key "${key}"`, at);
}

/**
 * One iterative pass over MessagePack bytes, before any decoder runs: refuses extension types,
 * byte 0xC1, nesting deeper or more values than the limits, map keys that are not strings or
 * integers (with `scalarKeys`: map keys that are containers), `__proto__`/`constructor`/`prototype`
 * keys, 64-bit integers outside the safe range (unless they decode as bigints),
 * lengths past the end of the bytes, and trailing bytes. Throws {@link MessageDecodeError}.
 *
 * msgpackr recurses (it overflows the stack near 4,500 levels) and renames `__proto__`
 * silently, so these checks must run on the bytes, not on the decoded value.
 *
 * Returns whether a 64-bit integer lies at ±2^53 (or rounds to it), where msgpackr's `'auto'`
 * int64 decoding still gives a number although the value is beyond the safe range.
 */
export function checkMessagePack(bytes: Uint8Array, limits: MessagePackLimits): boolean {
  const end = bytes.length;
  const maxDepth = limits.maxDepth;
  const maxElements = limits.maxElements;
  const scalarKeys = limits.scalarKeys;
  /** Values still to read at each enclosing level, and whether that level is a map. */
  const parentRemaining: number[] = [];
  const parentIsMap: boolean[] = [];
  const recordSizes: number[] | null = limits.records ? [] : null;
  let position = 0;
  let depth = 0;
  let elements = 0;
  let remaining = 1;
  let inMap = false;
  let atSafeEdge = false;

  for (;;) {
    if (remaining === 0) {
      if (depth === 0) break;
      depth--;
      remaining = parentRemaining[depth]!;
      inMap = parentIsMap[depth]!;
      continue;
    }
    const isKey = inMap && (remaining & 1) === 0;
    remaining--;
    if (++elements > maxElements) refuse(`more than ${maxElements} values`, position);
    need(bytes, position, 1);
    const type = bytes[position++]!;
    /** Child count of a container starting here, or SCALAR / KEYABLE_SCALAR. */
    let children = KEYABLE_SCALAR;
    let childrenAreMap = false;
    /** Length of a string or binary payload that follows, or -1. */
    let payload = -1;
    let isString = false;

    if (type < 0x80) {
      if (recordSizes !== null && type >= RECORD_ID_BASE) {
        const size = recordSizes[type - RECORD_ID_BASE];
        if (size !== undefined) children = size;
      }
    } else if (type < 0x90) {
      children = (type & 0x0f) * 2;
      childrenAreMap = true;
    } else if (type < 0xa0) {
      children = type & 0x0f;
    } else if (type < 0xc0) {
      payload = type & 0x1f;
      isString = true;
    } else if (type < 0xe0) {
      switch (type) {
        case 0xc0:
        case 0xc2:
        case 0xc3:
          children = SCALAR;
          break;
        case 0xc4:
        case 0xc5:
        case 0xc6: {
          const width = 1 << (type - 0xc4);
          payload = readUint(bytes, position, width);
          position += width;
          children = SCALAR;
          break;
        }
        case 0xca:
        case 0xcb:
          payload = type === 0xca ? 4 : 8;
          children = SCALAR;
          break;
        case 0xcc:
        case 0xcd:
        case 0xce:
        case 0xd0:
        case 0xd1:
        case 0xd2:
          payload = 1 << (type & 0x03);
          break;
        case 0xcf:
        case 0xd3: {
          need(bytes, position, 8);
          const high = readUint(bytes, position, 4);
          const value = (type === 0xcf ? high : high | 0) * TWO_POW_32 + readUint(bytes, position + 4, 4);
          if (value > Number.MAX_SAFE_INTEGER || value < -Number.MAX_SAFE_INTEGER) {
            if (!limits.largeIntegersAsBigInt)
              refuse('64-bit integer outside the safe range (2^53 - 1) would lose precision', position);
            if (value === TWO_POW_53 || value === -TWO_POW_53) atSafeEdge = true;
          }
          position += 8;
          break;
        }
        case 0xd4:
          if (recordSizes !== null && bytes[position] === RECORD_EXTENSION) {
            const definition = readRecordDefinition(bytes, position, maxElements - elements);
            position = definition.position;
            elements += definition.keys;
            recordSizes[definition.id - RECORD_ID_BASE] = definition.keys;
            children = definition.keys;
            break;
          }
          refuse('extension type', position - 1);
          break;
        case 0xd9:
        case 0xda:
        case 0xdb: {
          const width = 1 << (type - 0xd9);
          payload = readUint(bytes, position, width);
          position += width;
          isString = true;
          break;
        }
        case 0xdc:
        case 0xdd: {
          const width = type === 0xdc ? 2 : 4;
          children = readUint(bytes, position, width);
          position += width;
          break;
        }
        case 0xde:
        case 0xdf: {
          const width = type === 0xde ? 2 : 4;
          children = readUint(bytes, position, width) * 2;
          position += width;
          childrenAreMap = true;
          break;
        }
        default:
          refuse(type === 0xc1 ? 'byte 0xC1 (never used)' : 'extension type', position - 1);
      }
    }

    if (isKey && children !== KEYABLE_SCALAR && !(scalarKeys && children === SCALAR)) {
      refuse(
        scalarKeys ? 'map key that is an array or a map' : 'map key that is not a string or an integer',
        position - 1,
      );
    }
    if (payload >= 0) {
      need(bytes, position, payload);
      if (isKey && isString) checkKey(bytes, position, payload);
      position += payload;
    }
    if (children >= 0) {
      if (depth >= maxDepth) refuse(`nesting deeper than ${maxDepth}`, position);
      // Every value takes at least one byte: a count beyond the bytes left is a lie (and an allocation bomb).
      if (children > end - position)
        refuse(`${children} values declared, ${end - position} bytes left`, position);
      parentRemaining[depth] = remaining;
      parentIsMap[depth] = inMap;
      depth++;
      remaining = children;
      inMap = childrenAreMap;
    }
  }
  if (position !== end) refuse(`${end - position} trailing bytes after the message`, position);
  return atSafeEdge;
}

/** msgpackr record definition at `position` (0xd4 0x72 <id>, then an array of string keys). */
function readRecordDefinition(
  bytes: Uint8Array,
  position: number,
  elementsLeft: number,
): { id: number; keys: number; position: number } {
  need(bytes, position, 2);
  const id = bytes[position + 1]!;
  position += 2;
  if (id < RECORD_ID_BASE || id > 0x7f) refuse('record id out of range', position);
  need(bytes, position, 1);
  const header = bytes[position++]!;
  let keys: number;
  if (header >= 0x90 && header < 0xa0) keys = header & 0x0f;
  else if (header === 0xdc || header === 0xdd) {
    const width = header === 0xdc ? 2 : 4;
    keys = readUint(bytes, position, width);
    position += width;
  } else return refuse('record definition without a key array', position);
  if (keys > bytes.length - position)
    refuse(`${keys} record keys declared, ${bytes.length - position} bytes left`, position);
  if (keys > elementsLeft) refuse('more values than maxElements', position);
  for (let index = 0; index < keys; index++) {
    need(bytes, position, 1);
    const type = bytes[position++]!;
    let length: number;
    if (type >= 0xa0 && type < 0xc0) length = type & 0x1f;
    else if (type >= 0xd9 && type <= 0xdb) {
      const width = 1 << (type - 0xd9);
      length = readUint(bytes, position, width);
      position += width;
    } else return refuse('record key that is not a string', position);
    need(bytes, position, length);
    checkKey(bytes, position, length);
    position += length;
  }
  return { id, keys, position };
}
