import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { SocketTimeoutError } from '../src/index.ts';
import { listWaiter, neverExpires, Waiter, WaiterList } from '../src/waiter.ts';
import { bytes, connectedPair, text } from './helpers.ts';

describe('Waiter and WaiterList', () => {
  it('keeps one abort listener per signal however many waiters share it, and none once they settle', () => {
    const controller = new AbortController();
    const list = new WaiterList<Waiter<number>>();
    const waiters = Array.from({ length: 1000 }, () => listWaiter(list, null, controller.signal, 0, 'recv'));
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    for (const waiter of waiters) waiter.resolve(1);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('rejects every waiter sharing a signal with its reason when it aborts, and the list forgets them', async () => {
    const controller = new AbortController();
    const list = new WaiterList<Waiter<number>>();
    const waiters = Array.from({ length: 5000 }, () => listWaiter(list, null, controller.signal, 0, 'recv'));
    const kept = listWaiter(list, null, undefined, 7, 'recv');
    const reason = new Error('stop');
    controller.abort(reason);
    const outcomes = await Promise.allSettled(waiters.map((waiter) => waiter.promise));
    expect(outcomes.every((outcome) => outcome.status === 'rejected' && outcome.reason === reason)).toBe(
      true,
    );
    expect(list.length).toBe(1);
    expect(list.peek()).toBe(kept);
    expect(list.shift()).toBe(kept);
    expect(list.length).toBe(0);
    expect(list.shift()).toBeUndefined();
  });

  it('rejects with a SocketTimeoutError only on timeout, and skips expired waiters in order', async () => {
    const list = new WaiterList<Waiter<string>>();
    const first = listWaiter(list, 1, undefined, 0, 'recv');
    const second = listWaiter(list, null, undefined, 0, 'recv');
    await expect(first.promise).rejects.toBeInstanceOf(SocketTimeoutError);
    expect(list.length).toBe(1);
    expect(list.shift()).toBe(second);
    const plain = new Waiter<string>(null, undefined, neverExpires);
    list.push(plain);
    expect(list.drain()).toEqual([plain]);
  });

  it('aborting 20,000 waiting recvs of one socket with one signal leaves the socket usable', async () => {
    await using pair = await connectedPair();
    const controller = new AbortController();
    const pending = Array.from({ length: 20_000 }, () => pair.conn.recv(10, { signal: controller.signal }));
    controller.abort();
    const outcomes = await Promise.allSettled(pending);
    expect(outcomes.filter((outcome) => outcome.status === 'rejected')).toHaveLength(20_000);
    const next = pair.conn.recv(10, { timeout: 5_000 });
    await pair.client.sendAll(bytes('after'));
    expect(text(await next)).toBe('after');
  });
});
