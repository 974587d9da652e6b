import type { SocketAddress, StreamSocket } from '@sockkit/core';

/**
 * One connection's seat at the chat, with its own bounded queue of outgoing frames: a
 * broadcast is queued for each member, never awaited, so one slow member never delays the others.
 */
export class ChatMember {
  name: string | undefined;
  readonly #conn: StreamSocket;
  readonly #maxQueuedBytes: number;
  readonly #onStalled: (member: ChatMember) => void;
  readonly #queue: Uint8Array[] = [];
  #queuedBytes = 0;
  #writing = false;

  /**
   * @param maxQueuedBytes bytes this member may have waiting (not yet handed to the kernel)
   * @param onStalled called, instead of queueing, by a `deliver` that would go past that bound
   */
  constructor(
    conn: StreamSocket,
    readonly peer: SocketAddress,
    { maxQueuedBytes, onStalled }: { maxQueuedBytes: number; onStalled: (member: ChatMember) => void },
  ) {
    this.#conn = conn;
    this.#maxQueuedBytes = maxQueuedBytes;
    this.#onStalled = onStalled;
  }

  /** Queues an encoded frame; never waits and never throws. */
  deliver(frame: Uint8Array): void {
    if (this.#queuedBytes + frame.length > this.#maxQueuedBytes) {
      this.#onStalled(this);
      return;
    }
    this.#queue.push(frame);
    this.#queuedBytes += frame.length;
    if (!this.#writing) void this.#drain();
  }

  async #drain(): Promise<void> {
    this.#writing = true;
    try {
      for (let frame = this.#queue.shift(); frame; frame = this.#queue.shift()) {
        await this.#conn.sendAll(frame);
        this.#queuedBytes -= frame.length;
      }
    } catch {
      // The read loop sees the same broken connection and removes the member.
    } finally {
      this.#writing = false;
    }
  }

  /**
   * Closes once what was handed to the socket is flushed: a `rejected` event, queued just
   * before, was handed over at once (an idle queue starts sending synchronously), so it gets through.
   */
  async close(): Promise<void> {
    await this.#conn.close();
  }

  /**
   * Cuts the connection at once with a reset: a member that stopped reading would never take a
   * goodbye, and a send stalled on its full buffers is dropped with it. Never throws, also when
   * the connection is already closed: it runs inside other members' broadcasts.
   */
  abort(): void {
    this.#conn.reset().catch(() => {});
  }
}
