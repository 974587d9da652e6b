import { InvalidArgumentError } from '@sockkit/core';
import {
  checkBoolean,
  checkBytes,
  checkOneOf,
  checkOptions,
  checkPositiveInteger,
} from '@sockkit/core/internals';
import { Packr, Unpackr } from 'msgpackr';
import type { z } from 'zod';
import { MessageDecodeError, MessageEncodeError, MessageValidationError } from './errors.js';
import { checkMessagePack, type MessagePackLimits } from './guard.js';
import { MessagePackWriter } from './msgpack.js';
import { plainMessage } from './plain-values.js';

/** Default deepest nesting of arrays and maps in one message. */
export const DEFAULT_MAX_DEPTH = 32;
/**
 * Largest `maxDepth` accepted: deep enough for any sane message, and far below where zod (near
 * 1,600 levels of a recursive schema) or msgpackr (near 4,500) exhaust the stack.
 */
export const MAX_DEPTH_LIMIT = 256;
/** Default most values (items, keys and values) in one message. */
export const DEFAULT_MAX_ELEMENTS = 100_000;

/** Options of {@link createCodec}. */
export interface CodecOptions {
  /**
   * Deepest nesting of arrays and maps accepted by `decode` (a top-level array is depth 1).
   * Default 32, at most {@link MAX_DEPTH_LIMIT} (256).
   */
  readonly maxDepth?: number;
  /** Most values in one decoded message, counting array items, map keys and map values. Default 100,000. */
  readonly maxElements?: number;
  /** Validate messages against the schema in `encode` too. Default true. */
  readonly validateOnEncode?: boolean;
  /**
   * Use msgpackr records: objects of the same shape are written once as a key list and then as
   * values only. Faster and smaller for sockkit-to-sockkit traffic, but not plain MessagePack:
   * Python and Go msgpack libraries cannot read it. Each message stays self-contained (no state
   * shared between messages), so lost datagrams or independent frames still decode. Default false.
   */
  readonly records?: boolean;
  /**
   * What happens to integers beyond ±(2^53 - 1), which a number cannot hold exactly (Python and
   * Go send them as int 64 / uint 64, up to 2^64 - 1). `'refuse'`: the message fails with
   * {@link MessageDecodeError}, never rounded. `'bigint'`: they decode as bigints, so every int64
   * and uint64 arrives exact. Smaller integers are numbers either way, so a field that may hold any
   * 64-bit value is `z.union([z.int(), z.bigint()])` (or `z.union([z.bigint(), z.int().transform(BigInt)])`
   * for bigints throughout). Bigints are always encoded as integers. Default `'refuse'`.
   */
  readonly largeIntegers?: 'refuse' | 'bigint';
  /**
   * What MessagePack maps decode to. `'object'`: plain objects, integer keys becoming strings
   * (`{1: 'a'}` from Python arrives as `{ '1': 'a' }`). `'map'`: `Map`s, every map of the message,
   * keeping keys of any scalar type (integers, floats, booleans, nil, bin) as they were; schemas
   * then use `z.map(...)`. Default `'object'`.
   */
  readonly maps?: 'object' | 'map';
}

/** Typed messages to and from bytes: MessagePack for bytes, a zod schema for shape. */
export interface MessageCodec<T> {
  /** The schema messages are checked against. */
  readonly schema: z.ZodType<T>;
  /** Validates (unless `validateOnEncode` is false) and encodes; throws {@link MessageValidationError}. */
  encode(message: T): Uint8Array;
  /**
   * Decodes untrusted bytes. Throws {@link MessageDecodeError} for bytes that are malformed,
   * hostile or over a limit (checked before msgpackr runs), and {@link MessageValidationError}
   * for a value of the wrong shape.
   */
  decode(bytes: Uint8Array): T;
}

/**
 * The payload a channel sends for `message`: its encoding under `codec`, or without one the
 * message itself, which must be bytes (a string would go out as zeros).
 */
export function messagePayload<T>(codec: MessageCodec<T> | undefined, message: T): Uint8Array {
  if (codec === undefined) return checkBytes('message', message);
  const payload = codec.encode(message);
  if (!(payload instanceof Uint8Array)) {
    throw new InvalidArgumentError('options.codec', 'a codec whose encode returns a Uint8Array', payload);
  }
  return payload;
}

/**
 * A codec for one message schema. Plain MessagePack by default, so Python (`msgpack`) and Go
 * peers read and write the same bytes; see {@link CodecOptions.records} for the opt-in.
 *
 * @example
 * ```ts
 * const Chat = z.object({ from: z.string(), text: z.string().max(1000) });
 * const codec = createCodec(Chat);
 * const bytes = codec.encode({ from: 'ana', text: 'hi' });
 * codec.decode(bytes); // { from: 'ana', text: 'hi' }, typed
 * ```
 */
