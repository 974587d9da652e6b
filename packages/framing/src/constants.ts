/** Default `maxFrameLength`: 8 MiB, as tokio-util's LengthDelimitedCodec. */
export const DEFAULT_MAX_FRAME_LENGTH = 8 * 1024 * 1024;

/** A varint length prefix never has more than this many bytes (64 bits in 7-bit groups). */
export const MAX_VARINT_BYTES = 10;

/** Largest `lengthOffset` (header bytes before the length field) a format may declare. */
export const MAX_LENGTH_OFFSET = 0xffff;

/** Default time a started frame has to complete: 30 s. */
export const DEFAULT_FRAME_TIMEOUT = 30_000;
/** Default time without any received byte before the channel closes: 5 minutes. */
export const DEFAULT_IDLE_TIMEOUT = 300_000;
/** Default time `request()` waits for its reply: 30 s. */
export const DEFAULT_REQUEST_TIMEOUT = 30_000;
/** Default time `close()` waits for sent data to flush before closing anyway: 5 s. */
export const DEFAULT_CLOSE_TIMEOUT = 5_000;
/** Default time queued sends may wait without the peer reading anything: 30 s. */
export const DEFAULT_SEND_TIMEOUT = 30_000;
/**
 * Default bytes of sends queued behind a full write buffer before the channel gives up on the
 * peer: 1 MiB (plus the one send of any size that may always wait), so a server fanning out
 * to 1,000 peers that never read holds about 1 GiB, not 16.
 */
export const DEFAULT_MAX_QUEUED_SEND_BYTES = 1024 * 1024;
/** Default number of received messages queued before the channel stops reading from the connection. */
export const DEFAULT_MAX_QUEUED_MESSAGES = 64;
/**
 * Most bytes a channel decodes between two checks of its receive queue, so that one big chunk of
 * tiny frames (a Duplex may deliver megabytes at once) cannot queue more than this many bytes'
 * worth of messages past `maxQueuedMessages`.
 */
export const DECODE_SLICE = 64 * 1024;
