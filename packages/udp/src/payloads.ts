import { checkBytes, checkMethods } from '@sockkit/core/internals';
import type { MessageCodec } from '@sockkit/framing';
import { type DatagramSource, type NodeSender, sourceOf } from './destination.js';
import { InvalidArgumentError } from './errors.js';

/**
 * Turns messages into datagram payloads and back: `createCodec(schema)` from `@sockkit/framing`
 * (MessagePack checked by a zod schema), or anything with the same two methods. `decode` throws on
 * bytes that are not a valid message; the endpoint then drops and counts that datagram.
 */
export type DatagramCodec<T> = Pick<MessageCodec<T>, 'encode' | 'decode'>;

/** What `decode` returns for bytes the codec refused (a codec never returns a fresh symbol). */
export const UNDECODABLE: unique symbol = Symbol('undecodable');

/** Raw payloads: the bytes as they are, and nothing that is not bytes (a string would go out as zeros). */
const identity: DatagramCodec<Uint8Array> = {
  encode: (message) => checkBytes('message', message),
  decode: (bytes) => bytes,
};

/**
 * An endpoint's codec as its parts use it: encoding checked to give bytes, decoding failures
 * counted (and announced through `onDecodeError`) instead of thrown.
 */
export class Payloads<T> {
  readonly #codec: DatagramCodec<T>;
  readonly #onDecodeError: (from: DatagramSource) => void;
  /** Payloads the codec could not decode or validate. */
  decodeErrors = 0;

  constructor(codec: DatagramCodec<T> | undefined, onDecodeError: (from: DatagramSource) => void) {
    this.#codec =
      codec === undefined
        ? (identity as unknown as DatagramCodec<T>)
        : checkMethods(
            'options.codec',
            codec,
            ['encode', 'decode'],
            'a codec with encode and decode (createCodec(schema))',
          );
    this.#onDecodeError = onDecodeError;
  }

  /** Whether payloads are the raw bytes (no codec): a received payload is then the message itself. */
  get raw(): boolean {
    return this.#codec === identity;
  }

  /** The payload of `message`: its encoding, which must be bytes. */
  encode(message: T): Uint8Array {
    const payload = this.#codec.encode(message);
    if (!(payload instanceof Uint8Array)) {
      throw new InvalidArgumentError('options.codec', 'a codec whose encode returns a Uint8Array', payload);
    }
    return payload;
  }

  /**
   * The decoded message, or {@link UNDECODABLE} (counted) when the codec refuses the bytes of
   * `from` (a sender as the endpoint reports it, or as Node does).
   */
  decode(bytes: Uint8Array, from: DatagramSource | NodeSender): T | typeof UNDECODABLE {
    try {
      return this.#codec.decode(bytes);
    } catch {
      this.decodeErrors++;
      this.#onDecodeError('address' in from ? sourceOf(from) : from);
      return UNDECODABLE;
    }
  }
}
