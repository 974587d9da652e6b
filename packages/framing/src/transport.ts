import type { Duplex } from 'node:stream';
import { InvalidArgumentError, StreamSocket, toSocketError } from '@sockkit/core';
import { type StreamWriter, streamWriter } from '@sockkit/core/internals';
import type { WriteSink } from './outbox.js';

/** What a {@link Transport} tells its channel. */
export interface TransportEvents {
  /** Received bytes, in order; never called while paused. */
  data(chunk: Uint8Array): void;
  /** The peer ended its side, after the last `data`. */
  end(): void;
  /** The transport failed, with the error typed (`ConnectionResetError` ...). */
  error(error: unknown): void;
  /** The transport closed (a Node `Duplex`'s `'close'`). */
  close(): void;
  /** The write buffer drained after reaching its mark (`writableNeedDrain` is false again). */
  drain(): void;
}

/**
 * The byte stream a channel runs over: received chunks delivered with pause and resume, writes
 * into a buffer with a high-water mark and a drain signal, corking, end and destroy. Two
 * adapters: a `@sockkit/core` `StreamSocket`, read from its own buffer, and any Node `Duplex`.
 */
export interface Transport extends WriteSink {
  /** True once {@link end} was called (or, for a `Duplex`, its write side ended otherwise). */
  readonly writableEnded: boolean;
  /** True once {@link destroy} was called (or the `Duplex` was destroyed otherwise). */
  readonly destroyed: boolean;
  /** Starts delivering to `events`; called once. */
  start(events: TransportEvents): void;
  /** Stops delivering `data` until {@link resume}; the bytes stay in the transport's own bounded buffer. */
  pause(): void;
  resume(): void;
  /** Ends the write side after what was written; `then` runs once, when that reached the connection or the transport closed first. */
  end(then: () => void): void;
  /** Closes the connection at once. */
  destroy(): void;
}

/** What `framed()` runs over: a `@sockkit/core` stream socket, or any Node `Duplex` (e.g. a `net.Socket`). */
export type FramedConnection = Duplex | StreamSocket;

/** The transport over `connection`; `InvalidArgumentError` for anything else. */
export function transportOf(connection: FramedConnection): Transport {
  if (connection instanceof StreamSocket) return new SocketTransport(connection);
  const duplex = connection as Partial<Duplex> | null;
  if (
    typeof duplex === 'object' &&
    duplex !== null &&
    typeof duplex.on === 'function' &&
    typeof duplex.write === 'function' &&
    typeof duplex.pause === 'function'
  ) {
    return new DuplexTransport(connection as Duplex);
  }
  throw new InvalidArgumentError('connection', 'a @sockkit/core StreamSocket or a Node Duplex', connection);
}

/** Most bytes taken from a socket's buffer at once (a chunk Node delivered larger is split as a view). */
const READ_SIZE = 64 * 1024;

/**
 * A core `StreamSocket` as a transport. Received bytes stay in the socket's own read buffer until
 * the channel takes them with `tryRecv` on the socket's readable cue; while the channel is paused
 * they wait there, and the buffer's high-water mark stops reading from the kernel. One buffer, one
 * mark, no promise per chunk. Writes go into Node's write buffer through the socket's
 * {@link StreamWriter}; a failure of either side reaches the channel through `tryRecv`.
 */
class SocketTransport implements Transport {
  readonly #socket: StreamSocket;
  readonly #writer: StreamWriter;
  #events: TransportEvents | undefined;
  #stopListening: (() => void) | undefined;
  #paused = false;
  #delivering = false;
  #readDone = false;
  #writableEnded = false;
  #destroyed = false;

  constructor(socket: StreamSocket) {
    this.#socket = socket;
    this.#writer = streamWriter(socket);
  }

  get writableNeedDrain(): boolean {
    return this.#writer.writableNeedDrain;
  }

  get writableEnded(): boolean {
    return this.#writableEnded;
  }

