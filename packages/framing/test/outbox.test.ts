import { afterEach, describe, expect, it, vi } from 'vitest';
import { FrameDecoder } from '../src/decoder.ts';
import { encodeFrame } from '../src/encoder.ts';
import {
  ChannelClosedError,
  FrameTooLargeError,
  SendQueueFullError,
  SendTimeoutError,
} from '../src/errors.ts';
import { defineFrameFormat } from '../src/format.ts';
import { Outbox, type OutboxLimits, refuse, type WriteSink } from '../src/outbox.ts';

/** A write buffer without a socket: corked writes gather into one batch, as a stream's writev. */
class FakeSink implements WriteSink {
  writableNeedDrain = false;
  readonly batches: Uint8Array[][] = [];
  #corked = 0;
  #pending: Uint8Array[] = [];

  write(chunk: Uint8Array): boolean {
    if (this.#corked > 0) this.#pending.push(chunk);
    else this.batches.push([chunk]);
    return !this.writableNeedDrain;
  }
  cork(): void {
    this.#corked++;
  }
  uncork(): void {
    if (this.#corked === 0 || --this.#corked > 0 || this.#pending.length === 0) return;
    this.batches.push(this.#pending);
    this.#pending = [];
  }
  get written(): number[] {
    return this.batches.flat().map((chunk) => chunk[0]!);
  }
}

const frame = (tag: number, size = 4) => new Uint8Array(size).fill(tag);
const tick = () => new Promise((resolve) => process.nextTick(resolve));
const limits: OutboxLimits = { maxQueuedSendBytes: 100, sendTimeout: null };

function outbox(sink: FakeSink, given = limits) {
  const failures: Error[] = [];
  return { box: new Outbox(sink, given, (error) => failures.push(error)), failures };
}

describe('Outbox', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('writes at once while the write buffer has room, and counts the messages', async () => {
    const sink = new FakeSink();
    const { box } = outbox(sink);
    await box.write([frame(1)], 1);
    await box.write([frame(2)], 3);
    expect(box.messagesSent).toBe(4);
    await tick();
    expect(sink.written).toEqual([1, 2]);
  });

  it('corks the writes of one tick into one batch, uncorked on the next tick', async () => {
    const sink = new FakeSink();
    const { box } = outbox(sink);
    for (let tag = 1; tag <= 5; tag++) void box.write([frame(tag)], 1);
    expect(sink.batches).toEqual([]);
    await tick();
    expect(sink.batches).toHaveLength(1);
    expect(sink.written).toEqual([1, 2, 3, 4, 5]);
    void box.write([frame(6)], 1);
    await tick();
    expect(sink.batches).toHaveLength(2);
  });

  it('keeps a header and its payload together in order', async () => {
    const sink = new FakeSink();
    const { box } = outbox(sink);
    void box.write([frame(1), frame(2, 70_000)], 1);
    void box.write([frame(3)], 1);
    await tick();
    expect(sink.written).toEqual([1, 2, 3]);
  });

  it('queues behind a full write buffer and writes on in order when flushed', async () => {
    const sink = new FakeSink();
    const { box } = outbox(sink);
    sink.writableNeedDrain = true;
    const settled: number[] = [];
    const first = box.write([frame(1)], 1).then(() => settled.push(1));
    const second = box.write([frame(2)], 1).then(() => settled.push(2));
    expect(box.queuedBytes).toBe(8);
    await tick();
    expect(sink.written).toEqual([]);
    expect(settled).toEqual([]);
    sink.writableNeedDrain = false;
    box.flush();
    await Promise.all([first, second]);
    expect(settled).toEqual([1, 2]);
    expect(box.queuedBytes).toBe(0);
    await tick();
    expect(sink.written).toEqual([1, 2]);
  });

  it('a send after a queued one waits behind it even when the buffer has room again', async () => {
    const sink = new FakeSink();
    const { box } = outbox(sink);
    sink.writableNeedDrain = true;
    void box.write([frame(1)], 1);
    sink.writableNeedDrain = false;
    void box.write([frame(2)], 1);
    expect(box.queuedBytes).toBe(8);
    box.flush();
    await tick();
    expect(sink.written).toEqual([1, 2]);
  });

  it('stops flushing once the write buffer is full again', () => {
    const sink = new FakeSink();
    const { box } = outbox(sink);
    sink.writableNeedDrain = true;
    void box.write([frame(1)], 1);
    void box.write([frame(2)], 1);
    sink.writableNeedDrain = false;
    const write = sink.write.bind(sink);
    sink.write = (chunk) => {
      sink.writableNeedDrain = true;
      return write(chunk);
    };
    box.flush();
    expect(box.queuedBytes).toBe(4);
  });

  it('lets one send of any size wait, and fails past maxQueuedSendBytes', async () => {
    const sink = new FakeSink();
    const { box, failures } = outbox(sink);
    sink.writableNeedDrain = true;
    void box.write([frame(1, 500)], 1);
    expect(failures).toEqual([]);
    const refused = box.write([frame(2)], 1);
    await expect(refused).rejects.toBeInstanceOf(ChannelClosedError);
    await expect(refused).rejects.toHaveProperty('cause', failures[0]);
    expect(failures[0]).toBeInstanceOf(SendQueueFullError);
  });

  it('fails with SendTimeoutError when queued sends make no progress in time', () => {
    vi.useFakeTimers();
    const sink = new FakeSink();
    const { box, failures } = outbox(sink, { maxQueuedSendBytes: 100, sendTimeout: 50 });
    sink.writableNeedDrain = true;
    void box.write([frame(1)], 1);
    void box.write([frame(2)], 1);
    vi.advanceTimersByTime(40);
    box.flush(); // a drain that made progress, though the buffer filled again at once
    vi.advanceTimersByTime(40);
    expect(failures).toEqual([]);
    vi.advanceTimersByTime(10);
    expect(failures[0]).toBeInstanceOf(SendTimeoutError);
  });

  it('runs no send timer once the queue is flushed', () => {
    vi.useFakeTimers();
    const sink = new FakeSink();
    const { box } = outbox(sink, { maxQueuedSendBytes: 100, sendTimeout: 50 });
    sink.writableNeedDrain = true;
    void box.write([frame(1)], 1);
    sink.writableNeedDrain = false;
    box.flush();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('afterQueuedWrites runs now when nothing waits, else after the last queued send is written', async () => {
    const sink = new FakeSink();
    const { box } = outbox(sink);
    const ran: string[] = [];
    box.afterQueuedWrites(() => ran.push('now'));
    expect(ran).toEqual(['now']);
    sink.writableNeedDrain = true;
    void box.write([frame(1)], 1);
    box.afterQueuedWrites(() => ran.push(`after ${sink.written.join()}`));
    expect(ran).toEqual(['now']);
    sink.writableNeedDrain = false;
    box.flush();
    expect(ran).toEqual(['now', 'after 1']);
  });

  it('rejectAll rejects the queued sends, after handing this tick’s writes to the sink', async () => {
    const sink = new FakeSink();
    const { box } = outbox(sink);
    void box.write([frame(1)], 1);
    sink.writableNeedDrain = true;
    const queued = box.write([frame(2)], 1);
    const error = new ChannelClosedError();
    box.rejectAll(error);
    expect(sink.written).toEqual([1]);
    await expect(queued).rejects.toBe(error);
    expect(box.queuedBytes).toBe(0);
  });
});

describe('Outbox.writeFrame', () => {
  /** The payloads of every frame the sink got, by their first byte, in order. */
  const framesOf = (sink: FakeSink) =>
    sink.batches.flat().flatMap((chunk) => new FrameDecoder().push(chunk).map((payload) => payload[0]));

  it('encodes the small frames of a tick into one chunk, written when the tick ends, and counts them', async () => {
    const sink = new FakeSink();
    const { box } = outbox(sink);
    const sent = [1, 2, 3].map((tag) => box.writeFrame(frame(tag)));
    expect(sink.batches).toEqual([]);
    await Promise.all(sent);
    expect(box.messagesSent).toBe(3);
    await tick();
    expect(sink.batches).toEqual([[expect.any(Uint8Array)]]);
    expect(framesOf(sink)).toEqual([1, 2, 3]);
  });

  it('keeps batched frames in order with writes of whole chunks', async () => {
    const sink = new FakeSink();
    const { box } = outbox(sink);
    void box.writeFrame(frame(1));
    void box.write([encodeFrame(frame(2))], 1);
    void box.writeFrame(frame(3));
    await tick();
    expect(framesOf(sink)).toEqual([1, 2, 3]);
  });

  it('behind a full write buffer, gathers small frames into one queued write with one promise', async () => {
    const sink = new FakeSink();
    const { box } = outbox(sink, { maxQueuedSendBytes: 1000, sendTimeout: null });
    sink.writableNeedDrain = true;
    const first = box.writeFrame(frame(1));
    const second = box.writeFrame(frame(2));
    expect(second).toBe(first);
    expect(box.queuedBytes).toBe(16);
    let settled = false;
    void first.then(() => {
      settled = true;
    });
    await tick();
    expect(settled).toBe(false);
    expect(sink.batches).toEqual([]);
    sink.writableNeedDrain = false;
    box.flush();
    await first;
    expect(box.queuedBytes).toBe(0);
    expect(box.messagesSent).toBe(2);
    await tick();
    expect(framesOf(sink)).toEqual([1, 2]);
  });

  it('behind a full write buffer, small frames split by other writes hold buffers their own size, not 64 KiB each', async () => {
    const sink = new FakeSink();
    const { box } = outbox(sink, { maxQueuedSendBytes: 1 << 20, sendTimeout: null });
    sink.writableNeedDrain = true;
    for (let tag = 0; tag < 100; tag++) {
      void box.write([encodeFrame(frame(tag))], 1);
      void box.writeFrame(frame(tag));
    }
    sink.writableNeedDrain = false;
    box.flush();
    await tick();
    const batched = sink.batches.flat().filter((_, index) => index % 2 === 1);
    expect(batched).toHaveLength(100);
    // Each is a 12-byte frame. A queued batch that started at 64 KiB held a 64 KiB buffer of its
    // own (6.4 MB for these 100); now they share Node's pool (8 KiB, or 64 KiB from Node 24).
    const held = new Set(batched.map((chunk) => chunk.buffer));
    let heldBytes = 0;
    for (const buffer of held) heldBytes += buffer.byteLength;
    expect(heldBytes).toBeLessThan((100 * 64 * 1024) / 10);
    expect(framesOf(sink)).toEqual(Array.from({ length: 100 }, (_, tag) => [tag, tag]).flat());
  });

  it('sizes at most one queued batch ahead of its bytes, however deep the queue', async () => {
    const sink = new FakeSink();
    const { box } = outbox(sink, { maxQueuedSendBytes: 1 << 20, sendTimeout: null });
    const write = sink.write.bind(sink);
    sink.write = (chunk) => {
      const taken = write(chunk);
      sink.writableNeedDrain = true; // one write per drain: a peer that reads slowly
      return taken;
    };
    sink.writableNeedDrain = true;
    for (let round = 0; round < 3; round++) {
      for (let index = 0; index < 900; index++) void box.writeFrame(frame(round, 32));
      void box.write([new Uint8Array(9000)], 1);
    }
    // Each drain writes one queued send; a tiny frame and a whole chunk follow it, so a new
    // small batch starts behind the others after every flushed 900-frame batch.
    for (let drain = 0; drain < 6; drain++) {
      sink.writableNeedDrain = false;
      box.flush();
      void box.writeFrame(frame(9, 32));
      void box.write([new Uint8Array(9000)], 1);
    }
    sink.write = write;
    sink.writableNeedDrain = false;
    box.flush();
    await tick();
    const tiny = sink.batches.flat().filter((chunk) => chunk.length === 36);
    expect(tiny).toHaveLength(6);
    let heldBytes = 0;
    for (const buffer of new Set(tiny.map((chunk) => chunk.buffer))) heldBytes += buffer.byteLength;
    // Sized ahead while others waited, each held 64,800 bytes; now they share Node's pool.
    expect(heldBytes).toBeLessThan(100_000);
  });

  it('fails past maxQueuedSendBytes, and rejectAll rejects queued frames', async () => {
    const sink = new FakeSink();
    const { box, failures } = outbox(sink, { maxQueuedSendBytes: 10, sendTimeout: null });
    sink.writableNeedDrain = true;
    const queued = box.writeFrame(frame(1));
    const refused = box.writeFrame(frame(2));
    await expect(refused).rejects.toBeInstanceOf(ChannelClosedError);
    expect(failures[0]).toBeInstanceOf(SendQueueFullError);
    const error = new ChannelClosedError();
    box.rejectAll(error);
    await expect(queued).rejects.toBe(error);
  });

  it('throws FrameTooLargeError for a payload over maxFrameLength, writing nothing', async () => {
    const sink = new FakeSink();
    const format = defineFrameFormat({ prefix: 'uint32', maxFrameLength: 2 });
    const box = new Outbox(sink, { ...limits, format }, () => {});
    expect(() => box.writeFrame(frame(1))).toThrow(FrameTooLargeError);
    await tick();
    expect(sink.batches).toEqual([]);
  });
});

describe('refuse', () => {
  it('rejects quietly for a closed channel and loudly for the caller’s own errors', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    // This listener alone hears of them: the loud one stays unhandled (handling it afterwards
    // would only draw Node's PromiseRejectionHandledWarning) and must not fail the test run.
    const others = process.listeners('unhandledRejection');
    process.removeAllListeners('unhandledRejection');
    process.on('unhandledRejection', onUnhandled);
    try {
      refuse(new ChannelClosedError());
      refuse(new TypeError('bad'));
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(unhandled).toHaveLength(1);
      expect(unhandled[0]).toBeInstanceOf(TypeError);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      for (const listener of others) process.on('unhandledRejection', listener);
    }
  });
});
