import type { DatagramCodec } from '@sockkit/udp';
import { z } from 'zod';
import { MemberName } from './chat.js';

/**
 * udp-chat's two wire formats, one message per datagram.
 *
 * - Text (the default), the tutorial's own: the datagram is the line's UTF-8 bytes and nothing
 *   else, what `sendto(text.encode('utf-8'), peer)` sends and `recvfrom(1024)` then
 *   `decode('utf-8')` reads. No name travels; a peer is its address.
 * - Typed (`--typed`, sockkit peers only): a MessagePack {@link UdpChatMessage} checked by zod,
 *   carrying the sender's name; peer discovery needs it.
 */

/** The tutorial reads with `recvfrom(1024)`: a longer datagram would reach it cut short. */
export const MAX_TEXT_DATAGRAM_BYTES = 1024;
/** The longest text of one typed `say` (its schema's limit, in bytes to keep one rule for both formats). */
export const MAX_TYPED_TEXT_BYTES = 1000;

/** The typed datagrams: checked by zod on arrival. */
export const UdpChatMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('say'), name: MemberName, text: z.string().min(1).max(1000) }),
  /** "I am here": to the discovery group or broadcast address, or straight to a peer just found; `id` tells our own apart. */
  z.object({ type: z.literal('hello'), name: MemberName, id: z.string().max(32) }),
]);
export type UdpChatMessage = z.infer<typeof UdpChatMessage>;

const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Text datagrams: UTF-8 out; in, anything that is not valid UTF-8 is refused (the endpoint counts and drops it). */
export const textCodec: DatagramCodec<string> = {
  encode: (text) => utf8.encode(text),
  decode: (bytes) => strictUtf8.decode(bytes),
};

/**
 * `text` cut into pieces of at most `maxBytes` UTF-8 bytes, never inside a character, so each
 * piece fits one datagram the tutorial can `recvfrom(1024)` and decode on its own.
 */
export function splitText(text: string, maxBytes: number): string[] {
  const pieces: string[] = [];
  let piece = '';
  let pieceBytes = 0;
  for (const char of text) {
    const bytes = utf8.encode(char).length;
    if (pieceBytes + bytes > maxBytes) {
      pieces.push(piece);
      piece = '';
      pieceBytes = 0;
    }
    piece += char;
    pieceBytes += bytes;
  }
  if (piece !== '') pieces.push(piece);
  return pieces;
}

/**
 * A peer's text made safe to print: control characters (an escape sequence could move the
 * cursor, retitle the terminal, or hide what came before) become U+FFFD; tabs stay.
 */
export function printable(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it removes
  return text.replace(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g, '\ufffd');
}

/** How lines become datagrams and datagrams lines, in one of the two formats. */
export interface ChatWire<T> {
  readonly codec: DatagramCodec<T>;
  /** The datagrams that carry one typed line. */
  datagramsOf(line: string): T[];
  /** What a received datagram says: its sender's name when the format carries one, and a line, if any. */
  read(data: T): { readonly name?: string; readonly text?: string };
}

/** The tutorial's format: each line as plain UTF-8, split where it would not fit `recvfrom(1024)`. */
export const textWire: ChatWire<string> = {
  codec: textCodec,
  datagramsOf: (line) => splitText(line, MAX_TEXT_DATAGRAM_BYTES),
  read: (text) => ({ text }),
};

/** The typed format, speaking as `name`. */
export function typedWire(name: string, codec: DatagramCodec<UdpChatMessage>): ChatWire<UdpChatMessage> {
  return {
    codec,
    datagramsOf: (line) => splitText(line, MAX_TYPED_TEXT_BYTES).map((text) => ({ type: 'say', name, text })),
    read: (message) =>
      message.type === 'say' ? { name: message.name, text: message.text } : { name: message.name },
  };
}
