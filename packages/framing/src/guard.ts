import { MessageDecodeError } from './errors.js';

/** Limits the pre-decode check enforces on raw MessagePack bytes. */
export interface MessagePackLimits {
  /** Deepest nesting of arrays and maps (a top-level array is depth 1). */
  readonly maxDepth: number;
  /** Most values in one message, counting every array item, map key and map value. */
  readonly maxElements: number;
  /** Accept msgpackr's record extension (0xd4 0x72 definitions and their 0x40-0x7f references). */
  readonly records: boolean;
}

const TWO_POW_32 = 0x1_0000_0000;
/** Record structure ids are 0x40-0x7f. */
const RECORD_ID_BASE = 0x40;
const RECORD_EXTENSION = 0x72;

/**
 * One iterative pass over MessagePack bytes, before any decoder runs: refuses extension types,
 * byte 0xC1, nesting deeper or more values than the limits, map keys that are not strings or
 * integers, `__proto__`/`constructor`/`prototype` keys, integers outside the safe range,
 * lengths past the end of the bytes, and trailing bytes. Throws {@link MessageDecodeError}.
 *
 * msgpackr recurses (it overflows the stack near 4,500 levels) and renames `__proto__`
 * silently, so these checks must run on the bytes, not on the decoded value.
 */
export function checkMessagePack(bytes: Uint8Array, limits: MessagePackLimits): void {
  const end = bytes.length;
  const { maxDepth, maxElements, records } = limits;
  const parentRemaining: number[] = [];
  const parentIsMap: boolean[] = [];
  const recordSizes: (number | undefined)[] | null = records ? [] : null;
  let position = 0;
  let depth = 0;
  let elements = 0;
  let remaining = 1;
  let inMap = false;

  const refuse = (reason: string): never => {
    throw new MessageDecodeError(`Refused MessagePack: ${reason} (at byte ${position})`);
  };
  const need = (count: number): void => {
    if (count > end - position) refuse(`${count} bytes declared, ${end - position} left`);
  };
  const readLength = (width: number): number => {
    need(width);
    const at = position;
    position += width;
    if (width === 1) return bytes[at]!;
    if (width === 2) return (bytes[at]! << 8) | bytes[at + 1]!;
    return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
  };
  const checkKey = (length: number): void => {
    if (length !== 9 && length !== 11) return;
    const key = String.fromCharCode(...bytes.subarray(position, position + length));
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') refuse(`forbidden key "${key}"`);
  };

  for (;;) {
    if (remaining === 0) {
      if (depth === 0) break;
      depth--;
      remaining = parentRemaining[depth]!;
      inMap = parentIsMap[depth]!;
      continue;
    }
    const isKey = inMap && remaining % 2 === 0;
    remaining--;
    if (++elements > maxElements) refuse(`more than ${maxElements} values`);
    need(1);
    const type = bytes[position++]!;
    /** Children of a container that starts here; -1 for scalars. */
    let children = -1;
    let childrenAreMap = false;
    /** Bytes of a string or binary payload that follows. */
    let payload = -1;
    let isString = false;
    let keyable = true;

    if (type < 0x80) {
      const size = recordSizes?.[type - RECORD_ID_BASE];
      if (size !== undefined) {
        children = size;
        keyable = false;
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
          keyable = false;
          break;
        case 0xc4:
        case 0xc5:
        case 0xc6:
          payload = readLength(1 << (type - 0xc4));
          keyable = false;
          break;
        case 0xca:
        case 0xcb:
          payload = type === 0xca ? 4 : 8;
          keyable = false;
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
          need(8);
          const high = type === 0xcf ? readLength(4) : readLength(4) | 0;
          const value = high * TWO_POW_32 + readLength(4);
          if (value > Number.MAX_SAFE_INTEGER || value < -Number.MAX_SAFE_INTEGER) {
            refuse('64-bit integer outside the safe range (2^53 - 1) would lose precision');
          }
          break;
        }
        case 0xd4:
          if (recordSizes !== null && bytes[position] === RECORD_EXTENSION) {
            children = readRecordDefinition();
            keyable = false;
            break;
          }
          refuse('extension type');
          break;
        case 0xd9:
        case 0xda:
        case 0xdb:
          payload = readLength(1 << (type - 0xd9));
          isString = true;
          break;
        case 0xdc:
        case 0xdd:
          children = readLength(type === 0xdc ? 2 : 4);
          break;
        case 0xde:
        case 0xdf:
          children = readLength(type === 0xde ? 2 : 4) * 2;
          childrenAreMap = true;
          break;
        default:
          refuse(type === 0xc1 ? 'byte 0xC1 (never used)' : 'extension type');
      }
    }

    if (isKey && (!keyable || children >= 0)) refuse('map key that is not a string or an integer');
    if (payload >= 0) {
      need(payload);
      if (isKey && isString) checkKey(payload);
      position += payload;
    }
    if (children >= 0) {
      if (depth >= maxDepth) refuse(`nesting deeper than ${maxDepth}`);
      // Every value takes at least one byte: a count beyond the bytes left is a lie (and an allocation bomb).
      if (children > end - position) refuse(`${children} values declared, ${end - position} bytes left`);
      parentRemaining[depth] = remaining;
      parentIsMap[depth] = inMap;
      depth++;
      remaining = children;
      inMap = childrenAreMap;
    }
  }
  if (position !== end) refuse(`${end - position} trailing bytes after the message`);

  /** msgpackr record definition: 0xd4 0x72 <id>, then an array of string keys; returns the key count. */
  function readRecordDefinition(): number {
    need(2);
    const id = bytes[position + 1]!;
    position += 2;
    if (id < RECORD_ID_BASE || id > 0x7f) refuse('record id out of range');
    need(1);
    const header = bytes[position++]!;
    let keys: number;
    if (header >= 0x90 && header < 0xa0) keys = header & 0x0f;
    else if (header === 0xdc || header === 0xdd) keys = readLength(header === 0xdc ? 2 : 4);
    else return refuse('record definition without a key array');
    if (keys > end - position) refuse(`${keys} record keys declared, ${end - position} bytes left`);
    elements += keys;
    if (elements > maxElements) refuse(`more than ${maxElements} values`);
    for (let index = 0; index < keys; index++) {
      need(1);
      const type = bytes[position++]!;
      let length: number;
      if (type >= 0xa0 && type < 0xc0) length = type & 0x1f;
      else if (type >= 0xd9 && type <= 0xdb) length = readLength(1 << (type - 0xd9));
      else return refuse('record key that is not a string');
      need(length);
      checkKey(length);
      position += length;
    }
    recordSizes![id - RECORD_ID_BASE] = keys;
    return keys;
  }
}
