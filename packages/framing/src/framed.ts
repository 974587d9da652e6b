import { FramedChannel } from './channel.js';
import type { FramedOptions } from './channel-options.js';
import type { MessageCodec } from './codec.js';
import type { FramedConnection } from './transport.js';

/**
 * Typed, framed messaging over a connection: the fix for TCP's sticky and half packets, with
 * backpressure, read deadlines and request/response.
 *
 * @example
 * ```ts
 * const Message = z.object({ text: z.string() });
 * const channel = framed(conn, { codec: createCodec(Message) });
 * await channel.send({ text: 'hello' });
 * for await (const message of channel) console.log(message.text);
 * await channel.close();
 * ```
 */
export function framed<T>(
  connection: FramedConnection,
  options: FramedOptions<T> & { readonly codec: MessageCodec<T> },
): FramedChannel<T>;
/** With `piecesFrom` (and no codec), a large frame is a list of chunks, received and sent uncopied. */
export function framed(
  connection: FramedConnection,
  options: FramedOptions<Uint8Array | readonly Uint8Array[]> & {
    readonly piecesFrom: number;
    readonly codec?: undefined;
  },
): FramedChannel<Uint8Array | readonly Uint8Array[]>;
/** Without a codec, messages are the raw payload bytes. */
export function framed(
  connection: FramedConnection,
  options?: FramedOptions<Uint8Array>,
): FramedChannel<Uint8Array>;
export function framed<T>(connection: FramedConnection, options: FramedOptions<T> = {}): FramedChannel<T> {
  return new FramedChannel(connection, options);
}
