import { describe, expect, it } from 'vitest';
import { GracefulClose } from '../src/graceful-close.ts';
import type { Outbox } from '../src/outbox.ts';
import type { Transport } from '../src/transport.ts';

/** A transport whose end completes when `finishEnd` is called, recording what the close asked of it. */
function fakes() {
  const calls: string[] = [];
  let finishEnd = () => {};
  const transport = {
    writableEnded: false,
    destroyed: false,
    end(then: () => void) {
      calls.push('end');
      this.writableEnded = true;
      finishEnd = then;
    },
    resume: () => calls.push('resume'),
  };
  const outbox = {
    afterQueuedWrites(then: () => void) {
      calls.push('flushed');
      then();
    },
  };
  const close = new GracefulClose(transport as unknown as Transport, outbox as unknown as Outbox);
  return { close, calls, finishEnd: () => finishEnd() };
}

describe('GracefulClose', () => {
  it('flushes, ends, then reads on, discarding, until the peer ends', async () => {
    const { close, calls, finishEnd } = fakes();
    let done = false;
    const running = close.run(60_000, () => false).then(() => (done = true));
    expect(calls).toEqual(['flushed', 'end']);
    finishEnd();
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toEqual(['flushed', 'end', 'resume']);
    expect(close.lingering).toBe(true);
    expect(done).toBe(false);
    close.stopWaiting(); // the peer ended
    await running;
  });

  it('does not linger when the peer ended already', async () => {
    const { close, calls, finishEnd } = fakes();
    const running = close.run(60_000, () => true);
    finishEnd();
    expect(await running).toBe(true);
    expect(calls).toEqual(['flushed', 'end']);
    expect(close.lingering).toBe(false);
  });

  it('gives up at the deadline, and does not linger after a flush that did not finish', async () => {
    const { close, calls } = fakes();
    expect(await close.run(50, () => false)).toBe(false); // end never completes
    expect(calls).toEqual(['flushed', 'end']);
    expect(close.lingering).toBe(false);
  });
});
