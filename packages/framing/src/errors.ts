import { ClosedError, SockkitError, TimeoutError } from '@sockkit/core';

/** Codes of {@link FrameDecodeError} and its subclasses. */
export type FrameDecodeErrorCode =
  | 'SOCKKIT_ERR_FRAME_DECODE'
  | 'SOCKKIT_ERR_FRAME_TOO_LARGE'
  | 'SOCKKIT_ERR_TRUNCATED_FRAME'
  | 'SOCKKIT_ERR_COMPRESSED_FRAME';

/**
 * The literal `code` of every error class of `@sockkit/framing`, for `switch (error.code)`. Bad
 * arguments are core's `InvalidArgumentError` (`SOCKKIT_ERR_INVALID_ARGUMENT`), also exported here.
 */
export type FramingErrorCode =
  | FrameDecodeErrorCode
  | 'SOCKKIT_ERR_MESSAGE_DECODE'
  | 'SOCKKIT_ERR_MESSAGE_VALIDATION'
  | 'SOCKKIT_ERR_CHANNEL_CLOSED'
  | 'SOCKKIT_ERR_READ_TIMEOUT'
  | 'SOCKKIT_ERR_REQUEST_TIMEOUT'
  | 'SOCKKIT_ERR_REQUEST_BLOCKED'
  | 'SOCKKIT_ERR_SEND_QUEUE_FULL'
  | 'SOCKKIT_ERR_SEND_TIMEOUT'
  | 'SOCKKIT_ERR_CLOSE_TIMEOUT';

/**
 * The byte stream is not a valid sequence of frames (for example a varint longer than 10 bytes,
 * or a length that adjusts to a negative payload). The base of every frame-level error, so one
 * `instanceof FrameDecodeError` catches them all.
 */
export class FrameDecodeError extends SockkitError {
  static override readonly brand: symbol = Symbol.for('@sockkit/framing/FrameDecodeError');
  override readonly name: string = 'FrameDecodeError';
  readonly code: FrameDecodeErrorCode = 'SOCKKIT_ERR_FRAME_DECODE';

  constructor(message = 'Malformed frame header', options?: ErrorOptions) {
    super(message, options);
  }
}

/**
 * A frame header declared (or a caller tried to encode) a payload longer than `maxFrameLength`
 * or than the length prefix can express. Raised as soon as the header is read, before any
 * payload byte is buffered.
 */
export class FrameTooLargeError extends FrameDecodeError {
  static override readonly brand: symbol = Symbol.for('@sockkit/framing/FrameTooLargeError');
  override readonly name: string = 'FrameTooLargeError';
  override readonly code = 'SOCKKIT_ERR_FRAME_TOO_LARGE' as const;
  /** The payload length the header declared (or the payload given to the encoder). */
  readonly declaredLength: number;
  /** The largest payload allowed. */
  readonly maxFrameLength: number;

  constructor(declaredLength: number, maxFrameLength: number, message?: string, options?: ErrorOptions) {
    super(
      message ?? `Frame of ${declaredLength} bytes exceeds the limit of ${maxFrameLength} bytes`,
      options,
    );
    this.declaredLength = declaredLength;
    this.maxFrameLength = maxFrameLength;
  }
}

/** The stream ended inside a frame header or payload. */
export class TruncatedFrameError extends FrameDecodeError {
  static override readonly brand: symbol = Symbol.for('@sockkit/framing/TruncatedFrameError');
  override readonly name: string = 'TruncatedFrameError';
  override readonly code = 'SOCKKIT_ERR_TRUNCATED_FRAME' as const;
  /** Bytes still missing to complete the frame (for an unfinished varint header: at least this many). */
  readonly missingBytes: number;
  /** Bytes of the unfinished frame that had been received. */
  readonly receivedBytes: number;

  constructor(missingBytes: number, receivedBytes: number, options?: ErrorOptions) {
    super(
      `Stream ended inside a frame: ${receivedBytes} bytes received, ${missingBytes} more expected`,
      options,
    );
    this.missingBytes = missingBytes;
    this.receivedBytes = receivedBytes;
  }
}

/**
 * A gRPC frame whose Compressed-Flag is set (a format with `compressedFlag`): sockkit does not
 * decompress, so the message would reach the codec as compressed bytes. Raised as soon as the
 * header is read. To handle compressed messages, decode with `keepHeader` and read the flag yourself.
 */
export class CompressedFrameError extends FrameDecodeError {
  static override readonly brand: symbol = Symbol.for('@sockkit/framing/CompressedFrameError');
  override readonly name: string = 'CompressedFrameError';
  override readonly code = 'SOCKKIT_ERR_COMPRESSED_FRAME' as const;
  /** The flag byte received (1: compressed; gRPC defines no other value). */
  readonly flag: number;

  constructor(flag: number, options?: ErrorOptions) {
    super(
      `Compressed gRPC message (flag byte ${flag}): sockkit does not decompress; decode with keepHeader to handle it`,
      options,
    );
    this.flag = flag;
  }
}

