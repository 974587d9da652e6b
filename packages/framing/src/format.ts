import { InvalidArgumentError } from '@sockkit/core';
import { checkBoolean, checkIntegerIn, checkOneOf, checkOptions } from '@sockkit/core/internals';
import { DEFAULT_MAX_FRAME_LENGTH, MAX_LENGTH_OFFSET, MAX_VARINT_BYTES } from './constants.js';

/** How the length field is written: fixed-width unsigned integers, or an unsigned LEB128 varint. */
export type LengthPrefix = 'uint8' | 'uint16' | 'uint32' | 'uint64' | 'varint';

/** Options of {@link defineFrameFormat}; every field has a default. */
export interface FrameFormatOptions {
  /** Length field type. Default `'uint32'`. */
  readonly prefix?: LengthPrefix;
  /** Byte order of a fixed-width length field (ignored by `uint8` and `varint`). Default `'big'`. */
  readonly endian?: 'big' | 'little';
  /** Header bytes before the length field (gRPC's flag byte: 1). Written as zeros. Default 0. */
  readonly lengthOffset?: number;
  /** Added to the length field to get the payload length (Netty's `lengthAdjustment`). Default 0. */
  readonly lengthAdjustment?: number;
  /** Whether the length field counts the header (offset bytes and length field) too. Default false. */
  readonly lengthIncludesHeader?: boolean;
  /**
   * Largest payload accepted or sent, in bytes: the header is not counted. Netty's `maxFrameLength`
   * counts it, so Netty's M is sockkit's M minus the header (M - 4 for a 4-byte length).
   * Default 8 MiB (capped by what the prefix can express).
   */
  readonly maxFrameLength?: number;
  /**
   * Decoded frames start with their header (offset bytes and length field) instead of being the
   * payload alone, so bytes before the length, such as gRPC's compressed flag, reach the caller:
   * Netty's `initialBytesToStrip = 0`, tokio-util's `num_skip(0)`. Still zero-copy; limits still
   * count the payload. Affects decoding only. Default false.
   */
  readonly keepHeader?: boolean;
  /**
   * The first header byte is gRPC's Compressed-Flag: the decoder refuses a frame whose flag is not
   * 0 with `CompressedFrameError` (sockkit does not decompress), unless `keepHeader` hands the flag
   * to a caller that handles compressed messages itself. Needs `lengthOffset` >= 1; written as 0.
   * Default false (true in {@link FrameFormats.grpc}).
   */
  readonly compressedFlag?: boolean;
}

/** A validated, frozen frame format: plain data, safe to share between decoders and encoders. */
export interface FrameFormat {
  readonly prefix: LengthPrefix;
  readonly endian: 'big' | 'little';
  readonly lengthOffset: number;
  readonly lengthAdjustment: number;
  readonly lengthIncludesHeader: boolean;
  readonly maxFrameLength: number;
  readonly keepHeader: boolean;
  readonly compressedFlag: boolean;
}

const PREFIX_WIDTH: Readonly<Record<LengthPrefix, number>> = {
  uint8: 1,
  uint16: 2,
  uint32: 4,
  uint64: 8,
  varint: 0,
};

/** Largest value each length field can hold, as a safe JavaScript integer. */
const PREFIX_MAX: Readonly<Record<LengthPrefix, number>> = {
  uint8: 0xff,
  uint16: 0xffff,
  uint32: 0xffff_ffff,
  uint64: Number.MAX_SAFE_INTEGER,
  varint: Number.MAX_SAFE_INTEGER,
};

/** Width in bytes of a fixed-width length field; 0 for a varint. */
export function prefixWidth(prefix: LengthPrefix): number {
  return PREFIX_WIDTH[prefix];
}

/** Largest value the length field can hold. */
export function prefixMaxValue(prefix: LengthPrefix): number {
  return PREFIX_MAX[prefix];
}

/** Number of bytes of `value` as an unsigned LEB128 varint. */
export function varintLength(value: number): number {
  let bytes = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 0x80);
    bytes++;
  }
  return bytes;
}

/** Largest header the format can have: offset bytes plus the widest length field. */
export function maxHeaderLength(format: FrameFormat): number {
  return format.lengthOffset + (format.prefix === 'varint' ? MAX_VARINT_BYTES : PREFIX_WIDTH[format.prefix]);
}

/** Formats made by {@link defineFrameFormat} (presets included): used as they are, with no second check. */
const definedFormats = new WeakSet<FrameFormat>();

const formatOptionNames: readonly (keyof FrameFormatOptions)[] = [
  'prefix',
  'endian',
  'lengthOffset',
  'lengthAdjustment',
  'lengthIncludesHeader',
  'maxFrameLength',
  'keepHeader',
  'compressedFlag',
];

/**
 * Validates frame format options once and returns a frozen {@link FrameFormat}. Throws an
 * `InvalidArgumentError` naming the option at fault (an unknown option name included).
 *
 * @example
 * ```ts
 * // Netty LengthFieldBasedFrameDecoder(maxFrameLength = 1 MiB, lengthFieldLength = 2)
 * const format = defineFrameFormat({ prefix: 'uint16', maxFrameLength: 65_535 });
 * ```
 */
export function defineFrameFormat(options?: FrameFormatOptions): FrameFormat {
  return checkFrameFormat(options, 'options');
}

