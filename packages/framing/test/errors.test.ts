import { SockkitError } from '@sockkit/core';
import { describe, expect, it } from 'vitest';
import {
  ChannelClosedError,
  CloseTimeoutError,
  CompressedFrameError,
  FrameDecodeError,
  FrameTooLargeError,
  MessageDecodeError,
  MessageEncodeError,
  MessageValidationError,
  ReadTimeoutError,
  RequestBlockedError,
  RequestTimeoutError,
  SendQueueFullError,
  SendTimeoutError,
  TruncatedFrameError,
} from '../src/errors.ts';

const cause = new Error('underlying');

describe('errors', () => {
  it.each([
    [
      new FrameDecodeError(undefined, { cause }),
      FrameDecodeError,
      'SOCKKIT_ERR_FRAME_DECODE',
      /Malformed frame header/,
    ],
    [
      new FrameTooLargeError(10, 5),
      FrameTooLargeError,
      'SOCKKIT_ERR_FRAME_TOO_LARGE',
      /10 bytes exceeds the limit of 5/,
    ],
    [
      new TruncatedFrameError(3, 4),
      TruncatedFrameError,
      'SOCKKIT_ERR_TRUNCATED_FRAME',
      /4 bytes received, 3 more/,
    ],
    [
      new CompressedFrameError(1),
      CompressedFrameError,
      'SOCKKIT_ERR_COMPRESSED_FRAME',
      /Compressed gRPC message \(flag byte 1\).*keepHeader/,
    ],
    [
      new MessageEncodeError(undefined, { cause }),
      MessageEncodeError,
      'SOCKKIT_ERR_MESSAGE_ENCODE',
      /cannot be encoded as MessagePack/,
    ],
    [
      new MessageDecodeError(undefined, { cause }),
      MessageDecodeError,
      'SOCKKIT_ERR_MESSAGE_DECODE',
      /Invalid MessagePack/,
    ],
    [
      new MessageValidationError([{ code: 'invalid_type', path: ['a', 0], message: 'Expected number' }]),
      MessageValidationError,
      'SOCKKIT_ERR_MESSAGE_VALIDATION',
      /at \.a\[0\]: Expected number/,
    ],
    [new ChannelClosedError(), ChannelClosedError, 'SOCKKIT_ERR_CHANNEL_CLOSED', /channel is closed/],
    [
      new ReadTimeoutError('frame', 30_000),
      ReadTimeoutError,
      'SOCKKIT_ERR_READ_TIMEOUT',
      /did not complete within 30000 ms/,
    ],
    [
      new ReadTimeoutError('idle', 5),
      ReadTimeoutError,
      'SOCKKIT_ERR_READ_TIMEOUT',
      /No data received for 5 ms/,
    ],
    [
      new RequestTimeoutError(100),
      RequestTimeoutError,
      'SOCKKIT_ERR_REQUEST_TIMEOUT',
      /No reply within 100 ms/,
    ],
    [
      new RequestBlockedError(128),
      RequestBlockedError,
      'SOCKKIT_ERR_REQUEST_BLOCKED',
      /128 unread messages fill the channel's queue; iterate the channel/,
    ],
    [
      new SendQueueFullError(2048, 1024),
      SendQueueFullError,
      'SOCKKIT_ERR_SEND_QUEUE_FULL',
      /peer does not read: 2048 bytes .* over maxQueuedSendBytes \(1024\)/,
    ],
    [
      new CloseTimeoutError(100),
      CloseTimeoutError,
      'SOCKKIT_ERR_CLOSE_TIMEOUT',
      /close\(\) gave up flushing after 100 ms: the peer did not read, and unsent bytes were dropped/,
    ],
    [
      new SendTimeoutError(250),
      SendTimeoutError,
      'SOCKKIT_ERR_SEND_TIMEOUT',
      /peer read nothing for 250 ms while sends waited/,
    ],
  ])('%s has its class, name, code and message', (error, klass, code, message) => {
    expect(error).toBeInstanceOf(klass);
    expect(error).toBeInstanceOf(SockkitError);
    expect(error.name).toBe(klass.name);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
  });

  it('keeps the cause', () => {
    expect(new MessageDecodeError('bad', { cause }).cause).toBe(cause);
  });

  it('makes every frame error a FrameDecodeError', () => {
    expect(new FrameTooLargeError(2, 1)).toBeInstanceOf(FrameDecodeError);
    expect(new TruncatedFrameError(1, 1)).toBeInstanceOf(FrameDecodeError);
    expect(new CompressedFrameError(1)).toBeInstanceOf(FrameDecodeError);
    expect(new FrameDecodeError()).not.toBeInstanceOf(FrameTooLargeError);
  });

  it('recognises an error from another copy of the package by its brand', () => {
    class OtherCopy extends SockkitError {
      static override readonly brand: symbol = Symbol.for('@sockkit/framing/FrameTooLargeError');
      readonly code = 'SOCKKIT_ERR_FRAME_TOO_LARGE' as const;
    }
    expect(new OtherCopy('from elsewhere')).toBeInstanceOf(FrameTooLargeError);
  });

  it('caps the text of a validation error with many issues', () => {
    const issues = Array.from({ length: 1_000_000 }, (_, index) => ({
      code: 'invalid_type',
      path: [index],
      message: 'Expected number, received boolean',
    }));
    const error = new MessageValidationError(issues);
    expect(error.issueCount).toBe(1_000_000);
    expect(error.issues).toHaveLength(20);
    expect(error.message.length).toBeLessThan(2000);
    expect(error.message).toMatch(/and 999980 more/);
  });

  it('counts issues in words that agree: "1 issue", "2 issues"', () => {
    const issue = { code: 'custom', path: [], message: 'no' };
    expect(new MessageValidationError([issue]).message).toMatch(
      /^Message does not match the schema \(1 issue\):/,
    );
    expect(new MessageValidationError([issue, issue]).message).toMatch(/\(2 issues\):/);
  });
});
