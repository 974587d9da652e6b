import { SocketTimeoutError, type StreamSocket } from '@sockkit/core';
import { createCodec, defineFrameFormat, encodeFrame, FrameDecoder } from '@sockkit/framing';
import { MAX_MESSAGE_LENGTH, TransferMessage } from '../protocols/file-transfer.js';

const codec = createCodec(TransferMessage);
const format = defineFrameFormat({ prefix: 'uint32', endian: 'big', maxFrameLength: MAX_MESSAGE_LENGTH });

/** Most bytes one `recv` asks for: Node hands over what one read from the kernel gave (64 KiB), as a view. */
const RECV_SIZE = 1024 * 1024;

/**
 * One transfer's connection: framed typed messages (`send`, `next`), and between them the file's
 * raw bytes (`sendBytes`, `receiveBytes`), all over the classic `recv`/`sendAll` of a
 * `@sockkit/core` stream socket. A `FrameDecoder` cuts the messages out of what `recv` returns;
 * the raw bytes are counted against the offered size and handed on as the views `recv` gives,
 * never copied.
 */
export class TransferChannel {
  readonly #conn: StreamSocket;
  readonly #decoder = new FrameDecoder(format);
  readonly #frames: Uint8Array[] = [];

  constructor(conn: StreamSocket) {
    this.#conn = conn;
  }

  send(message: TransferMessage): Promise<void> {
    return this.#conn.sendAll(encodeFrame(codec.encode(message), format));
  }

  /**
   * The next message. Rejects when the connection ends first, when nothing arrives for `idle`
   * ms (`null`: wait as long as it takes), and when the bytes are not a transfer message.
   */
  async next(idle: number | null): Promise<TransferMessage> {
    while (this.#frames.length === 0) this.#frames.push(...this.#decoder.push(await this.#recv(idle)));
    return codec.decode(this.#frames.shift()!);
  }

  /** Sends raw bytes (the file's), resolving once the kernel has them, so the buffer may be reused. */
  sendBytes(bytes: Uint8Array): Promise<void> {
    return this.#conn.sendAll(bytes);
  }

  /**
   * Receives exactly `size` raw bytes, handing each piece to `onBytes` as it arrives (waiting for
   * what it returns before the next `recv`, so a slow disk slows the sender through TCP); the
   * bytes after them are the next message.
   */
  async receiveBytes(
    size: number,
    idle: number | null,
    onBytes: (bytes: Uint8Array) => void | Promise<void>,
  ): Promise<void> {
    if (this.#frames.length > 0 || this.#decoder.inFrame)
      throw new Error('the sender sent data before its offer was accepted');
    // One timer for the whole file, pushed back at every chunk: a timeout on each recv would arm
    // and clear a timer some 4,000 times for 256 MiB.
    let silent = false;
    const watchdog =
      idle === null
        ? undefined
        : setTimeout(() => {
            silent = true;
            void this.#conn.reset();
          }, idle);
    try {
      for (let left = size; left > 0; ) {
        const chunk = await this.#recv(null);
        watchdog?.refresh();
        if (chunk.length > left) {
          this.#frames.push(...this.#decoder.push(chunk.subarray(left)));
          await onBytes(chunk.subarray(0, left));
          return;
        }
        left -= chunk.length;
        await onBytes(chunk);
        watchdog?.refresh();
      }
    } catch (error) {
      throw silent ? new Error(`the peer sent nothing for ${idle} ms`) : error;
    } finally {
      clearTimeout(watchdog);
    }
  }

  async #recv(idle: number | null): Promise<Uint8Array> {
    let chunk: Uint8Array;
    try {
      chunk = await this.#conn.recv(RECV_SIZE, idle === null ? undefined : { timeout: idle });
    } catch (error) {
      if (error instanceof SocketTimeoutError) throw new Error(`the peer sent nothing for ${idle} ms`);
      throw error;
    }
    if (chunk.length === 0) throw new Error('the peer closed the connection before the transfer finished');
    return chunk;
  }
}