export function createCodec<T>(schema: z.ZodType<T>, given?: CodecOptions): MessageCodec<T> {
  if (typeof (schema as Partial<z.ZodType<T>> | null)?.safeParse !== 'function') {
    throw new InvalidArgumentError('schema', 'a zod schema (anything with safeParse)', schema);
  }
  const options = checkOptions('options', given, [
    'maxDepth',
    'maxElements',
    'validateOnEncode',
    'records',
    'largeIntegers',
    'maps',
  ]);
  const largeIntegers = checkOneOf('options.largeIntegers', options.largeIntegers ?? 'refuse', [
    'refuse',
    'bigint',
  ]);
  const maps = checkOneOf('options.maps', options.maps ?? 'object', ['object', 'map']);
  const limits: MessagePackLimits = {
    maxDepth: depthLimit(options.maxDepth ?? DEFAULT_MAX_DEPTH),
    maxElements: checkPositiveInteger('options.maxElements', options.maxElements ?? DEFAULT_MAX_ELEMENTS),
    records: checkBoolean('options.records', options.records ?? false),
    largeIntegersAsBigInt: largeIntegers === 'bigint',
    scalarKeys: maps === 'map',
  };
  const validateOnEncode = checkBoolean('options.validateOnEncode', options.validateOnEncode ?? true);
  const pack = limits.records ? recordsPacker(limits.maxDepth) : plainPacker(limits.maxDepth);
  const unpackr = unpackerFor(limits, maps, largeIntegers === 'bigint' ? 'auto' : 'number');
  let exactUnpackr: Unpackr | null = null;

  return {
    schema,
    encode(message) {
      if (!validateOnEncode) return pack(message);
      let result: z.ZodSafeParseResult<T>;
      try {
        result = schema.safeParse(message);
      } catch (cause) {
        const issue = { code: 'custom', path: [], message: `The schema threw: ${describe(cause)}` };
        throw new MessageValidationError([issue], { cause });
      }
      if (!result.success) throw new MessageValidationError(result.error.issues);
      return pack(result.data);
    },
    decode(bytes) {
      const atSafeEdge = checkMessagePack(checkBytes('bytes', bytes), limits);
      let value: unknown;
      try {
        // A Buffer view, so bin values always arrive as Buffers (views of `bytes`), whatever `bytes` is.
        const buffer = Buffer.isBuffer(bytes) ? bytes : asBuffer(bytes);
        if (atSafeEdge) {
          // Rare: msgpackr's 'auto' leaves ±2^53 a number; decode every int64 as a bigint instead.
          exactUnpackr ??= unpackerFor(limits, maps, 'bigint');
          value = safeBigIntsToNumbers(exactUnpackr.unpack(buffer));
        } else {
          value = unpackr.unpack(buffer);
        }
      } catch (cause) {
        throw new MessageDecodeError(`Invalid MessagePack: ${describe(cause)}`, { cause });
      }
      let result: z.ZodSafeParseResult<T>;
      try {
        result = schema.safeParse(value);
      } catch (cause) {
        // A schema that throws (a refinement's bug, a stack overflow) still refuses only this message.
        throw new MessageDecodeError(`The schema threw while validating the message: ${describe(cause)}`, {
          cause,
        });
      }
      if (!result.success) throw new MessageValidationError(result.error.issues);
      return result.data;
    },
  };
}

/** Plain MessagePack, written as Python's msgpack writes it (see {@link MessagePackWriter}). */
function plainPacker(maxDepth: number): (message: unknown) => Uint8Array {
  const writer = new MessagePackWriter(maxDepth);
  return (message) => writer.write(message);
}

/**
 * msgpackr records, for sockkit peers only. What plain mode writes is written here too, and what
 * it refuses is refused with the same errors (see `plainMessage`): undefined properties are left
 * out and undefined items become nil, instead of msgpackr's own extension for undefined.
 */
function recordsPacker(maxDepth: number): (message: unknown) => Uint8Array {
  // useToJSON off: msgpackr would call a null-prototype object's toJSON, where plain mode writes its keys.
  const packr = new Packr({ useRecords: true, encodeUndefinedAsNil: true, useToJSON: false });
  return (message) => {
    const plain = plainMessage(message, maxDepth);
    try {
      return packr.pack(plain);
    } catch (cause) {
      throw new MessageEncodeError(`msgpackr cannot encode the message: ${describe(cause)}`, { cause });
    }
  };
}

function unpackerFor(
  limits: MessagePackLimits,
  maps: 'object' | 'map',
  int64AsType: 'number' | 'auto' | 'bigint',
): Unpackr {
  // msgpackr runs 'auto' (numbers up to ±2^53, bigints beyond) but its types leave it out.
  const options = { useRecords: limits.records, mapsAsObjects: maps === 'object', int64AsType };
  return new Unpackr(options as ConstructorParameters<typeof Unpackr>[0]);
}

/** Turns the bigints within ±(2^53 - 1) of a decoded value back into numbers, in place (the guard bounded its depth). */
function safeBigIntsToNumbers(value: unknown): unknown {
  if (typeof value === 'bigint') {
    return value <= MAX_SAFE && value >= -MAX_SAFE ? Number(value) : value;
  }
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) value[index] = safeBigIntsToNumbers(value[index]);
  } else if (value instanceof Map) {
    const entries = [...value];
    value.clear();
    for (const [key, entry] of entries) value.set(safeBigIntsToNumbers(key), safeBigIntsToNumbers(entry));
  } else if (typeof value === 'object' && value !== null && !(value instanceof Uint8Array)) {
    const object = value as Record<string, unknown>;
    for (const key of Object.keys(object)) object[key] = safeBigIntsToNumbers(object[key]);
  }
  return value;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function depthLimit(value: number): number {
  checkPositiveInteger('options.maxDepth', value);
  if (value > MAX_DEPTH_LIMIT) {
    throw new InvalidArgumentError('options.maxDepth', `at most ${MAX_DEPTH_LIMIT}`, value, {
      message: `maxDepth must be at most ${MAX_DEPTH_LIMIT}; got ${value}`,
    });
  }
  return value;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
