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
