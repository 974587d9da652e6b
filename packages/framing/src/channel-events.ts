/**
 * Framing's documented `diagnostics_channel` channels and `NODE_DEBUG=sockkit:framing` lines.
 * Payloads name the channel, its connection and the error, never a payload's bytes.
 */
import { eventChannel, operationChannel, packageDebugLog } from '@sockkit/core/internals';
import type { ChannelStats, FramedChannel, FramedConnection } from './channel.js';
import {
  FrameDecodeError,
  isInvalidMessage,
  type MessageDecodeError,
  type MessageValidationError,
} from './errors.js';

/** Framing's debug logger: `NODE_DEBUG=sockkit` or `NODE_DEBUG=sockkit:framing`; `undefined` when off. */
export const log = packageDebugLog('framing');

/** Payload of `sockkit:channel:frameError`: a malformed frame failed the channel. */
export interface ChannelFrameErrorEvent {
  readonly channel: FramedChannel<unknown>;
  readonly connection: FramedConnection;
  readonly error: FrameDecodeError;
}

/** Payload of `sockkit:channel:messageError`: a frame's message did not decode or validate. */
export interface ChannelMessageErrorEvent {
  readonly channel: FramedChannel<unknown>;
  readonly connection: FramedConnection;
  readonly error: MessageDecodeError | MessageValidationError;
  /** True under `onInvalid: 'skip'` (the message was dropped), false when it failed the channel. */
  readonly skipped: boolean;
}

/** Payload of `sockkit:channel:close`: the channel closed, cleanly (`error` null) or failing. */
export interface ChannelCloseEvent {
  readonly channel: FramedChannel<unknown>;
  readonly connection: FramedConnection;
  readonly error: Error | null;
  readonly stats: ChannelStats;
}

/** Context of the `sockkit:channel:request` TracingChannel around `request()`. */
export interface ChannelRequestContext {
  readonly channel: FramedChannel<unknown>;
  /** Set by the TracingChannel on `error` (`RequestTimeoutError` ...). */
  error?: unknown;
}

export const requestChannel = operationChannel<ChannelRequestContext>('sockkit:channel:request');
const frameErrorChannel = eventChannel<ChannelFrameErrorEvent>('sockkit:channel:frameError');
const messageErrorChannel = eventChannel<ChannelMessageErrorEvent>('sockkit:channel:messageError');
const closeChannel = eventChannel<ChannelCloseEvent>('sockkit:channel:close');

type AnyChannel = FramedChannel<unknown>;

/** Announces a message dropped under `onInvalid: 'skip'`. */
export function announceSkipped(channel: AnyChannel, connection: FramedConnection, error: unknown): void {
  if (!isInvalidMessage(error)) return;
  log?.('skipped an invalid message from %s: %s', describe(connection), error);
  if (messageErrorChannel.hasSubscribers)
    messageErrorChannel.publish({ channel, connection, error, skipped: true });
}

/** Announces the end of a channel, and the frame or message error that ended it. */
export function announceClose(channel: AnyChannel, connection: FramedConnection): void {
  const { error } = channel;
  if (error instanceof FrameDecodeError) {
    if (frameErrorChannel.hasSubscribers) frameErrorChannel.publish({ channel, connection, error });
  } else if (isInvalidMessage(error)) {
    if (messageErrorChannel.hasSubscribers)
      messageErrorChannel.publish({ channel, connection, error, skipped: false });
  }
  log?.('channel to %s closed%s', describe(connection), error === null ? '' : `: ${String(error)}`);
  if (closeChannel.hasSubscribers) closeChannel.publish({ channel, connection, error, stats: channel.stats });
}

/** `host:port` or the path of the connection's peer, for log lines. */
function describe(connection: FramedConnection): string {
  const peer = connection as { getPeerName?: () => unknown; remoteAddress?: string; remotePort?: number };
  if (typeof peer.getPeerName === 'function') {
    try {
      const address = peer.getPeerName() as { host?: string; port?: number; path?: string };
      return address.path ?? `${address.host}:${address.port}`;
    } catch {
      return 'a closed socket';
    }
  }
  return peer.remoteAddress === undefined ? 'a stream' : `${peer.remoteAddress}:${peer.remotePort}`;
}
