import { InvalidArgumentError } from '@sockkit/core';
import { checkBytes, checkIntegerIn } from '@sockkit/core/internals';
import { FrameTooLargeError } from './errors.js';
import {
  type FrameFormat,
  type FrameFormatOptions,
  prefixMaxValue,
  prefixWidth,
  toFrameFormat,
  varintLength,
} from './format.js';

/**
 * The length field value for a payload, or a {@link FrameTooLargeError} if the payload is over
 * `maxFrameLength` or over what the prefix can express (never truncated).
 */
function lengthField(payloadLength: number, format: FrameFormat): number {
  if (payloadLength > format.maxFrameLength)
    throw new FrameTooLargeError(payloadLength, format.maxFrameLength);
  let field = payloadLength - format.lengthAdjustment;
  if (format.lengthIncludesHeader) {
    const base = field;
    field = base + format.lengthOffset + fieldWidth(base, format);
    // Counting the header can lengthen a varint, which changes the count: settle it.
    while (base + format.lengthOffset + fieldWidth(field, format) !== field) {
      field = base + format.lengthOffset + fieldWidth(field, format);
    }
  }
  const fieldMax = prefixMaxValue(format.prefix);
  if (field < 0 || field > fieldMax) {
    throw new FrameTooLargeError(
      payloadLength,
      format.maxFrameLength,
      `A ${format.prefix} length field cannot express a ${payloadLength}-byte payload (field value ${field}, range 0..${fieldMax})`,
    );
  }
  return field;
}

function fieldWidth(field: number, format: FrameFormat): number {
  return format.prefix === 'varint' ? varintLength(field) : prefixWidth(format.prefix);
}

function headerLength(field: number, format: FrameFormat): number {
  return format.lengthOffset + fieldWidth(field, format);
}

/** Writes a header at `at` of `target` (offset bytes as zeros); returns the position after it. */
function writeHeader(target: Uint8Array, at: number, field: number, format: FrameFormat): number {
  if (format.lengthOffset > 0) {
    target.fill(0, at, at + format.lengthOffset);
    at += format.lengthOffset;
  }
  const little = format.endian === 'little';
  switch (format.prefix) {
    case 'uint8':
      target[at] = field;
      return at + 1;
    case 'uint16':
      target[at + (little ? 0 : 1)] = field & 0xff;
      target[at + (little ? 1 : 0)] = field >>> 8;
      return at + 2;
    case 'uint32':
      writeUint32(target, at, field, little);
      return at + 4;
    case 'uint64': {
      const high = Math.floor(field / 0x1_0000_0000);
      writeUint32(target, little ? at + 4 : at, high, little);
      writeUint32(target, little ? at : at + 4, field >>> 0, little);
      return at + 8;
    }
    case 'varint':
      while (field >= 0x80) {
        target[at++] = (field & 0x7f) | 0x80;
        field = Math.floor(field / 0x80);
      }
      target[at++] = field;
      return at;
  }
}

function writeUint32(target: Uint8Array, at: number, value: number, little: boolean): void {
  if (little) {
    target[at] = value & 0xff;
    target[at + 1] = (value >>> 8) & 0xff;
    target[at + 2] = (value >>> 16) & 0xff;
    target[at + 3] = value >>> 24;
  } else {
    target[at] = value >>> 24;
    target[at + 1] = (value >>> 16) & 0xff;
    target[at + 2] = (value >>> 8) & 0xff;
    target[at + 3] = value & 0xff;
  }
}

/** Bytes of the frame of a `payloadLength`-byte payload, header included; throws {@link FrameTooLargeError} like {@link encodeFrame}. */
export function frameLength(payloadLength: number, format: FrameFormat): number {
  return headerLength(lengthField(payloadLength, format), format) + payloadLength;
}

/**
 * Writes the frame of `payload` at `at` of `target` and returns the position after it, or -1
 * (writing nothing) when it does not fit. Throws {@link FrameTooLargeError} like
 * {@link encodeFrame}. Not exported from the package: the channel's send batches use it.
 */
export function encodeFrameInto(
  target: Uint8Array,
  at: number,
  payload: Uint8Array,
  format: FrameFormat,
): number {
  const field = lengthField(payload.length, format);
  const end = at + headerLength(field, format) + payload.length;
  if (end > target.length) return -1;
  target.set(payload, writeHeader(target, at, field, format));
  return end;
}

