import { InvalidArgumentError, InvalidStateError } from '@sockkit/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Correlation } from '../src/channel.ts';
import { RequestTimeoutError } from '../src/errors.ts';
import { queueDecision, Requests, requestBlocked } from '../src/requests.ts';

interface Message {
  readonly id?: number;
  readonly reply?: number;
}

const correlation: Correlation<Message> = {
  stamp: (request, id) => ({ ...request, id }),
  replyTo: (message) => message.reply,
};
const readable = () => {};

describe('queueDecision (the blocking rule)', () => {
  it('reads on below maxQueued', () => {
    expect(queueDecision(63, 64, 0)).toBe('read');
  });
  it('pauses at maxQueued when no request waits', () => {
    expect(queueDecision(64, 64, 0)).toBe('pause');
  });
  it('reads on past maxQueued while requests wait, up to twice it', () => {
    expect(queueDecision(64, 64, 1)).toBe('read');
    expect(queueDecision(127, 64, 1)).toBe('read');
  });
  it('blocks the waiting requests at twice maxQueued', () => {
    expect(queueDecision(128, 64, 1)).toBe('block');
  });
});

describe('requestBlocked', () => {
  it('refuses a new request only while reading is paused at the blocking bound', () => {
    expect(requestBlocked(true, 128, 64)).toBe(true);
    expect(requestBlocked(true, 127, 64)).toBe(false);
    expect(requestBlocked(false, 500, 64)).toBe(false);
  });
});

describe('Requests', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('stamps each request with a fresh id and resolves it with the reply to that id', async () => {
    const requests = new Requests(correlation, 1_000);
    const first = requests.open({}, undefined, readable);
    const second = requests.open({}, undefined, readable);
    expect([first.stamped.id, second.stamped.id]).toEqual([1, 2]);
    expect(requests.size).toBe(2);
    expect(requests.resolveReply({ reply: 2 })).toBe(true);
    await expect(second.reply).resolves.toEqual({ reply: 2 });
    expect(requests.size).toBe(1);
  });

  it('leaves a message that answers no waiting request to the caller', () => {
    const requests = new Requests(correlation, 1_000);
    expect(requests.resolveReply({ reply: 1 })).toBe(false);
    requests.open({}, undefined, readable);
    expect(requests.resolveReply({})).toBe(false);
    expect(requests.resolveReply({ reply: 7 })).toBe(false);
    expect(requests.size).toBe(1);
  });

  it('does not change the caller message', () => {
    const requests = new Requests(correlation, 1_000);
    const message = {};
    requests.open(message, undefined, readable);
    expect(message).toEqual({});
  });

  it('rejects with RequestTimeoutError after its timeout and forgets the request', async () => {
    const requests = new Requests(correlation, 1_000);
    const { reply } = requests.open({}, { timeout: 50 }, readable);
    const failed = expect(reply).rejects.toBeInstanceOf(RequestTimeoutError);
    vi.advanceTimersByTime(50);
    await failed;
    expect(requests.size).toBe(0);
  });

  it('uses the default timeout when the request names none', async () => {
    const requests = new Requests(correlation, 200);
    const { reply } = requests.open({}, undefined, readable);
    const failed = expect(reply).rejects.toMatchObject({ timeout: 200 });
    vi.advanceTimersByTime(200);
    await failed;
  });

  it('rejects with the signal reason when aborted and forgets the request', async () => {
    const requests = new Requests(correlation, 1_000);
    const controller = new AbortController();
    const { reply } = requests.open({}, { signal: controller.signal }, readable);
    const reason = new Error('stop');
    controller.abort(reason);
    await expect(reply).rejects.toBe(reason);
    expect(requests.size).toBe(0);
  });

  it('refuses an already aborted signal without registering', () => {
    const requests = new Requests(correlation, 1_000);
    const reason = new Error('gone');
    expect(() => requests.open({}, { signal: AbortSignal.abort(reason) }, readable)).toThrow(reason);
    expect(requests.size).toBe(0);
  });

  it('refuses bad options and a channel without correlation, registering nothing', () => {
    const requests = new Requests(correlation, 1_000);
    expect(() => requests.open({}, { timeout: -1 }, readable)).toThrow(InvalidArgumentError);
    expect(() => requests.open({}, { retries: 2 } as never, readable)).toThrow(InvalidArgumentError);
    expect(() => new Requests<Message>(undefined, 1_000).open({}, undefined, readable)).toThrow(
      InvalidStateError,
    );
    expect(requests.size).toBe(0);
  });

  it('registers nothing when the reply could not arrive', () => {
    const requests = new Requests(correlation, 1_000);
    const blocked = new Error('blocked');
    expect(() =>
      requests.open({}, undefined, () => {
        throw blocked;
      }),
    ).toThrow(blocked);
    expect(requests.size).toBe(0);
  });

  it('reject() fails one request, rejectAll() every one', async () => {
    const requests = new Requests(correlation, 1_000);
    const one = requests.open({}, undefined, readable);
    const two = requests.open({}, undefined, readable);
    const three = requests.open({}, undefined, readable);
    const sendFailed = new Error('send failed');
    requests.reject(one.id, sendFailed);
    await expect(one.reply).rejects.toBe(sendFailed);
    const closed = new Error('closed');
    requests.rejectAll(closed);
    await expect(two.reply).rejects.toBe(closed);
    await expect(three.reply).rejects.toBe(closed);
    expect(requests.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});
