import { InvalidArgumentError } from '@sockkit/core';
import {
  checkDelay,
  checkMethods,
  checkOneOf,
  checkOptionalDelay,
  checkOptions,
  checkPositiveInteger,
} from '@sockkit/core/internals';
import type { MessageCodec } from './codec.js';
import {
  DEFAULT_CLOSE_TIMEOUT,
  DEFAULT_FRAME_TIMEOUT,
  DEFAULT_IDLE_TIMEOUT,
  DEFAULT_MAX_QUEUED_MESSAGES,
  DEFAULT_MAX_QUEUED_SEND_BYTES,
  DEFAULT_REQUEST_TIMEOUT,
  DEFAULT_SEND_TIMEOUT,
} from './constants.js';
import { FrameDecoder } from './decoder.js';
import { type FrameFormat, type FrameFormatOptions, toFrameFormat } from './format.js';

/** How `request()` marks a request with an id and recognises the reply to it. */
export interface Correlation<T> {
  /** Returns `request` carrying `id` (a new object; the caller's message is not changed). */
  stamp(request: T, id: number): T;
  /** The request id that `message` answers, or `undefined` when it is not a reply. */
  replyTo(message: T): number | undefined;
}

/** Options of `framed()`. */
export interface FramedOptions<T> {
  /** Frame format on the wire: a {@link FrameFormat} or the options of one. Default `FrameFormats.uint32BE`. */
  readonly format?: FrameFormatOptions;
  /** Message codec; without one, messages are the raw payload bytes. */
  readonly codec?: MessageCodec<T>;
  /** Milliseconds a frame may take from its first byte to its last (slowloris guard); `null` disables. Default 30 s. */
  readonly frameTimeout?: number | null;
  /** Milliseconds without receiving a byte before the channel closes; `null` disables. Default 5 minutes. */
  readonly idleTimeout?: number | null;
  /**
   * What a bad message (undecodable, wrong shape) or an oversized frame does: `'fail'` closes
   * this channel with the error, `'skip'` drops it and counts it in `stats.skipped`. A malformed
   * header always fails the channel, since the stream cannot be resynchronised. Default `'fail'`.
   */
  readonly onInvalid?: 'fail' | 'skip';
  /**
   * Under `onInvalid: 'skip'`, the largest oversized frame skipped (payload bytes); one declaring
   * more fails the channel with `FrameTooLargeError`, so a peer cannot make it read and discard
   * without end. Default four times the format's `maxFrameLength`.
   */
  readonly maxSkipLength?: number;
  /** Enables `request()`; see {@link Correlation}. */
  readonly correlation?: Correlation<T>;
  /** Default timeout of `request()`, in milliseconds. Default 30 s. */
  readonly requestTimeout?: number;
  /**
   * Unread received messages queued before the channel pauses reading (TCP then slows the peer).
   * While `request()`s wait for replies, reading goes on up to twice this, so replies get past
   * unsolicited messages nobody iterates; beyond that the waiting requests fail with
   * `RequestBlockedError`. Default 64.
   */
  readonly maxQueuedMessages?: number;
  /**
   * Bytes of sends queued while the peer does not read (behind a full write buffer) before the
   * channel closes with `SendQueueFullError`, so a fan-out of un-awaited sends to a peer that
   * never reads cannot grow memory without bound. One send of any size may always wait. Default 1 MiB.
   */
  readonly maxQueuedSendBytes?: number;
  /**
   * Milliseconds queued sends may wait for the write buffer to drain without any progress before
   * the channel closes with `SendTimeoutError`, so a peer that stops reading cannot hold the
   * connection (and a sender awaiting it) forever; `null` disables. Default 30 s.
   */
  readonly sendTimeout?: number | null;
  /**
   * Without a codec only: a received frame of at least this many bytes that spans chunks is
   * delivered uncopied, as `readonly Uint8Array[]` (the views of its bytes in the chunks it
   * arrived in, in order) instead of one `Uint8Array`; and `send` takes such a list too, written
   * after its header without being joined. For large frames that are written on (a file, another
   * socket): no allocation and no copy per frame, which is most of what a large frame costs
   * beyond the wire (see the README's benchmark). The price: a list instead of contiguous bytes,
   * and the chunks stay in memory while the message is held. Default: every frame is one
   * `Uint8Array`. Pass it to `framed()` literally: that overload types the channel's messages as
   * `Uint8Array | readonly Uint8Array[]` (options typed `FramedOptions<Uint8Array>` beforehand
   * would give a channel typed for `Uint8Array` alone).
   */
  readonly piecesFrom?: number;
}

