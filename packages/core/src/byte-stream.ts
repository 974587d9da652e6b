import { DEFAULT_READ_SIZE } from './constants.js';
import type { BlockingOptions } from './waiter.js';

/**
 * The verbs of a connected stream socket that its stream adapters (`makeFile()`, the Web Streams
 * pair) use: a leaf interface, so those adapters need not import the socket class that makes them.
 */
export interface ByteStream {
  /** Whether the socket was closed. */
  readonly closed: boolean;
  recv(bufsize: number, options?: BlockingOptions): Promise<Uint8Array>;
  sendAll(data: Uint8Array, options?: BlockingOptions): Promise<void>;
  shutdown(how: 'read' | 'write' | 'both'): void;
  close(): Promise<void>;
}

const DONE = { done: true, value: undefined } as const;

/** Received chunks until end of stream: a plain iterator, cheaper per chunk than an async generator. */
export function chunkIterator(socket: ByteStream): AsyncIterator<Uint8Array, undefined> {
  return {
    next: () =>
      socket
        .recv(DEFAULT_READ_SIZE)
        .then((chunk) => (chunk.length === 0 ? DONE : { done: false, value: chunk })),
    return: () => Promise.resolve(DONE),
  };
}
