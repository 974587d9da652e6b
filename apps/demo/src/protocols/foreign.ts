import {
  FrameDecodeError,
  FrameTooLargeError,
  MessageDecodeError,
  MessageValidationError,
} from '@sockkit/framing';

/**
 * Whether `error` says the peer's bytes are not messages of our protocol at all: not MessagePack,
 * the wrong shape, or a frame header no message of ours has. Before a peer's first answer, that
 * means it is some other program (an echo server echoing our own message back, say), not a peer
 * of ours that went wrong; a reset or a closed connection says nothing of the kind.
 */
export function isForeignBytes(error: unknown): boolean {
  return (
    error instanceof MessageDecodeError ||
    error instanceof MessageValidationError ||
    error instanceof FrameTooLargeError ||
    error instanceof FrameDecodeError
  );
}
