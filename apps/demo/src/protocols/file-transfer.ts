import { basename } from 'node:path';
import { z } from 'zod';

/**
 * The file transfer, on one TCP connection:
 *
 * 1. sender: an `offer` message (name and size);
 * 2. receiver: `accepted`, or `failed` with the reason (too big, a name it will not take);
 * 3. sender: exactly `size` bytes of the file, as they are: the offer's size is their length
 *    prefix, as a frame's header is its payload's (HTTP's Content-Length does the same), so no
 *    byte is copied into a message on the way;
 * 4. sender: an `end` message with the SHA-256 of what it read;
 * 5. receiver: one receipt, `saved` (under the name it got) or `failed`.
 *
 * Each message is MessagePack, checked by zod, in a frame with a 4-byte big-endian length
 * prefix (`struct.pack('!I', len)`), at most {@link MAX_MESSAGE_LENGTH} bytes.
 */

/** Messages are small; a peer announcing a longer one is not speaking this protocol. */
export const MAX_MESSAGE_LENGTH = 64 * 1024;

/** Every message of a transfer, both directions: the sender's offer and end; the receiver's answer and receipt. */
export const TransferMessage = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('offer'),
    name: z.string().min(1).max(255),
    size: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  }),
  z.object({ type: z.literal('accepted') }),
  z.object({ type: z.literal('end'), sha256: z.string().regex(/^[0-9a-f]{64}$/, 'a hex SHA-256') }),
  z.object({ type: z.literal('saved'), name: z.string(), sha256: z.string() }),
  z.object({ type: z.literal('failed'), reason: z.string() }),
]);
export type TransferMessage = z.infer<typeof TransferMessage>;
export type Receipt = Extract<TransferMessage, { type: 'saved' | 'failed' }>;

/**
 * The name a received file may have: the last path segment, never hidden, never `..`:
 * a peer's name must not choose where on our disk a file lands.
 */
export function safeFileName(offered: string): string | undefined {
  const name = basename(offered.replaceAll('\\', '/'));
  if (name === '' || name.startsWith('.') || name.includes('\0')) return undefined;
  return name;
}
