import type { Duplex } from 'node:stream';
import { InvalidArgumentError } from '@sockkit/core';
import {
  checkDelay,
  checkFunction,
  checkMethods,
  checkOneOf,
  checkOptionalDelay,
  checkOptions,
  checkPositiveInteger,
} from '@sockkit/core/internals';
import type { Correlation, FramedConnection, FramedOptions } from './channel.js';
import type { MessageCodec } from './codec.js';
import {
  DEFAULT_FRAME_TIMEOUT,
  DEFAULT_IDLE_TIMEOUT,
  DEFAULT_MAX_QUEUED_MESSAGES,
  DEFAULT_MAX_QUEUED_SEND_BYTES,
  DEFAULT_REQUEST_TIMEOUT,
  DEFAULT_SEND_TIMEOUT,
} from './constants.js';
import { type FrameFormat, toFrameFormat } from './format.js';

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
  };
}

/** The Duplex a channel runs over: a core socket's `makeFile()`, or the connection itself. */
export function duplexOf(connection: FramedConnection): Duplex {
  if (typeof connection === 'object' && connection !== null) {
    if ('makeFile' in connection)
      return checkFunction<() => Duplex>('connection.makeFile', connection.makeFile).call(connection);
    const duplex = connection as Partial<Duplex>;
    if (
      typeof duplex.on === 'function' &&
      typeof duplex.write === 'function' &&
      typeof duplex.pause === 'function'
    ) {
      return connection as Duplex;
    }
  }
  throw new InvalidArgumentError('connection', 'a @sockkit/core StreamSocket or a Node Duplex', connection);
}