/** Bytes that are not an acceptable MessagePack message (malformed, hostile or over a limit). */
export class MessageDecodeError extends SockkitError {
  static override readonly brand: symbol = Symbol.for('@sockkit/framing/MessageDecodeError');
  override readonly name: string = 'MessageDecodeError';
  readonly code = 'SOCKKIT_ERR_MESSAGE_DECODE' as const;

  constructor(message = 'Invalid MessagePack message', options?: ErrorOptions) {
    super(message, options);
  }
}

/**
 * A message that plain MessagePack cannot carry: a value that is not plain data (a `Date`, a
 * `Set`, a class instance, a function), a bigint beyond 64 bits, or nesting deeper than
 * `maxDepth` (a cycle, for one). Nothing is sent.
 */
export class MessageEncodeError extends SockkitError {
  static override readonly brand: symbol = Symbol.for('@sockkit/framing/MessageEncodeError');
  override readonly name: string = 'MessageEncodeError';
  readonly code = 'SOCKKIT_ERR_MESSAGE_ENCODE' as const;

  constructor(message = 'The message cannot be encoded as MessagePack', options?: ErrorOptions) {
    super(message, options);
  }
}

/** One schema problem, as zod reports it (a structural subset of zod's issue type). */
export interface MessageIssue {
  readonly code: string;
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

/** How many issues a {@link MessageValidationError} keeps and prints. */
export const MAX_REPORTED_ISSUES = 20;

/**
 * A decoded (or outgoing) message does not match the codec's schema. Carries the first
 * {@link MAX_REPORTED_ISSUES} of zod's issues and the total count; the message text is capped, so
 * a million-element bad array gives a short error, not hundreds of megabytes of text.
 */
export class MessageValidationError extends SockkitError {
  static override readonly brand: symbol = Symbol.for('@sockkit/framing/MessageValidationError');
  override readonly name: string = 'MessageValidationError';
  readonly code = 'SOCKKIT_ERR_MESSAGE_VALIDATION' as const;
  /** The first issues zod reported (at most {@link MAX_REPORTED_ISSUES}). */
  readonly issues: readonly MessageIssue[];
  /** How many issues zod reported in all. */
  readonly issueCount: number;

  constructor(issues: readonly MessageIssue[], options?: ErrorOptions) {
    const kept = issues.slice(0, MAX_REPORTED_ISSUES);
    const lines = kept.map((issue) => `  at ${formatPath(issue.path)}: ${clip(issue.message)}`);
    if (issues.length > kept.length) lines.push(`  ... and ${issues.length - kept.length} more`);
    const count = issues.length === 1 ? '1 issue' : `${issues.length} issues`;
    super(`Message does not match the schema (${count}):\n${lines.join('\n')}`, options);
    this.issues = kept;
    this.issueCount = issues.length;
  }
}

/** The channel was closed (by `close()`, by the peer, or after an error) before the operation finished. A {@link ClosedError}. */
export class ChannelClosedError extends ClosedError {
  static override readonly brand: symbol = Symbol.for('@sockkit/framing/ChannelClosedError');
  override readonly name: string = 'ChannelClosedError';
  readonly code = 'SOCKKIT_ERR_CHANNEL_CLOSED' as const;

  constructor(message = 'The framed channel is closed', options?: ErrorOptions) {
    super(message, options);
  }
}

/** A read deadline passed: a started frame did not complete in time, or the peer sent nothing for too long. A {@link TimeoutError}. */
export class ReadTimeoutError extends TimeoutError {
  static override readonly brand: symbol = Symbol.for('@sockkit/framing/ReadTimeoutError');
  override readonly name: string = 'ReadTimeoutError';
  readonly code = 'SOCKKIT_ERR_READ_TIMEOUT' as const;
  /** `'frame'`: a frame started and did not finish within `frameTimeout`; `'idle'`: no bytes within `idleTimeout`. */
  readonly reason: 'frame' | 'idle';
  /** The deadline that passed, in milliseconds. */
  readonly timeout: number;

  constructor(reason: 'frame' | 'idle', timeout: number, options?: ErrorOptions) {
    super(
      reason === 'frame'
        ? `A frame started but did not complete within ${timeout} ms`
        : `No data received for ${timeout} ms`,
      options,
    );
    this.reason = reason;
    this.timeout = timeout;
  }
}

/** Options of {@link RequestTimeoutError}: how many times the request went out, and to whom. */
export interface RequestTimeoutErrorOptions extends ErrorOptions {
  /** Times the request was sent (a datagram request retransmits). Default 1. */
  readonly attempts?: number;
  /** The peer that did not answer, when there is one to name (a datagram request's destination). */
  readonly to?: { readonly host: string; readonly port: number };
}

/**
 * A request got no reply in time: a framed channel's `request()` within its timeout, or a UDP
 * endpoint's `request()` after its last retransmission (`@sockkit/udp` throws this same class).
 * A {@link TimeoutError}.
 */
export class RequestTimeoutError extends TimeoutError {
  static override readonly brand: symbol = Symbol.for('@sockkit/framing/RequestTimeoutError');
  override readonly name: string = 'RequestTimeoutError';
  readonly code = 'SOCKKIT_ERR_REQUEST_TIMEOUT' as const;
  /** Milliseconds waited for the reply, from the first send. */
  readonly timeout: number;
  /** Times the request was sent: 1 over a stream; `retries + 1` over UDP. */
  readonly attempts: number;

