import { MAX_VARINT_BYTES } from './constants.js';
import { CompressedFrameError, FrameDecodeError, FrameTooLargeError } from './errors.js';
import { type FrameFormat, prefixWidth } from './format.js';

const UINT8 = 0;
const UINT16 = 1;
const UINT32 = 2;
const UINT64 = 3;
const VARINT = 4;
const PREFIX_KIND = { uint8: UINT8, uint16: UINT16, uint32: UINT32, uint64: UINT64, varint: VARINT } as const;

const TWO_POW_32 = 0x1_0000_0000;

/** Options of {@link FrameHeaderReader}. */
export interface FrameHeaderReaderOptions {
  /** Oversized frames are skipped, not refused: an unfinished varint is then refused early only past `maxSkipLength`. */
  readonly skipOversized: boolean;
  /** Largest oversized frame skipped; a larger one fails the decoder. */
  readonly maxSkipLength: number;
  /** Refuse a header whose first byte (gRPC's Compressed-Flag) is not 0. */
  readonly refuseCompressed: boolean;
}

/** Reads the frame headers of one format: the length field, and what is checked on the header alone. */
export class FrameHeaderReader {
  /** Header length for fixed-width prefixes; 0 for varints. */
  readonly fixedLength: number;
  /** Payload length of the header {@link read} read last. */
  declared = 0;

  readonly #kind: number;
  readonly #little: boolean;
  readonly #offset: number;
  readonly #adjustment: number;
  readonly #includesHeader: boolean;
  readonly #maxFrameLength: number;
  readonly #skipOversized: boolean;
  readonly #maxSkipLength: number;
  readonly #refuseCompressed: boolean;

  constructor(format: FrameFormat, options: FrameHeaderReaderOptions) {
    this.fixedLength = format.prefix === 'varint' ? 0 : format.lengthOffset + prefixWidth(format.prefix);
    this.#kind = PREFIX_KIND[format.prefix];
    this.#little = format.endian === 'little';
    this.#offset = format.lengthOffset;
    this.#adjustment = format.lengthAdjustment;
    this.#includesHeader = format.lengthIncludesHeader;
    this.#maxFrameLength = format.maxFrameLength;
    this.#skipOversized = options.skipOversized;
    this.#maxSkipLength = options.maxSkipLength;
    this.#refuseCompressed = options.refuseCompressed;
  }

  /**
   * Reads the header at `position`: returns its length and sets {@link declared} to the payload length,
   * or returns 0 if the header is not complete yet. Throws on a malformed header.
   */
  read(bytes: Uint8Array, position: number, end: number): number {
    let value: number;
    let headerLength = this.fixedLength;
    if (headerLength > 0) {
      if (end - position < headerLength) return 0;
      const at = position + this.#offset;
      switch (this.#kind) {
        case UINT8:
          value = bytes[at]!;
          break;
        case UINT16:
          value = this.#little ? bytes[at]! | (bytes[at + 1]! << 8) : (bytes[at]! << 8) | bytes[at + 1]!;
          break;
        case UINT32:
          value = this.#little ? readUint32LE(bytes, at) : readUint32BE(bytes, at);
          break;
        default: {
          const high = this.#little ? readUint32LE(bytes, at + 4) : readUint32BE(bytes, at);
          const low = this.#little ? readUint32LE(bytes, at) : readUint32BE(bytes, at + 4);
          value = high * TWO_POW_32 + low;
          if (high > 0x1f_ffff) throw new FrameTooLargeError(value, this.#maxFrameLength);
        }
      }
    } else {
      let at = position + this.#offset;
      value = 0;
      let scale = 1;
      for (let index = 0; ; index++) {
        if (at >= end) {
          this.#checkPartialVarint(value);
          return 0;
        }
        const byte = bytes[at++]!;
        value += (byte & 0x7f) * scale;
        if (byte < 0x80) {
          if (byte === 0 && index > 0) throw new FrameDecodeError('Non-minimal varint length prefix');
          break;
        }
        if (index === MAX_VARINT_BYTES - 1) {
          throw new FrameDecodeError(`Varint length prefix longer than ${MAX_VARINT_BYTES} bytes`);
        }
        scale *= 0x80;
      }
      if (value > Number.MAX_SAFE_INTEGER) {
        throw new FrameDecodeError('Varint length prefix above 2^53 - 1');
      }
      headerLength = at - position;
    }
    if (this.#refuseCompressed && bytes[position] !== 0) throw new CompressedFrameError(bytes[position]!);
    const payloadLength = value + this.#adjustment - (this.#includesHeader ? headerLength : 0);
    if (payloadLength < 0) {
      throw new FrameDecodeError(
        `Length field ${value} adjusts to a negative payload length (${payloadLength})`,
      );
    }
    this.declared = payloadLength;
    return headerLength;
  }

  /** Fails as soon as an unfinished varint already declares more than the limit (or than can be skipped). */
  #checkPartialVarint(lowerBound: number): void {
    const largestHeader = this.#includesHeader ? this.#offset + MAX_VARINT_BYTES : 0;
    const payloadAtLeast = lowerBound + this.#adjustment - largestHeader;
    if (this.#skipOversized) {
      if (payloadAtLeast > this.#maxSkipLength) {
        throw tooLargeToSkip(payloadAtLeast, this.#maxFrameLength, this.#maxSkipLength);
      }
      return;
    }
    if (payloadAtLeast > this.#maxFrameLength) {
      throw new FrameTooLargeError(
        payloadAtLeast,
        this.#maxFrameLength,
        `Frame of at least ${payloadAtLeast} bytes exceeds the limit of ${this.#maxFrameLength} bytes`,
      );
    }
  }
}

/** The error for an oversized frame that is too large even to skip (`maxSkipLength`). */
export function tooLargeToSkip(
  declared: number,
  maxFrameLength: number,
  maxSkipLength: number,
): FrameTooLargeError {
  return new FrameTooLargeError(
    declared,
    maxFrameLength,
    `Frame of ${declared} bytes exceeds the limit of ${maxFrameLength} bytes and is too large to skip (maxSkipLength ${maxSkipLength})`,
  );
}

function readUint32BE(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
}

function readUint32LE(bytes: Uint8Array, at: number): number {
  return (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
}
