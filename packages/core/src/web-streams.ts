import { ReadableStream, WritableStream } from 'node:stream/web';
import type { ByteStream } from './byte-stream.js';
import { DEFAULT_READ_SIZE } from './constants.js';

type StreamPair = { readable: ReadableStream<Uint8Array>; writable: WritableStream<Uint8Array> };

/** Each socket's one pair, made on first use. */
const pairs = new WeakMap<ByteStream, StreamPair>();

/**
 * The WHATWG stream pair over a stream socket, made on first use. The readable pulls with `recv` only when its reader
 * wants more (high-water mark 0), so the socket's own bound stays the only buffer; the writable
 * writes with `sendAll`, and closing it shuts down the write side.
 */
export function socketStreams(socket: ByteStream): StreamPair {
  let pair = pairs.get(socket);
  if (pair === undefined) {
    pair = makeStreams(socket);
    pairs.set(socket, pair);
  }
  return pair;
}

function makeStreams(socket: ByteStream): StreamPair {
  const readable = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const chunk = await socket.recv(DEFAULT_READ_SIZE);
        if (chunk.length === 0) controller.close();
        else controller.enqueue(chunk);
      },
      cancel() {
        if (!socket.closed) socket.shutdown('read');
      },
    },
    { highWaterMark: 0 },
  );
  const writable = new WritableStream<Uint8Array>({
    write: (chunk) => socket.sendAll(chunk),
    close() {
      if (!socket.closed) socket.shutdown('write');
    },
    abort: () => socket.close(),
  });
  return { readable, writable };
}
