import type { RemoteInfo } from 'node:dgram';
import { type IpSocketAddress, toSocketAddress } from './address.js';
import { callSafely } from './callback.js';
import { announceDatagramDrop, datagramDropObserved } from './channels.js';
import type { DatagramSocket } from './datagram-socket.js';
import { InvalidStateError } from './errors.js';
import { Fifo } from './fifo.js';
import { type Waiter, WaiterList } from './waiter.js';

/**
 * What `recvFrom` resolves with: `[data, address]` as in Python, plus `truncated` (the datagram
 * was longer than `bufsize`, as `MSG_TRUNC`) and `size` (its full length).
 */
export type ReceivedDatagram = [data: Uint8Array, address: IpSocketAddress] & {
  readonly truncated: boolean;
  readonly size: number;
};

/** Counters of the receive queue. */
export interface DatagramStats {
  /** Datagrams received from the kernel, delivered or queued. */
  readonly received: number;
  readonly receivedBytes: number;
  /** Datagrams dropped because the queue was full. */
  readonly dropped: number;
  readonly droppedBytes: number;
  /** Datagrams waiting for `recvFrom` now. */
  readonly queued: number;
  readonly queuedBytes: number;
}

/**
 * A reader that takes every datagram of a socket as Node delivers it, before the receive queue:
 * no tuple, address object or queue per datagram. For sibling packages that route datagrams
 * themselves (`@sockkit/udp`'s endpoint); see `onDatagrams`.
 */
export interface DatagramSink {
  /** One datagram, with Node's description of its sender. A throw goes to {@link DatagramSink.error}. */
  datagram(data: Buffer, from: RemoteInfo): void;
  /** A socket error that concerns no one datagram (e.g. ICMP-reported), as `recvFrom` would reject with it. */
  error(error: unknown): void;
}

/**
 * The receive side of a datagram socket: datagrams waiting for `recvFrom`, bounded in count and
 * bytes (Node cannot stop reading a UDP socket, so what does not fit is dropped and counted, as a
 * full kernel buffer drops it), the `recvFrom`s waiting for a datagram, the socket error pending
 * for the next read (as the kernel's `SO_ERROR`), and the readable cue or the sink.
 */
export class DatagramQueue {
  readonly maxDatagrams: number;
  readonly maxBytes: number;
  /** `recvFrom`s waiting for a datagram, oldest first; each waiter's `size` is its `bufsize`. */
  readonly readers = new WaiterList<Waiter<ReceivedDatagram>>();
  readonly #queue = new Fifo<ReceivedDatagram>();
  /** The socket, for the drop event. */
  readonly #owner: DatagramSocket;
  #queuedBytes = 0;
  #received = 0;
  #receivedBytes = 0;
  #dropped = 0;
  #droppedBytes = 0;
  /** A socket error that came while no read waited: the next read reports it. */
  #pendingError: unknown;
  #readable: (() => void) | undefined;
  #sink: DatagramSink | undefined;
  #closed = false;

  constructor(owner: DatagramSocket, maxDatagrams: number, maxBytes: number) {
    this.#owner = owner;
    this.maxDatagrams = maxDatagrams;
    this.maxBytes = maxBytes;
  }

  get stats(): DatagramStats {
    return {
      received: this.#received,
      receivedBytes: this.#receivedBytes,
      dropped: this.#dropped,
      droppedBytes: this.#droppedBytes,
      queued: this.#queue.length,
      queuedBytes: this.#queuedBytes,
    };
  }

