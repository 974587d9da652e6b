import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, ReceiveTimeoutError } from '../src/errors.ts';
import { ReceiveQueue } from '../src/receive-queue.ts';

describe('ReceiveQueue', () => {
  it('returns items in order', () => {
    const queue = new ReceiveQueue<number>(10, 100);
    for (let i = 0; i < 5; i++) queue.push(i, 1);
    expect([queue.shift(), queue.shift(), queue.length, queue.bytes]).toEqual([0, 1, 3, 3]);
  });

  it('drops and counts the newest item past the count bound', () => {
    const queue = new ReceiveQueue<number>(2, 100);
    expect([queue.push(1, 5), queue.push(2, 5), queue.push(3, 5)]).toEqual([true, true, false]);
    expect([queue.dropped, queue.droppedBytes, queue.length]).toEqual([1, 5, 2]);
  });

  it('drops and counts the newest item past the byte bound', () => {
    const queue = new ReceiveQueue<number>(10, 10);
    expect([queue.push(1, 6), queue.push(2, 6), queue.push(3, 4)]).toEqual([true, false, true]);
    expect([queue.dropped, queue.droppedBytes, queue.bytes]).toEqual([1, 6, 10]);
  });

  it('keeps order across many pushes and shifts (compaction)', () => {
    const queue = new ReceiveQueue<number>(5000, 1e9);
    const out: number[] = [];
    for (let i = 0; i < 4000; i++) {
      queue.push(i, 1);
      if (i % 3 === 0) out.push(queue.shift()!);
    }
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) out.push(item);
    expect(out).toEqual(Array.from({ length: 4000 }, (_, i) => i));
    expect(queue.bytes).toBe(0);
  });

  it('hands an item straight to a waiting reader', async () => {
    const queue = new ReceiveQueue<string>(1, 1);
    const next = queue.next(null, undefined);
    queue.push('x', 1);
    await expect(next).resolves.toBe('x');
    expect(queue.length).toBe(0);
  });

  it('queues what arrives after a hand-off until the check phase, then hands it to waiting readers', async () => {
    const queue = new ReceiveQueue<number>(10, 100);
    const first = queue.next(null, undefined);
    queue.push(1, 1); // straight to the waiting reader
    const second = queue.nextResult();
    queue.push(2, 1); // the same poll phase: queued, though a reader waits
    queue.push(3, 1);
    expect([queue.length, queue.bytes]).toEqual([2, 2]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(queue.length).toBe(1);
    await expect(first).resolves.toBe(1);
    await expect(second).resolves.toEqual({ done: false, value: 2 });
    const fourth = queue.next(null, undefined);
    expect(queue.length).toBe(0);
    await expect(fourth).resolves.toBe(3);
    // A new phase: a waiting reader gets the next item at once again.
    await new Promise((resolve) => setImmediate(resolve));
    const fifth = queue.next(null, undefined);
    queue.push(5, 1);
    expect(queue.length).toBe(0);
    await expect(fifth).resolves.toBe(5);
  });

  it('keeps what waiting readers will take at the check phase, however small its bounds', async () => {
    const queue = new ReceiveQueue<number>(1, 1);
    const readers = [1, 2, 3, 4].map(() => queue.next(1000, undefined));
    // One poll phase: the first goes straight to a reader, the others wait for the check phase.
    expect([1, 2, 3, 4].map((item) => queue.push(item, 1))).toEqual([true, true, true, true]);
    expect([queue.length, queue.dropped]).toEqual([3, 0]);
    // Nobody waits for a fifth: it finds the queue full.
    expect(queue.push(5, 1)).toBe(false);
    await expect(Promise.all(readers)).resolves.toEqual([1, 2, 3, 4]);
    expect([queue.length, queue.bytes, queue.dropped]).toEqual([0, 0, 1]);
    expect(queue.push(6, 1)).toBe(true);
    expect(queue.push(7, 1)).toBe(false);
  });

  it('serves readers in the order they asked while items wait for the check phase', async () => {
    const queue = new ReceiveQueue<string>(10, 100);
    const a = queue.next(null, undefined);
    queue.push('a', 1);
    const b = queue.next(null, undefined);
    queue.push('b', 1);
    queue.push('c', 1);
    // c asks after b, while b's item still waits in the queue: b gets it, not c.
    const c = queue.next(null, undefined);
    expect(queue.shift()).toBeUndefined();
    await expect(Promise.all([a, b, c])).resolves.toEqual(['a', 'b', 'c']);
  });

  it('hands waiting items to waiting readers when it closes, and rejects the others', async () => {
    const queue = new ReceiveQueue<string>(10, 100);
    const first = queue.next(null, undefined);
    queue.push('a', 1);
    const second = queue.next(null, undefined);
    const third = queue.nextResult();
    queue.push('b', 1);
    queue.close(new Error('closed'));
    await expect(first).resolves.toBe('a');
    await expect(second).resolves.toBe('b');
    await expect(third).resolves.toEqual({ done: true, value: undefined });
  });

  it('rejects a waiting reader on timeout, abort and close, and forgets it', async () => {
    const queue = new ReceiveQueue<string>(4, 4);
    await expect(queue.next(1, undefined)).rejects.toThrow(ReceiveTimeoutError);
    const controller = new AbortController();
    const aborted = queue.next(null, controller.signal);
    controller.abort(new Error('stop'));
    await expect(aborted).rejects.toThrow('stop');
    await expect(queue.next(null, AbortSignal.abort(new Error('early')))).rejects.toThrow('early');
    queue.push('kept', 1);
    expect(queue.shift()).toBe('kept');
    const closed = queue.next(null, undefined);
    queue.close(new Error('closed'));
    await expect(closed).rejects.toThrow('closed');
    await expect(queue.next(null, undefined)).rejects.toThrow('closed');
    expect(queue.push('late', 1)).toBe(false);
  });

  it('refuses empty bounds', () => {
    expect(() => new ReceiveQueue(0, 1)).toThrow(InvalidArgumentError);
    expect(() => new ReceiveQueue(1, 0)).toThrow(InvalidArgumentError);
  });
});

describe('ReceiveQueue.nextResult', () => {
  it('yields iterator results, then done once closed and drained', async () => {
    const queue = new ReceiveQueue<string>(4, 4);
    queue.push('a', 1);
    await expect(queue.nextResult()).resolves.toEqual({ done: false, value: 'a' });
    const waiting = queue.nextResult();
    queue.push('b', 1);
    await expect(waiting).resolves.toEqual({ done: false, value: 'b' });
    const pending = queue.nextResult();
    queue.close(new Error('closed'));
    await expect(pending).resolves.toEqual({ done: true, value: undefined });
    await expect(queue.nextResult()).resolves.toEqual({ done: true, value: undefined });
  });
});

describe('ReceiveQueue.iterator', () => {
  it('return() settles its pending next() as done, leaving later items to other readers', async () => {
    const queue = new ReceiveQueue<string>(4, 4);
    const iterator = queue.iterator();
    queue.push('a', 1);
    await expect(iterator.next()).resolves.toEqual({ done: false, value: 'a' });
    const pending = [iterator.next(), iterator.next()];
    await expect(iterator.return()).resolves.toEqual({ done: true, value: undefined });
    await expect(Promise.all(pending)).resolves.toEqual([
      { done: true, value: undefined },
      { done: true, value: undefined },
    ]);
    await expect(iterator.next()).resolves.toEqual({ done: true, value: undefined });
    const other = queue.next(null, undefined);
    queue.push('b', 1);
    await expect(other).resolves.toBe('b');
    expect([queue.length, queue.dropped]).toEqual([0, 0]);
  });
});
