// The shared kinds of every sockkit error, from @sockkit/core, so framing users need no second import.
export {
  ClosedError,
  InvalidArgumentError,
  InvalidStateError,
  SockkitError,
  TimeoutError,
} from '@sockkit/core';
export {
  type ChannelStats,
  type Correlation,
  FramedChannel,
  type FramedConnection,
  type FramedOptions,
  type RequestOptions,
} from './channel.js';
export type {
  ChannelCloseEvent,
  ChannelFrameErrorEvent,
  ChannelMessageErrorEvent,
  ChannelRequestContext,
} from './channel-events.js';
export {
  type CodecOptions,
  createCodec,
  DEFAULT_MAX_DEPTH,
  DEFAULT_MAX_ELEMENTS,
  MAX_DEPTH_LIMIT,
  type MessageCodec,
} from './codec.js';
export {
  DEFAULT_CLOSE_TIMEOUT,
  DEFAULT_FRAME_TIMEOUT,
  DEFAULT_IDLE_TIMEOUT,
  DEFAULT_MAX_FRAME_LENGTH,
  DEFAULT_MAX_QUEUED_MESSAGES,
  DEFAULT_MAX_QUEUED_SEND_BYTES,
  DEFAULT_REQUEST_TIMEOUT,
  DEFAULT_SEND_TIMEOUT,
  MAX_LENGTH_OFFSET,
  MAX_VARINT_BYTES,
} from './constants.js';
export { decodeFrames } from './decode-frames.js';
export {
  type FrameCallback,
  FrameDecoder,
  type FrameDecoderOptions,
  type PiecesCallback,
} from './decoder.js';
export { encodeFrame, encodeFrameHeader, encodeFrames } from './encoder.js';
export {
  ChannelClosedError,
  CloseTimeoutError,
  CompressedFrameError,
  FrameDecodeError,
  type FrameDecodeErrorCode,
  FrameTooLargeError,
  type FramingErrorCode,
  MAX_REPORTED_ISSUES,
  MessageDecodeError,
  MessageEncodeError,
  type MessageIssue,
  MessageValidationError,
  ReadTimeoutError,
  RequestBlockedError,
  RequestTimeoutError,
  type RequestTimeoutErrorOptions,
  SendQueueFullError,
  SendTimeoutError,
  TruncatedFrameError,
} from './errors.js';
export {
  defineFrameFormat,
  type FrameFormat,
  type FrameFormatOptions,
  FrameFormats,
  type LengthPrefix,
} from './format.js';
export { framed } from './framed.js';
export {
  createFrameDecoderStream,
  createFrameEncoderStream,
  frameDecoderTransform,
  frameEncoderTransform,
} from './streams.js';
