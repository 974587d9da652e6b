import { MessageEncodeError } from './errors.js';

// What a codec may encode: the values plain MessagePack holds and every receiving codec accepts.
// MessagePackWriter refuses the rest as it writes; records mode, where msgpackr writes, checks
// the message with plainMessage first. Both give the same errors.

/** An object whose prototype is `Object.prototype` or null: what encodes as a map. */
export function isPlainObject(value: object): value is Record<string, unknown> {
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** Refuses the keys every receiving guard refuses (they would reach an object's prototype machinery), so a sent message never fails its peer. */
export function checkEncodedKey(key: string): void {
  if (key === '__proto__' || key === 'constructor' || key === 'prototype') {
    throw new MessageEncodeError(`Cannot encode the key "${key}": receivers refuse it`);
  }
}

/** The error for a value no codec encodes: a function, a symbol, or an object that is not plain. */
export function unencodable(value: unknown): MessageEncodeError {
  if (typeof value !== 'object' || value === null) {
    return new MessageEncodeError(`Cannot encode a ${typeof value} as MessagePack`);
  }
  return new MessageEncodeError(
    `Cannot encode ${describe(value)} as plain MessagePack: send plain objects, arrays, Maps, Uint8Arrays, strings, numbers, bigints, booleans or null (a date as a number or an ISO string)`,
  );
}

const UINT64_MAX = 0xffff_ffff_ffff_ffffn;
const INT64_MIN = -0x8000_0000_0000_0000n;

/** Refuses a bigint beyond MessagePack's 64-bit integers (int 64 and uint 64). */
export function checkBigInt(value: bigint): void {
  if (value > UINT64_MAX || value < INT64_MIN) {
    throw new MessageEncodeError(`The bigint ${value} does not fit MessagePack's 64-bit integers`);
  }
}

/** The depth inside an array or map entered at `depth`; refuses nesting past `maxDepth` (a top-level array is depth 1), which a cycle also reaches. */
export function deeper(depth: number, maxDepth: number): number {
  if (depth === maxDepth)
    throw new MessageEncodeError(`Message nested deeper than maxDepth (${maxDepth}), or cyclic`);
  return depth + 1;
}

/**
 * `message` as `MessagePackWriter` would write it, for records mode: itself, or a copy without
 * the properties whose value is `undefined` (msgpackr's records write them as nil, which an
 * optional field's schema refuses), with `Map` keys beyond 32 bits as bigints and `Map`
 * subclasses as `Map`s. Throws {@link MessageEncodeError} for what the writer refuses, with the
 * same errors: msgpackr would write a `Date` as a timestamp extension that the receiving codec
 * refuses, and a `Set`, `RegExp` or class instance as some other shape than it had.
 */
export function plainMessage(message: unknown, maxDepth: number): unknown {
  return plainValue(message, maxDepth, 0);
}

/** The value itself when nothing in it changes; copies are made only along the paths that do. */
function plainValue(value: unknown, maxDepth: number, depth: number): unknown {
  if (typeof value !== 'object') {
    if (typeof value === 'function' || typeof value === 'symbol') throw unencodable(value);
    if (typeof value === 'bigint') checkBigInt(value);
    return value;
  }
  if (value === null || value instanceof Uint8Array) return value;
  if (Array.isArray(value)) return plainArray(value, maxDepth, deeper(depth, maxDepth));
  if (value instanceof Map) return plainMap(value, maxDepth, deeper(depth, maxDepth));
  if (isPlainObject(value)) return plainObject(value, maxDepth, deeper(depth, maxDepth));
  throw unencodable(value);
}

function plainArray(array: readonly unknown[], maxDepth: number, depth: number): readonly unknown[] {
  let copy: unknown[] | undefined;
  for (let index = 0; index < array.length; index++) {
    const item = array[index];
    const plain = plainValue(item, maxDepth, depth);
    if (plain !== item) {
      copy ??= array.slice();
      copy[index] = plain;
    }
  }
  return copy ?? array;
}

function plainMap(
  map: ReadonlyMap<unknown, unknown>,
  maxDepth: number,
  depth: number,
): ReadonlyMap<unknown, unknown> {
  // msgpackr writes only a Map itself as a map (a subclass as an object, its entries lost), so a
  // subclass is always copied.
  let copy = map.constructor === Map ? undefined : new Map<unknown, unknown>();
  let index = 0;
  for (const [key, entry] of map) {
    if (typeof key === 'string') checkEncodedKey(key);
    const plainKey = wholeBeyond32Bits(key) ? BigInt(key) : plainValue(key, maxDepth, depth);
    const plainEntry = plainValue(entry, maxDepth, depth);
    if (copy === undefined && plainKey === key && plainEntry === entry) {
      index++;
      continue;
    }
    // At the first change, the entries before it are kept as they are.
    copy ??= new Map([...map].slice(0, index));
    copy.set(plainKey, plainEntry);
  }
  return copy ?? map;
}

/**
 * msgpackr writes these as float 64, and a receiver refuses a float map key (values it reads back
 * unchanged). As a bigint, msgpackr writes it as int 64, as plain mode does.
 */
function wholeBeyond32Bits(value: unknown): value is number {
  return (
    typeof value === 'number' && value >> 0 !== value && value >>> 0 !== value && Number.isSafeInteger(value)
  );
}

function plainObject(object: Readonly<Record<string, unknown>>, maxDepth: number, depth: number): object {
  const keys = Object.keys(object);
  let copy: Record<string, unknown> | undefined;
  for (let index = 0; index < keys.length; index++) {
    const key = keys[index]!;
    const entry = object[key];
    const plain = entry === undefined ? undefined : plainEntry(key, entry, maxDepth, depth);
    if (copy === undefined) {
      if (plain === entry && entry !== undefined) continue;
      // The first change: the entries before it are kept as they are.
      copy = {};
      for (let before = 0; before < index; before++) copy[keys[before]!] = object[keys[before]!];
    }
    if (plain !== undefined) copy[key] = plain;
  }
  return copy ?? object;
}

function plainEntry(key: string, entry: unknown, maxDepth: number, depth: number): unknown {
  checkEncodedKey(key);
  return plainValue(entry, maxDepth, depth);
}

function describe(value: object): string {
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== '' ? `a ${name}` : 'an object with a custom prototype';
}