/**
 * The format a decoder, encoder, stream or channel runs with: a {@link FrameFormat} (a preset or
 * one from {@link defineFrameFormat}) as it is, or frame format options, validated here once as
 * {@link defineFrameFormat} does. `undefined` is {@link FrameFormats.uint32BE}.
 */
export function toFrameFormat(format: FrameFormatOptions | undefined, argument = 'format'): FrameFormat {
  if (format === undefined) return FrameFormats.uint32BE;
  if (definedFormats.has(format as FrameFormat)) return format as FrameFormat;
  return checkFrameFormat(format, argument);
}

function checkFrameFormat(options: FrameFormatOptions | undefined, argument: string): FrameFormat {
  const given = checkOptions(argument, options, formatOptionNames);
  const prefix = checkOneOf(
    `${argument}.prefix`,
    given.prefix ?? 'uint32',
    Object.keys(PREFIX_WIDTH) as LengthPrefix[],
  );
  const endian = checkOneOf(`${argument}.endian`, given.endian ?? 'big', ['big', 'little'] as const);
  const lengthOffset = checkIntegerIn(
    `${argument}.lengthOffset`,
    given.lengthOffset ?? 0,
    0,
    MAX_LENGTH_OFFSET,
  );
  const lengthAdjustment = checkIntegerIn(
    `${argument}.lengthAdjustment`,
    given.lengthAdjustment ?? 0,
    Number.MIN_SAFE_INTEGER,
    Number.MAX_SAFE_INTEGER,
    'a safe integer',
  );
  const lengthIncludesHeader = checkBoolean(
    `${argument}.lengthIncludesHeader`,
    given.lengthIncludesHeader ?? false,
  );
  const fieldMax = PREFIX_MAX[prefix];
  const headerLength = lengthOffset + (prefix === 'varint' ? 1 : PREFIX_WIDTH[prefix]);
  const largestPayload = fieldMax + lengthAdjustment - (lengthIncludesHeader ? headerLength : 0);
  if (largestPayload < 0) {
    throw new InvalidArgumentError(
      `${argument}.lengthAdjustment`,
      'one that leaves room for a payload',
      lengthAdjustment,
      {
        message: `lengthAdjustment ${lengthAdjustment} (with lengthIncludesHeader ${lengthIncludesHeader}) leaves no room for a payload in a ${prefix} length field`,
      },
    );
  }
  const maxFrameLength = checkIntegerIn(
    `${argument}.maxFrameLength`,
    given.maxFrameLength ?? Math.min(DEFAULT_MAX_FRAME_LENGTH, largestPayload),
    0,
    Number.MAX_SAFE_INTEGER,
    'a non-negative safe integer',
  );
  if (maxFrameLength > largestPayload) {
    throw new InvalidArgumentError(
      `${argument}.maxFrameLength`,
      `at most ${largestPayload}`,
      maxFrameLength,
      {
        message: `maxFrameLength ${maxFrameLength} is more than a ${prefix} length field can express (${largestPayload})`,
      },
    );
  }
  const keepHeader = checkBoolean(`${argument}.keepHeader`, given.keepHeader ?? false);
  const compressedFlag = checkBoolean(`${argument}.compressedFlag`, given.compressedFlag ?? false);
  if (compressedFlag && lengthOffset < 1) {
    throw new InvalidArgumentError(
      `${argument}.lengthOffset`,
      'at least 1 with compressedFlag',
      lengthOffset,
      {
        message: 'compressedFlag needs a header byte before the length: lengthOffset must be at least 1',
      },
    );
  }
  const format = Object.freeze({
    prefix,
    endian,
    lengthOffset,
    lengthAdjustment,
    lengthIncludesHeader,
    maxFrameLength,
    keepHeader,
    compressedFlag,
  });
  definedFormats.add(format);
  return format;
}

/**
 * Frame formats met in the wild. Each is a frozen {@link FrameFormat}; derive a variant with
 * `defineFrameFormat({ ...FrameFormats.uint32BE, maxFrameLength: 1024 })`.
 */
export const FrameFormats = Object.freeze({
  /** 4-byte big-endian length: Python `struct.pack('!I', len(p)) + p`, Netty, tokio-util's default. */
  uint32BE: defineFrameFormat({ prefix: 'uint32', endian: 'big' }),
  /** 4-byte little-endian length: Python `struct.pack('<I', len(p)) + p`. */
  uint32LE: defineFrameFormat({ prefix: 'uint32', endian: 'little' }),
  /** 2-byte big-endian length (payloads up to 65,535 bytes): Python `struct.pack('!H', len(p)) + p`. */
  uint16BE: defineFrameFormat({ prefix: 'uint16', endian: 'big' }),
  /** Unsigned LEB128 varint length: protobuf `writeDelimitedTo`, libp2p / it-length-prefixed, length-prefixed-stream. */
  varint: defineFrameFormat({ prefix: 'varint' }),
  /**
   * gRPC message header: the Compressed-Flag byte, then a 4-byte big-endian length; gRPC's 4 MiB
   * default limit. Compressed messages are refused (`CompressedFrameError`); to handle them, derive
   * `{ ...FrameFormats.grpc, keepHeader: true }` and read the flag at `frame[0]`, the message at `frame.subarray(5)`.
   */
  grpc: defineFrameFormat({
    prefix: 'uint32',
    endian: 'big',
    lengthOffset: 1,
    maxFrameLength: 4 * 1024 * 1024,
    compressedFlag: true,
  }),
});