/** Options of `FramedChannel.request()`. */
export interface RequestOptions {
  /** Milliseconds to wait for the reply; defaults to the channel's `requestTimeout`. */
  readonly timeout?: number;
  /** Cancels the wait; the request rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/** Counters of a `FramedChannel`. */
export interface ChannelStats {
  /** Messages decoded from the connection (replies to requests included). */
  readonly messagesReceived: number;
  /** Messages handed to the connection by `send`, `sendMany` and `request`. */
  readonly messagesSent: number;
  /** Messages or oversized frames dropped under `onInvalid: 'skip'`. */
  readonly skipped: number;
  /** `request()`s waiting for their reply now. */
  readonly pendingRequests: number;
  /** Bytes of sends waiting behind the connection's full write buffer now (bounded by `maxQueuedSendBytes`). */
  readonly queuedSendBytes: number;
}

/** A channel's options, checked once when it is made, with their defaults filled in. */
export interface ChannelOptions<T> {
  readonly format: FrameFormat;
  readonly codec: MessageCodec<T> | undefined;
  readonly skipInvalid: boolean;
  readonly maxSkipLength: number | undefined;
  readonly correlation: Correlation<T> | undefined;
  readonly requestTimeout: number;
  readonly frameTimeout: number | null;
  readonly idleTimeout: number | null;
  readonly maxQueuedMessages: number;
  readonly maxQueuedSendBytes: number;
  readonly sendTimeout: number | null;
  readonly piecesFrom: number | undefined;
}

const optionNames: readonly (keyof FramedOptions<unknown>)[] = [
  'format',
  'codec',
  'frameTimeout',
  'idleTimeout',
  'onInvalid',
  'maxSkipLength',
  'correlation',
  'requestTimeout',
  'maxQueuedMessages',
  'maxQueuedSendBytes',
  'sendTimeout',
  'piecesFrom',
];

/**
 * Checks every option of `framed()` (an unknown key, an `onInvalid` such as `'skip-all'`, a timer
 * over 2^31-1 ms, a codec or correlation without its methods) and fills in the defaults.
 */
export function channelOptions<T>(given: FramedOptions<T> | undefined): ChannelOptions<T> {
  const options = checkOptions('options', given, optionNames);
  const { codec, correlation } = options;
  if (correlation !== undefined) {
    checkMethods('options.correlation', correlation, ['stamp', 'replyTo'], '{ stamp, replyTo }');
  }
  return {
    format: toFrameFormat(options.format, 'options.format'),
    codec:
      codec === undefined
        ? undefined
        : checkMethods(
            'options.codec',
            codec,
            ['encode', 'decode'],
            'a codec with encode and decode (createCodec(schema))',
          ),
    skipInvalid: checkOneOf('options.onInvalid', options.onInvalid ?? 'fail', ['fail', 'skip']) === 'skip',
    maxSkipLength: options.maxSkipLength,
    correlation,
    requestTimeout: checkDelay('options.requestTimeout', options.requestTimeout ?? DEFAULT_REQUEST_TIMEOUT),
    frameTimeout: checkOptionalDelay('options.frameTimeout', options.frameTimeout, DEFAULT_FRAME_TIMEOUT),
    idleTimeout: checkOptionalDelay('options.idleTimeout', options.idleTimeout, DEFAULT_IDLE_TIMEOUT),
    maxQueuedMessages: checkPositiveInteger(
      'options.maxQueuedMessages',
      options.maxQueuedMessages ?? DEFAULT_MAX_QUEUED_MESSAGES,
    ),
    maxQueuedSendBytes: checkPositiveInteger(
      'options.maxQueuedSendBytes',
      options.maxQueuedSendBytes ?? DEFAULT_MAX_QUEUED_SEND_BYTES,
    ),
    sendTimeout: checkOptionalDelay('options.sendTimeout', options.sendTimeout, DEFAULT_SEND_TIMEOUT),
    piecesFrom: checkPiecesFrom(options.piecesFrom, codec),
  };
}

/** The timeout of `close(options)`, checked, 5 s by default. */
export function closeTimeout(options: { readonly timeout?: number } | undefined): number {
  const { timeout = DEFAULT_CLOSE_TIMEOUT } = checkOptions('options', options, ['timeout']);
  return checkDelay('options.timeout', timeout);
}

function checkPiecesFrom(piecesFrom: number | undefined, codec: unknown): number | undefined {
  if (piecesFrom === undefined) return undefined;
  if (codec !== undefined) {
    throw new InvalidArgumentError(
      'options.piecesFrom',
      'no codec beside it (a codec decodes contiguous bytes)',
      piecesFrom,
    );
  }
  return checkPositiveInteger('options.piecesFrom', piecesFrom);
}

/** The frame decoder of a channel with these options: invalid frames skipped when messages are. */
export function frameDecoderFor(options: ChannelOptions<unknown>): FrameDecoder {
  return new FrameDecoder(options.format, {
    skipOversized: options.skipInvalid,
    ...(options.maxSkipLength === undefined ? {} : { maxSkipLength: options.maxSkipLength }),
    ...(options.piecesFrom === undefined ? {} : { piecesFrom: options.piecesFrom }),
  });
}
