/** Default `maxFrameLength`: 8 MiB, as tokio-util's LengthDelimitedCodec. */
export const DEFAULT_MAX_FRAME_LENGTH = 8 * 1024 * 1024;

/** A varint length prefix never has more than this many bytes (64 bits in 7-bit groups). */
export const MAX_VARINT_BYTES = 10;

/** Largest `lengthOffset` (header bytes before the length field) a format may declare. */
export const MAX_LENGTH_OFFSET = 0xffff;
