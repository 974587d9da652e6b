import { InvalidStateError } from '@sockkit/core';
import { describe, expect, it } from 'vitest';
import { Inbox, type InboxFlow, type ReadState } from '../src/inbox.ts';

/** A connection stand-in that records what the inbox asked of it. */
function flow(): InboxFlow & { state: () => ReadState; now: ReadState; calls: string[] } {
  const recorded = {
    now: 'open' as ReadState,
    calls: [] as string[],
    state: () => recorded.now,
    pause: () => recorded.calls.push('pause'),
    resume: () => recorded.calls.push('resume'),
  };
  return recorded;
}

describe('Inbox', () => {
  it('queues messages while nobody reads and hands them out in order', async () => {
    const inbox = new Inbox<number>(8, flow());
    inbox.push(1);
    inbox.push(2);
    expect(inbox.length).toBe(2);
    expect(await inbox.next()).toEqual({ done: false, value: 1 });
    expect(await inbox.next()).toEqual({ done: false, value: 2 });
    expect(inbox.length).toBe(0);
  });

  it('keeps the order when single reads and batches mix over a long queue', async () => {
    const inbox = new Inbox<number>(8, flow());
    const read: number[] = [];
    let pushed = 0;
    // A reader that lags one behind never empties the queue: its array is compacted on the way.
    inbox.push(pushed++);
    for (let round = 0; round < 5000; round++) {
      inbox.push(pushed++);
      read.push((await inbox.next()).value!);
    }
    expect(inbox.length).toBe(1);
    for (let index = 0; index < 3000; index++) inbox.push(pushed++);
    for (let index = 0; index < 1500; index++) read.push((await inbox.next()).value!);
    const batch = await inbox.nextBatch();
    read.push(...batch.value!);
    expect(inbox.length).toBe(0);
    inbox.push(pushed++);
    read.push(...(await inbox.nextBatch()).value!);
    expect(read).toEqual(Array.from({ length: pushed }, (_, index) => index));
  });

  it('hands a message straight to a waiting reader', async () => {
    const inbox = new Inbox<string>(8, flow());
    const next = inbox.next();
    inbox.push('a');
    expect(await next).toEqual({ done: false, value: 'a' });
    expect(inbox.length).toBe(0);
  });

  it('refuses a second reader while one waits', async () => {
    const inbox = new Inbox<number>(8, flow());
    void inbox.next();
    await expect(inbox.next()).rejects.toBeInstanceOf(InvalidStateError);
  });

  it("an iterator's return() ends its waiting read as done, leaving the next message to a new reader", async () => {
    const inbox = new Inbox<number>(8, flow());
    for (const iterate of [() => inbox.messages(), () => inbox.batches()]) {
      const iterator = iterate();
      const waiting = iterator.next();
      // Another iterator's return() does not touch it.
      await inbox.messages().return();
      await expect(inbox.next()).rejects.toBeInstanceOf(InvalidStateError);
      await iterator.return();
      await expect(waiting).resolves.toEqual({ done: true, value: undefined });
      const next = inbox.next();
      inbox.push(1);
      await expect(next).resolves.toEqual({ done: false, value: 1 });
    }
  });

  it('delivers queued messages before the end, then ends', async () => {
    const connection = flow();
    const inbox = new Inbox<number>(8, connection);
    inbox.push(1);
    connection.now = 'done';
    expect(await inbox.next()).toEqual({ done: false, value: 1 });
    expect(await inbox.next()).toEqual({ done: true, value: undefined });
  });

  it('delivers queued messages before the failure, then throws it', async () => {
    const connection = flow();
    const inbox = new Inbox<number>(8, connection);
    inbox.push(1);
    const failure = new Error('reset');
    connection.now = failure;
    expect(await inbox.next()).toEqual({ done: false, value: 1 });
    await expect(inbox.next()).rejects.toBe(failure);
  });

  it('wake() gives a waiting reader the end or the failure', async () => {
    const connection = flow();
    const inbox = new Inbox<number>(8, connection);
    const waiting = inbox.next();
    inbox.wake(); // still open: the reader keeps waiting
    const failure = new Error('closed');
    connection.now = failure;
    inbox.wake();
    await expect(waiting).rejects.toBe(failure);
  });

  it('pauses on request and resumes once the reader took the queue down to half', async () => {
    const connection = flow();
    const inbox = new Inbox<number>(4, connection);
    for (let message = 0; message < 4; message++) inbox.push(message);
    inbox.pause();
    expect(inbox.paused).toBe(true);
    expect(connection.calls).toEqual(['pause']);
    await inbox.next(); // 3 left
    expect(connection.calls).toEqual(['pause']);
    await inbox.next(); // 2 left: half
    expect(connection.calls).toEqual(['pause', 'resume']);
    expect(inbox.paused).toBe(false);
  });

  it('stays paused when reading ended or failed meanwhile', async () => {
    const connection = flow();
    const inbox = new Inbox<number>(2, connection);
    inbox.push(1);
    inbox.pause();
    connection.now = 'done';
    await inbox.next();
    inbox.resume();
    expect(connection.calls).toEqual(['pause']);
    expect(inbox.paused).toBe(true);
  });

  it('resume() does nothing unless paused', () => {
    const connection = flow();
    new Inbox<number>(2, connection).resume();
    expect(connection.calls).toEqual([]);
  });

  describe('batches', () => {
    it('hands out every queued message as one batch, then resumes reading', async () => {
      const connection = flow();
      const inbox = new Inbox<number>(2, connection);
      for (let message = 1; message <= 3; message++) inbox.push(message);
      inbox.pause();
      expect(await inbox.nextBatch()).toEqual({ done: false, value: [1, 2, 3] });
      expect(inbox.length).toBe(0);
      expect(connection.calls).toEqual(['pause', 'resume']);
    });

    it('a waiting batch reader gets every message pushed in the same run as one batch', async () => {
      const inbox = new Inbox<string>(8, flow());
      const batch = inbox.nextBatch();
      inbox.push('a');
      inbox.push('b');
      inbox.push('c');
      expect(await batch).toEqual({ done: false, value: ['a', 'b', 'c'] });
      inbox.push('d');
      expect(await inbox.nextBatch()).toEqual({ done: false, value: ['d'] });
    });

    it('delivers queued messages before the end or the failure, then ends or throws', async () => {
      const connection = flow();
      const inbox = new Inbox<number>(8, connection);
      inbox.push(1);
      connection.now = 'done';
      expect(await inbox.nextBatch()).toEqual({ done: false, value: [1] });
      expect(await inbox.nextBatch()).toEqual({ done: true, value: undefined });
      const failure = new Error('reset');
      connection.now = failure;
      await expect(inbox.nextBatch()).rejects.toBe(failure);
    });

    it('wake() gives a waiting batch reader the end or the failure', async () => {
      const connection = flow();
      const inbox = new Inbox<number>(8, connection);
      const waiting = inbox.nextBatch();
      inbox.wake();
      const failure = new Error('closed');
      connection.now = failure;
      inbox.wake();
      await expect(waiting).rejects.toBe(failure);
    });

    it('one reader at a time, of either kind', async () => {
      const inbox = new Inbox<number>(8, flow());
      const batch = inbox.nextBatch();
      await expect(inbox.next()).rejects.toBeInstanceOf(InvalidStateError);
      await expect(inbox.nextBatch()).rejects.toBeInstanceOf(InvalidStateError);
      inbox.push(1);
      expect(await batch).toEqual({ done: false, value: [1] });
      const single = inbox.next();
      await expect(inbox.nextBatch()).rejects.toBeInstanceOf(InvalidStateError);
      inbox.push(2);
      expect(await single).toEqual({ done: false, value: 2 });
    });
  });
});
