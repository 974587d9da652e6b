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