/**
 * The header alone for a payload of `payloadLength` bytes, for writing a large payload after it
 * without copying it (`socket.cork(); write(header); write(payload); socket.uncork()`).
 * Throws {@link FrameTooLargeError} like {@link encodeFrame}.
 */
export function encodeFrameHeader(payloadLength: number, formatOrOptions?: FrameFormatOptions): Uint8Array {
  const format = toFrameFormat(formatOrOptions);
  checkIntegerIn('payloadLength', payloadLength, 0, Number.MAX_SAFE_INTEGER);
  const field = lengthField(payloadLength, format);
  const header = new Uint8Array(headerLength(field, format));
  writeHeader(header, 0, field, format);
  return header;
}

/**
 * The frame of a payload given as pieces: its header, then the pieces themselves (not joined).
 * Checks every piece is bytes; throws {@link FrameTooLargeError} like {@link encodeFrame}.
 */
export function encodePieces(pieces: readonly unknown[], format: FrameFormat): Uint8Array[] {
  const chunks: Uint8Array[] = [new Uint8Array(0)];
  let length = 0;
  for (let index = 0; index < pieces.length; index++) {
    const piece = checkBytes(`message[${index}]`, pieces[index]);
    chunks.push(piece);
    length += piece.length;
  }
  chunks[0] = encodeFrameHeader(length, format);
  return chunks;
}

/**
 * One frame: header and payload in one new buffer. Throws {@link FrameTooLargeError} if the
 * payload is over `maxFrameLength` or over what the prefix can express, and
 * `InvalidArgumentError` if it is not bytes (a string must be encoded first: nothing else is
 * written as zeros). `format` is a {@link FrameFormat} or the options of one (default
 * `FrameFormats.uint32BE`).
 *
 * @example
 * ```ts
 * socket.write(encodeFrame(new TextEncoder().encode('hello'))); // 00 00 00 05 68 65 6c 6c 6f
 * ```
 */
export function encodeFrame(payload: Uint8Array, formatOrOptions?: FrameFormatOptions): Uint8Array {
  const format = toFrameFormat(formatOrOptions);
  checkBytes('payload', payload);
  const field = lengthField(payload.length, format);
  const frame = Buffer.allocUnsafe(headerLength(field, format) + payload.length);
  frame.set(payload, writeHeader(frame, 0, field, format));
  return frame;
}

/** Payloads from this size on are written after their header without being copied into one frame. */
const UNCOPIED_PAYLOAD = 64 * 1024;

/**
 * One frame as the chunks to write: header and payload copied into one buffer, or for a payload
 * of 64 KiB or more the header followed by the payload itself, uncopied.
 */
export function encodeFrameChunks(payload: Uint8Array, format: FrameFormat): Uint8Array[] {
  return payload.length >= UNCOPIED_PAYLOAD
    ? [encodeFrameHeader(payload.length, format), payload]
    : [encodeFrame(payload, format)];
}

/**
 * Many frames written into one buffer, for a single `write` (one syscall instead of one per
 * frame). Checks every payload (bytes, within the limit) before writing any, so a refused
 * payload sends nothing.
 *
 * @example
 * ```ts
 * socket.write(encodeFrames(messages.map((m) => codec.encode(m)), FrameFormats.varint));
 * ```
 */
export function encodeFrames(
  payloads: readonly Uint8Array[],
  formatOrOptions?: FrameFormatOptions,
): Uint8Array {
  const format = toFrameFormat(formatOrOptions);
  if (!Array.isArray(payloads)) {
    throw new InvalidArgumentError('payloads', 'an array of Uint8Array', payloads);
  }
  // When the field is the payload length itself, a payload within the limit needs no other check.
  const direct = format.lengthAdjustment === 0 && !format.lengthIncludesHeader;
  const limit = format.maxFrameLength;
  let total = 0;
  for (let index = 0; index < payloads.length; index++) {
    const payload = payloads[index];
    // The name is built only for the error: this loop runs once per message of a batch.
    const length = (payload instanceof Uint8Array ? payload : checkBytes(`payloads[${index}]`, payload))
      .length;
    const field = direct && length <= limit ? length : lengthField(length, format);
    total += headerLength(field, format) + length;
  }
  const frames = Buffer.allocUnsafe(total);
  let at = 0;
  for (const payload of payloads) {
    const length = payload.length;
    at = writeHeader(frames, at, direct ? length : lengthField(length, format), format);
    frames.set(payload, at);
    at += length;
  }
  return frames;
}
