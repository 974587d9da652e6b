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

/**
 * Validates frame format options once and returns a frozen {@link FrameFormat}.
 * Throws a `RangeError` naming the option at fault.
 *
 * @example
 * ```ts
 * // Netty LengthFieldBasedFrameDecoder(maxFrameLength = 1 MiB, lengthFieldLength = 2)
 * const format = defineFrameFormat({ prefix: 'uint16', maxFrameLength: 65_535 });
 * ```
 */
export function defineFrameFormat(options: FrameFormatOptions = {}): FrameFormat {
  const prefix = options.prefix ?? 'uint32';
  if (!Object.hasOwn(PREFIX_WIDTH, prefix)) {
    throw new RangeError(
      `prefix must be one of ${Object.keys(PREFIX_WIDTH).join(', ')}; got ${String(prefix)}`,
    );
  }
  const endian = options.endian ?? 'big';
  if (endian !== 'big' && endian !== 'little') {
    throw new RangeError(`endian must be 'big' or 'little'; got ${String(endian)}`);
  }
  const lengthOffset = options.lengthOffset ?? 0;
  if (!Number.isInteger(lengthOffset) || lengthOffset < 0 || lengthOffset > MAX_LENGTH_OFFSET) {
    throw new RangeError(
      `lengthOffset must be an integer from 0 to ${MAX_LENGTH_OFFSET}; got ${lengthOffset}`,
    );
  }
  const lengthAdjustment = options.lengthAdjustment ?? 0;
  if (!Number.isSafeInteger(lengthAdjustment)) {
    throw new RangeError(`lengthAdjustment must be a safe integer; got ${lengthAdjustment}`);
  }
  const lengthIncludesHeader = options.lengthIncludesHeader ?? false;
  if (typeof lengthIncludesHeader !== 'boolean') {
    throw new RangeError(`lengthIncludesHeader must be a boolean; got ${String(lengthIncludesHeader)}`);
  }
  const fieldMax = PREFIX_MAX[prefix];
  const headerLength = lengthOffset + (prefix === 'varint' ? 1 : PREFIX_WIDTH[prefix]);
  const largestPayload = fieldMax + lengthAdjustment - (lengthIncludesHeader ? headerLength : 0);
  if (largestPayload < 0) {
    throw new RangeError(
      `lengthAdjustment ${lengthAdjustment} (with lengthIncludesHeader ${lengthIncludesHeader}) leaves no room for a payload in a ${prefix} length field`,
    );
  }
  const maxFrameLength = options.maxFrameLength ?? Math.min(DEFAULT_MAX_FRAME_LENGTH, largestPayload);
  if (!Number.isSafeInteger(maxFrameLength) || maxFrameLength < 0) {
    throw new RangeError(`maxFrameLength must be a non-negative safe integer; got ${maxFrameLength}`);
  }
  if (maxFrameLength > largestPayload) {
    throw new RangeError(
      `maxFrameLength ${maxFrameLength} is more than a ${prefix} length field can express (${largestPayload})`,
    );
  }
  const keepHeader = options.keepHeader ?? false;
  if (typeof keepHeader !== 'boolean') {
    throw new RangeError(`keepHeader must be a boolean; got ${String(keepHeader)}`);
  }
  const compressedFlag = options.compressedFlag ?? false;
  if (typeof compressedFlag !== 'boolean') {
    throw new RangeError(`compressedFlag must be a boolean; got ${String(compressedFlag)}`);
  }
  if (compressedFlag && lengthOffset < 1) {
    throw new RangeError(
      'compressedFlag needs a header byte before the length: lengthOffset must be at least 1',
    );
  }
  return Object.freeze({
    prefix,
    endian,
    lengthOffset,
    lengthAdjustment,
    lengthIncludesHeader,
    maxFrameLength,
    keepHeader,
    compressedFlag,
  });
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
