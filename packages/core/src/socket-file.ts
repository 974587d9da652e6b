import { Duplex } from 'node:stream';
import type { ByteStream } from './byte-stream.js';
import { DEFAULT_READ_SIZE } from './constants.js';

/**
 * A Node `Duplex` over a stream socket, for code written against Node streams (framing
 * channels, `pipeline`). Reads call `recv`, so the socket's high-water mark still bounds memory;
 * writes call `sendAll`; `end()` shuts down the write side; `destroy()` closes the socket.
 */
export function socketFile(socket: ByteStream): Duplex {
  let reading = false;
  return new Duplex({
    read(size) {
      if (reading) return;
      reading = true;
      socket.recv(Math.max(size, DEFAULT_READ_SIZE)).then(
        (chunk) => {
          reading = false;
          this.push(chunk.length === 0 ? null : chunk);
        },
        (error: unknown) => this.destroy(error as Error),
      );
    },
    write(chunk: Uint8Array, _encoding, callback) {
      socket.sendAll(chunk).then(() => callback(), callback);
    },
    final(callback) {
      try {
        socket.shutdown('write');
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
    destroy(error, callback) {
      socket.close().then(
        () => callback(error),
        (closeError: unknown) => callback((error ?? closeError) as Error),
      );
    },
  });
}
