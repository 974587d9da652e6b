import { describe, expect, it } from 'vitest';
import { BlockingIOError, InvalidArgumentError, SocketTimeoutError } from '../src/index.ts';
import { EMPTY, ReadBuffer } from '../src/read-buffer.ts';
import { waitIn } from '../src/waiter.ts';

/** A source that records its pauses and resumes, as a Node socket's reading would be switched. */
class Source {
  readonly calls: string[] = [];
  pause(): void {
    this.calls.push('pause');
  }
  resume(): void {
    this.calls.push('resume');
  }
}

const bytes = (...values: number[]) => Uint8Array.from(values);

function buffer(highWaterMark = 8) {
  const read = new ReadBuffer(highWaterMark, { assertNotClosed() {}, assertReadable() {} });
  const source = new Source();
  read.attach(source);
  const recv = (bufsize: number) => waitIn(read.readers, undefined, null, bufsize, 'recv');
  return { read, source, recv };
}

describe('ReadBuffer', () => {
  it('hands a chunk that fits straight to the waiting recv, without queueing or cueing it', async () => {
    const { read, recv } = buffer();
    let cues = 0;
    read.readable = () => cues++;
    const waiting = recv(16);
    const chunk = bytes(1, 2, 3);
    read.push(chunk);
    expect(await waiting).toBe(chunk);
    expect(read.size).toBe(0);
    expect(cues).toBe(0);
  });

  it('queues what does not fit, hands the waiting recv its bufsize, and cues once bytes wait', async () => {
    const { read, recv } = buffer();
    let cues = 0;
    read.readable = () => cues++;
    const waiting = recv(2);
    read.push(bytes(1, 2, 3));
    expect([...(await waiting)]).toEqual([1, 2]);
    expect(read.size).toBe(1);
    expect(cues).toBe(1);
    expect([...read.take(10)]).toEqual([3]);
  });

  it('pauses its source at the high-water mark once, and resumes it once below', () => {
    const { read, source } = buffer(8);
    read.push(new Uint8Array(5));
    expect(read.paused).toBe(false);
    read.push(new Uint8Array(5));
    read.push(new Uint8Array(5));
    expect(read.paused).toBe(true);
    expect(source.calls).toEqual(['pause']);
    read.take(5);
    expect(source.calls).toEqual(['pause']); // 10 bytes wait: still at the mark
    read.take(5);
    expect(read.paused).toBe(false);
    expect(source.calls).toEqual(['pause', 'resume']);
  });

  it('pauses and resumes nothing once detached, but keeps its own state', () => {
    const { read, source } = buffer(4);
    read.detach();
    read.push(new Uint8Array(4));
    expect(read.paused).toBe(true);
    read.clear();
    expect(read.size).toBe(0);
    expect(source.calls).toEqual([]);
  });

  it('ends or fails every waiting recv, and cues the listener each time', async () => {
    const { read, recv } = buffer();
    let cues = 0;
    read.readable = () => cues++;
    const first = recv(4);
    const second = recv(4);
    read.endReaders();
    expect(await first).toBe(EMPTY);
    expect(await second).toBe(EMPTY);
    const failing = recv(4);
    const error = new Error('reset');
    read.failReaders(error);
    await expect(failing).rejects.toBe(error);
    expect(cues).toBe(2);
  });

  it("a throwing listener's error is kept once for the next read, or rejects a recv that waits by then", async () => {
    const { read, recv } = buffer();
    const broken = new Error('listener broke');
    read.readable = () => {
      throw broken;
    };
    read.push(bytes(1));
    expect(read.takeListenerFailure()).toBe(broken);
    expect(read.takeListenerFailure()).toBeUndefined();
    let waiting: Promise<Uint8Array> | undefined;
    read.readable = () => {
      waiting = recv(4); // a recv the listener started, still waiting when it throws
      throw broken;
    };
    read.endReaders();
    await expect(waiting).rejects.toBe(broken);
    expect(read.takeListenerFailure()).toBeUndefined();
  });

  it('tryTake reads the waiting bytes before the end, the end before a failure, and checks for close first', () => {
    let closed = false;
    const failure = new Error('reset');
    let failed = false;
    const read = new ReadBuffer(8, {
      assertNotClosed() {
        if (closed) throw new Error('closed');
      },
      assertReadable() {
        if (failed) throw failure;
      },
    });
    expect(read.tryTake(4)).toBeUndefined();
    read.push(bytes(1, 2));
    failed = true;
    expect([...read.tryTake(4)!]).toEqual([1, 2]);
    expect(() => read.tryTake(4)).toThrow(failure);
    read.end();
    expect(read.tryTake(4)).toBe(EMPTY);
    closed = true;
    expect(() => read.tryTake(4)).toThrow('closed');
  });

  it('shutdown drops the waiting bytes, resumes the source and ends the waiting recvs', async () => {
    const { read, source, recv } = buffer(2);
    read.push(bytes(1, 2, 3));
    expect(read.paused).toBe(true);
    read.shutdown();
    expect(read.shut).toBe(true);
    expect(read.size).toBe(0);
    expect(source.calls).toEqual(['pause', 'resume']);
    expect(read.tryTake(4)).toBe(EMPTY);
    const late = recv(4);
    read.endReaders();
    expect(await late).toBe(EMPTY);
    expect(() => read.listen(() => {})).not.toThrow();
    expect(() => read.listen(() => {})).toThrow(/already has a readable listener/);
  });

  it('receive resolves with waiting bytes at once, else waits for the next push within its timeout', async () => {
    const { read } = buffer();
    read.push(bytes(1, 2, 3));
    expect([...(await read.receive(2, undefined, null))]).toEqual([1, 2]);
    expect([...(await read.receive(8, undefined, 0))]).toEqual([3]);
    const waiting = read.receive(8, undefined, null);
    read.push(bytes(4));
    expect([...(await waiting)]).toEqual([4]);
    await expect(read.receive(8, undefined, 0)).rejects.toBeInstanceOf(BlockingIOError);
    await expect(read.receive(8, { timeout: 5 }, null)).rejects.toBeInstanceOf(SocketTimeoutError);
    expect(read.readers.length).toBe(0);
  });

  it('receive rejects, never throws, on a bad bufsize or what the read checks throw', async () => {
    let closed = false;
    const read = new ReadBuffer(8, {
      assertNotClosed() {
        if (closed) throw new Error('closed');
      },
      assertReadable() {},
    });
    const bad = read.receive(0, undefined, null);
    await expect(bad).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(() => read.tryTake(1.5)).toThrow(InvalidArgumentError);
    closed = true;
    await expect(read.receive(4, undefined, null)).rejects.toThrow('closed');
  });
});