  /** Node's `'message'` event: to the sink, else the oldest waiting reader, else the queue if it fits, else dropped. */
  readonly onMessage = (message: Buffer, rinfo: RemoteInfo): void => {
    const size = message.length;
    this.#received += 1;
    this.#receivedBytes += size;
    const sink = this.#sink;
    if (sink !== undefined) {
      try {
        sink.datagram(message, rinfo);
      } catch (error) {
        sink.error(error);
      }
      return;
    }
    const from = toSocketAddress(rinfo.address, rinfo.port, rinfo.family);
    const datagram = receivedDatagram(message, from, size);
    const reader = this.readers.shift();
    if (reader !== undefined) {
      reader.resolve(truncate(datagram, reader.size));
    } else if (this.#queue.length >= this.maxDatagrams || this.#queuedBytes + size > this.maxBytes) {
      this.#dropped += 1;
      this.#droppedBytes += size;
      if (datagramDropObserved()) {
        const full = this.#queue.length >= this.maxDatagrams;
        announceDatagramDrop(this.#owner, from, size, full ? 'maxQueuedDatagrams' : 'maxQueuedBytes');
      }
    } else {
      this.#queue.push(datagram);
      this.#queuedBytes += size;
      this.#cueReadable();
    }
  };

  /** The oldest queued datagram cut to `bufsize`; else throws the pending error; else `undefined`. */
  take(bufsize: number): ReceivedDatagram | undefined {
    const next = this.#queue.shift();
    if (next !== undefined) {
      this.#queuedBytes -= next.size;
      return truncate(next, bufsize);
    }
    const error = this.#pendingError;
    if (error !== undefined) {
      this.#pendingError = undefined;
      throw error;
    }
    return undefined;
  }

  /** Sets the `onReadable` listener; the returned function removes it. */
  setReadable(listener: () => void): () => void {
    this.#assertNoReader();
    this.#readable = listener;
    return () => {
      if (this.#readable === listener) this.#readable = undefined;
    };
  }

  /** Hands every datagram and socket error from now on to `sink`. */
  setSink(sink: DatagramSink): void {
    this.#assertNoReader();
    this.#sink = sink;
  }

  /** A socket error: to the sink, else the waiting reads, else the next read. */
  fail(failure: unknown): void {
    if (this.#sink !== undefined) this.#sink.error(failure);
    else if (this.readers.length === 0) this.reportLate(failure);
    else for (const reader of this.readers.drain()) reader.reject(failure);
  }

  /** An error that concerns no one call (a `trySendTo` failure without a handler ...): to the next read, as `SO_ERROR`. */
  readonly reportLate = (error: unknown): void => {
    if (this.#closed) return;
    if (this.#sink !== undefined) {
      this.#sink.error(error);
      return;
    }
    const reader = this.readers.shift();
    if (reader !== undefined) {
      reader.reject(error);
      return;
    }
    this.#pendingError ??= error;
    this.#cueReadable();
  };

  /** Rejects the waiting reads with `closing` and forgets every datagram, listener and sink. */
  close(closing: unknown): void {
    this.#closed = true;
    for (const reader of this.readers.drain()) reader.reject(closing);
    this.#queue.drain();
    this.#queuedBytes = 0;
    this.#readable = undefined;
    this.#sink = undefined;
  }

  #assertNoReader(): void {
    if (this.#readable !== undefined || this.#sink !== undefined)
      throw new InvalidStateError('this socket already has a readable listener or a datagram sink');
  }

  /** Calls the `onReadable` listener, guarded: its error goes to the next read. */
  #cueReadable(): void {
    const listener = this.#readable;
    if (listener !== undefined) callSafely(listener, undefined, this.#onListenerError);
  }

  /** A failing `onReadable` listener: its error rejects the next read, without a new cue. */
  readonly #onListenerError = (error: unknown): void => {
    if (this.#closed) return;
    const reader = this.readers.shift();
    if (reader !== undefined) reader.reject(error);
    else this.#pendingError ??= error;
  };
}

/** A datagram as `recvFrom` gives it: `data` of a datagram of `size` bytes from `from`. */
export function receivedDatagram(data: Uint8Array, from: IpSocketAddress, size: number): ReceivedDatagram {
  const datagram = [data, from] as [Uint8Array, IpSocketAddress] & { truncated: boolean; size: number };
  datagram.truncated = data.length < size;
  datagram.size = size;
  return datagram;
}

function truncate(datagram: ReceivedDatagram, bufsize: number): ReceivedDatagram {
  if (datagram.size <= bufsize) return datagram;
  return receivedDatagram(datagram[0].subarray(0, bufsize), datagram[1], datagram.size);
}