  constructor(timeout: number, options?: RequestTimeoutErrorOptions) {
    const attempts = options?.attempts ?? 1;
    const to = options?.to;
    super(
      to === undefined
        ? `No reply within ${timeout} ms`
        : `No reply from ${formatPeer(to)} after ${attempts} attempt${attempts === 1 ? '' : 's'} (${timeout} ms)`,
      options,
    );
    this.timeout = timeout;
    this.attempts = attempts;
  }
}

/**
 * A `request()` cannot get its reply: nobody iterates the channel, and the unsolicited messages
 * received meanwhile filled its queue to the hard bound (twice `maxQueuedMessages`), so the
 * channel stopped reading and the reply, behind them on the stream, cannot arrive. Iterate the
 * channel (or raise `maxQueuedMessages`).
 */
export class RequestBlockedError extends SockkitError {
  static override readonly brand: symbol = Symbol.for('@sockkit/framing/RequestBlockedError');
  override readonly name: string = 'RequestBlockedError';
  readonly code = 'SOCKKIT_ERR_REQUEST_BLOCKED' as const;
  /** Unread messages queued when the request was refused. */
  readonly queuedMessages: number;

  constructor(queuedMessages: number, options?: ErrorOptions) {
    super(
      `The reply cannot arrive: ${queuedMessages} unread messages fill the channel's queue; iterate the channel or raise maxQueuedMessages`,
      options,
    );
    this.queuedMessages = queuedMessages;
  }
}

/**
 * The peer does not read what the channel sends: the sends queued behind its full write buffer
 * passed `maxQueuedSendBytes`, so the channel closed rather than hold them without bound.
 */
export class SendQueueFullError extends SockkitError {
  static override readonly brand: symbol = Symbol.for('@sockkit/framing/SendQueueFullError');
  override readonly name: string = 'SendQueueFullError';
  readonly code = 'SOCKKIT_ERR_SEND_QUEUE_FULL' as const;
  /** Bytes queued, the refused send included. */
  readonly queuedBytes: number;
  /** The `maxQueuedSendBytes` in force. */
  readonly limit: number;

  constructor(queuedBytes: number, limit: number, options?: ErrorOptions) {
    super(
      `The peer does not read: ${queuedBytes} bytes of sends would be queued, over maxQueuedSendBytes (${limit})`,
      options,
    );
    this.queuedBytes = queuedBytes;
    this.limit = limit;
  }
}

/** Queued sends made no progress for `sendTimeout` ms: the peer stopped reading (slow-read attack or a stuck peer). A {@link TimeoutError}. */
export class SendTimeoutError extends TimeoutError {
  static override readonly brand: symbol = Symbol.for('@sockkit/framing/SendTimeoutError');
  override readonly name: string = 'SendTimeoutError';
  readonly code = 'SOCKKIT_ERR_SEND_TIMEOUT' as const;
  /** The `sendTimeout` that passed, in milliseconds. */
  readonly timeout: number;

  constructor(timeout: number, options?: ErrorOptions) {
    super(`The peer read nothing for ${timeout} ms while sends waited`, options);
    this.timeout = timeout;
  }
}

/**
 * `close()` gave up flushing at its timeout: the peer did not take every byte sent, and what was
 * still queued or in the connection's write buffer was dropped. The channel's `error` after such a
 * close (a clean close leaves it `null`). A {@link TimeoutError}.
 */
export class CloseTimeoutError extends TimeoutError {
  static override readonly brand: symbol = Symbol.for('@sockkit/framing/CloseTimeoutError');
  override readonly name: string = 'CloseTimeoutError';
  readonly code = 'SOCKKIT_ERR_CLOSE_TIMEOUT' as const;
  /** The `close()` timeout that passed, in milliseconds. */
  readonly timeout: number;

  constructor(timeout: number, options?: ErrorOptions) {
    super(
      `close() gave up flushing after ${timeout} ms: the peer did not read, and unsent bytes were dropped`,
      options,
    );
    this.timeout = timeout;
  }
}

const MAX_ISSUE_TEXT = 200;

function formatPeer(peer: { readonly host: string; readonly port: number }): string {
  return peer.host.includes(':') ? `[${peer.host}]:${peer.port}` : `${peer.host}:${peer.port}`;
}

function clip(text: string): string {
  return text.length > MAX_ISSUE_TEXT ? `${text.slice(0, MAX_ISSUE_TEXT)}...` : text;
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return clip(path.map((key) => (typeof key === 'number' ? `[${key}]` : `.${String(key)}`)).join(''));
}

/** Whether `error` says a message was malformed or invalid (what `onInvalid: 'skip'` skips), not that the channel broke. */
export function isInvalidMessage(error: unknown): error is MessageDecodeError | MessageValidationError {
  return error instanceof MessageDecodeError || error instanceof MessageValidationError;
}
