import { InvalidArgumentError } from '@sockkit/core';
import { checkBoolean, checkBytes, checkOptions, checkPositiveInteger } from '@sockkit/core/internals';
import { Packr, Unpackr } from 'msgpackr';
import type { z } from 'zod';
import { MessageDecodeError, MessageValidationError } from './errors.js';
import { checkMessagePack, type MessagePackLimits } from './guard.js';

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
  const options = checkOptions('options', given, ['maxDepth', 'maxElements', 'validateOnEncode', 'records']);
  const limits: MessagePackLimits = {
    maxDepth: depthLimit(options.maxDepth ?? DEFAULT_MAX_DEPTH),
    maxElements: checkPositiveInteger('options.maxElements', options.maxElements ?? DEFAULT_MAX_ELEMENTS),
    records: checkBoolean('options.records', options.records ?? false),
  };
  const validateOnEncode = checkBoolean('options.validateOnEncode', options.validateOnEncode ?? true);
  // Undefined properties are left out and undefined items become nil, as other MessagePack
  // libraries do, instead of msgpackr's own extension for undefined.
  const packr = new Packr({
    useRecords: limits.records,
    encodeUndefinedAsNil: true,
    skipValues: [undefined],
  } as ConstructorParameters<typeof Packr>[0]);
  const unpackr = new Unpackr({ useRecords: limits.records, mapsAsObjects: true, int64AsType: 'number' });

  return {
    schema,
    encode(message) {
      if (!validateOnEncode) return packr.pack(message);
      let result: z.ZodSafeParseResult<T>;
      try {
        result = schema.safeParse(message);
      } catch (cause) {
        const issue = { code: 'custom', path: [], message: `The schema threw: ${describe(cause)}` };
        throw new MessageValidationError([issue], { cause });
      }
      if (!result.success) throw new MessageValidationError(result.error.issues);
      return packr.pack(result.data);
    },
    decode(bytes) {
      checkMessagePack(checkBytes('bytes', bytes), limits);
      let value: unknown;
      try {
        value = unpackr.unpack(bytes);
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
