/**
 * The write side of a connected `StreamSocket` as a byte transport sees it (framing's channel):
 * whole chunks into Node's write buffer with a drain cue, no promise per write, corking for the
 * writes of a tick. For sibling packages, through `streamWriter()` on `@sockkit/core/internals`;
 * applications use `send`/`sendAll`.
 */
export interface StreamWriter {
  /** True once the write buffer reached its high-water mark, until the drain cue. */
  readonly writableNeedDrain: boolean;
  /**
   * Queues `chunk` whole behind the bytes already written; false once the write buffer is past its
   * mark. Throws the socket's typed error when it cannot be written to (closed, failed, shut down).
   */
  write(chunk: Uint8Array): boolean;
  /** Holds writes in Node's buffer until {@link uncork}, so many small ones go out in one `writev`. */
  cork(): void;
  uncork(): void;
  /** Calls `listener` each time the write buffer drained; one listener at a time, the result removes it. */
  onDrain(listener: () => void): () => void;
  /**
   * Shuts down the write side, as `shutdown('write')`, and calls `then` once the written bytes
   * reached the kernel, or the connection failed or closed first.
   */
  end(then: () => void): void;
}
