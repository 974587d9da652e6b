import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ReadTimeoutError } from '../src/errors.ts';
import { ReadDeadlines } from '../src/read-deadlines.ts';

describe('ReadDeadlines', () => {
  let expired: ReadTimeoutError[];
  const deadlines = (frame: number | null, idle: number | null) =>
    new ReadDeadlines(frame, idle, (error) => expired.push(error));

  beforeEach(() => {
    vi.useFakeTimers();
    expired = [];
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('expires the idle deadline when nothing arrives in time', () => {
    deadlines(null, 100).startIdle();
    vi.advanceTimersByTime(99);
    expect(expired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(expired).toHaveLength(1);
    expect(expired[0]).toBeInstanceOf(ReadTimeoutError);
    expect(expired[0]!.reason).toBe('idle');
  });

  it('starts the idle deadline over whenever bytes arrive', () => {
    const reads = deadlines(null, 100);
    reads.startIdle();
    for (let step = 0; step < 5; step++) {
      vi.advanceTimersByTime(80);
      reads.received();
    }
    expect(expired).toEqual([]);
    vi.advanceTimersByTime(100);
    expect(expired).toHaveLength(1);
  });

  it('does not restart a running idle deadline when started again', () => {
    const reads = deadlines(null, 100);
    reads.startIdle();
    vi.advanceTimersByTime(60);
    reads.startIdle();
    vi.advanceTimersByTime(40);
    expect(expired).toHaveLength(1);
  });

  it('starts nothing again after end(): a closing channel has only its close timeout', () => {
    const reads = deadlines(100, 100);
    reads.startIdle();
    reads.decoded(true, false);
    reads.end();
    reads.startIdle();
    reads.decoded(true, true);
    reads.received();
    vi.advanceTimersByTime(1000);
    expect(expired).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('expires the frame deadline of a frame that does not complete in time', () => {
    deadlines(100, null).decoded(true, false);
    vi.advanceTimersByTime(100);
    expect(expired).toHaveLength(1);
    expect(expired[0]!.reason).toBe('frame');
  });

  it('keeps one frame deadline while the same frame goes on arriving in pieces', () => {
    const reads = deadlines(100, null);
    reads.decoded(true, false);
    vi.advanceTimersByTime(60);
    reads.decoded(true, false);
    vi.advanceTimersByTime(40);
    expect(expired).toHaveLength(1);
  });

  it('restarts the frame deadline when a chunk completed frames and started another', () => {
    const reads = deadlines(100, null);
    reads.decoded(true, false);
    vi.advanceTimersByTime(60);
    reads.decoded(true, true);
    vi.advanceTimersByTime(60);
    expect(expired).toEqual([]);
    vi.advanceTimersByTime(40);
    expect(expired).toHaveLength(1);
  });

  it('clears the frame deadline between frames', () => {
    const reads = deadlines(100, null);
    reads.decoded(true, false);
    reads.decoded(false, true);
    vi.advanceTimersByTime(1_000);
    expect(expired).toEqual([]);
  });

  it('stop() clears both deadlines', () => {
    const reads = deadlines(100, 100);
    reads.startIdle();
    reads.decoded(true, false);
    reads.stop();
    vi.advanceTimersByTime(1_000);
    expect(expired).toEqual([]);
  });

  it('runs no timer for a null timeout', () => {
    const reads = deadlines(null, null);
    reads.startIdle();
    reads.decoded(true, false);
    expect(vi.getTimerCount()).toBe(0);
  });
});