  get destroyed(): boolean {
    return this.#destroyed;
  }

  start(events: TransportEvents): void {
    this.#events = events;
    let stopReadable: (() => void) | undefined;
    try {
      stopReadable = this.#socket.onReadable(this.#deliver);
      const stopDrain = this.#writer.onDrain(events.drain);
      this.#stopListening = () => {
        stopReadable?.();
        stopDrain();
      };
    } catch (error) {
      // A closed socket, or one another channel reads: this channel fails, as on any read error,
      // and leaves the socket alone (it is not this channel's to close).
      stopReadable?.();
      this.#destroyed = true;
      process.nextTick(() => events.error(error));
      return;
    }
    // Bytes that arrived before the channel was made get no cue of their own.
    process.nextTick(this.#deliver);
  }

  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
    this.#deliver();
  }

  write(chunk: Uint8Array): boolean {
    try {
      return this.#writer.write(chunk);
    } catch (error) {
      // As a Duplex reports a write after its end or failure: an error event, not a throw into send().
      process.nextTick(() => this.#events?.error(error));
      return false;
    }
  }

  cork(): void {
    this.#writer.cork();
  }

  uncork(): void {
    this.#writer.uncork();
  }

  end(then: () => void): void {
    this.#writableEnded = true;
    this.#writer.end(then);
  }

  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.#stopListening?.();
    void this.#socket.close();
  }

  /** Hands the buffered bytes to the channel until it pauses, they run out, or reading ends. */
  readonly #deliver = (): void => {
    const events = this.#events;
    // Re-entered from inside `data` (the channel paused and resumed): the loop below goes on.
    if (events === undefined || this.#delivering) return;
    this.#delivering = true;
    try {
      while (!this.#paused && !this.#destroyed && !this.#readDone) {
        let chunk: Uint8Array | undefined;
        try {
          chunk = this.#socket.tryRecv(READ_SIZE);
        } catch (error) {
          this.#readDone = true;
          events.error(error);
          return;
        }
        if (chunk === undefined) return;
        if (chunk.length === 0) {
          this.#readDone = true;
          events.end();
          return;
        }
        events.data(chunk);
      }
    } finally {
      this.#delivering = false;
    }
  };
}

/** Any Node `Duplex` as a transport: its events, pause and resume, and write buffer as they are. */
class DuplexTransport implements Transport {
  readonly #duplex: Duplex;

  constructor(duplex: Duplex) {
    this.#duplex = duplex;
  }

  get writableNeedDrain(): boolean {
    return this.#duplex.writableNeedDrain;
  }

  get writableEnded(): boolean {
    return this.#duplex.writableEnded;
  }

  get destroyed(): boolean {
    return this.#duplex.destroyed;
  }

  start(events: TransportEvents): void {
    const duplex = this.#duplex;
    duplex.on('data', events.data);
    duplex.once('end', events.end);
    // A raw net.Socket reports Node's errors: typed here (ConnectionResetError ...), cause kept.
    duplex.on('error', (error: Error) => events.error(toSocketError(error)));
    duplex.once('close', events.close);
    duplex.on('drain', events.drain);
    // Destroyed before the channel came: its 'close' may have passed already.
    if (duplex.destroyed) process.nextTick(events.close);
  }

  pause(): void {
    this.#duplex.pause();
  }

  resume(): void {
    this.#duplex.resume();
  }

  write(chunk: Uint8Array): boolean {
    return this.#duplex.write(chunk);
  }

  cork(): void {
    this.#duplex.cork();
  }

  uncork(): void {
    this.#duplex.uncork();
  }

  end(then: () => void): void {
    let called = false;
    const once = () => {
      if (called) return;
      called = true;
      then();
    };
    this.#duplex.once('close', once);
    this.#duplex.end(once);
  }

  destroy(): void {
    this.#duplex.destroy();
  }
}
