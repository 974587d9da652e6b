import { basename } from 'node:path';
import { z } from 'zod';

/**
 * The file transfer: the sender offers a name and size; the receiver accepts or refuses
 * (`failed`); the sender streams chunks and ends with the SHA-256 of what it read; the
 * receiver answers with one receipt.
 */

/** Bytes per chunk message: large enough to amortise framing, far below the frame limit. */
export const CHUNK_SIZE = 256 * 1024;

/** Every message of a transfer, both directions: the sender's offer, chunks and end; the receiver's answer and receipt. */
export const TransferMessage = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('offer'),
    name: z.string().min(1).max(255),
    size: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  }),
  z.object({ type: z.literal('accepted') }),
  z.object({
    type: z.literal('chunk'),
    data: z.custom<Uint8Array>((value) => value instanceof Uint8Array, 'bytes'),
  }),
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
