import { describe, expect, it, vi } from 'vitest';
import {
  ConnectionResetError,
  InvalidArgumentError,
  InvalidStateError,
  SocketClosedError,
  type StreamSocket,
} from '../src/index.ts';
import { streamWriter } from '../src/internals.ts';
import { bytes, connectedPair, recvAll, text } from './helpers.ts';

/** Resolves at the next readable cue of `conn` (its one listener, removed again). */
function nextCue(conn: StreamSocket): Promise<void> {
  return new Promise((resolve) => {
    const stop = conn.onReadable(() => {
      stop();
      resolve();
    });
  });
}

describe('StreamSocket.tryRecv and onReadable', () => {
  it('tryRecv gives undefined while nothing waits, the bytes after the cue, then empty at end of stream', async () => {
    await using pair = await connectedPair();
    expect(pair.client.tryRecv(16)).toBeUndefined();
    let cue = nextCue(pair.client);
    await pair.conn.sendAll(bytes('hello'));
    await cue;
    expect(text(pair.client.tryRecv(3)!)).toBe('hel');
    expect(text(pair.client.tryRecv(16)!)).toBe('lo');
    expect(pair.client.tryRecv(16)).toBeUndefined();
    cue = nextCue(pair.client);
    pair.conn.shutdown('write');
    await cue;
    expect(pair.client.tryRecv(16)).toEqual(new Uint8Array(0));
    expect(() => pair.client.tryRecv(0)).toThrow(InvalidArgumentError);
  });

  it('is cued when the connection fails or closes, and tryRecv then throws what recv would reject with', async () => {
    await using pair = await connectedPair();
    let cue = nextCue(pair.client);
    await pair.conn.reset();
    await cue;
    expect(() => pair.client.tryRecv(16)).toThrow(ConnectionResetError);

    await using other = await connectedPair();
    cue = nextCue(other.client);
    const closing = other.client.close();
    await cue;
    expect(() => other.client.tryRecv(16)).toThrow(SocketClosedError);
    await closing;
    expect(() => other.client.onReadable(() => {})).toThrow(SocketClosedError);
  });

  it('a listener that leaves bytes unread pauses the socket at its own high-water mark; one listener at a time', async () => {
    await using pair = await connectedPair();
    let cues = 0;
    pair.client.onReadable(() => cues++);
    expect(() => pair.client.onReadable(() => {})).toThrow(InvalidStateError);
    const sending = pair.conn.sendAll(new Uint8Array(4 * 1024 * 1024)).catch(() => {});
    await vi.waitFor(() => expect(pair.client.readPaused).toBe(true), { timeout: 5_000 });
    expect(cues).toBeGreaterThan(0);
    expect(pair.client.bufferedBytes).toBeGreaterThanOrEqual(pair.client.highWaterMark);
    expect(pair.client.bufferedBytes).toBeLessThan(4 * 1024 * 1024);
    await pair.client.close();
    await sending;
  });

  it('drains 4 MiB through tryRecv alone, resuming the paused socket as it reads', async () => {
    await using pair = await connectedPair();
    const total = 4 * 1024 * 1024;
    let received = 0;
    const ended = new Promise<void>((resolve) => {
      pair.client.onReadable(() => {
        for (
          let chunk = pair.client.tryRecv(65_536);
          chunk !== undefined;
          chunk = pair.client.tryRecv(65_536)
        ) {
          if (chunk.length === 0) return resolve();
          received += chunk.length;
        }
      });
    });
    await pair.conn.sendAll(new Uint8Array(total), { timeout: 10_000 });
    pair.conn.shutdown('write');
    await ended;
    expect(received).toBe(total);
  });

  it('a throwing listener rejects the next read with its error instead of crashing', async () => {
    await using pair = await connectedPair();
    const broken = new Error('listener broke');
    const stop = pair.client.onReadable(() => {
      throw broken;
    });
    await pair.conn.sendAll(bytes('x'));
    await vi.waitFor(() => expect(pair.client.bufferedBytes).toBe(1));
    stop();
    expect(text(pair.client.tryRecv(16)!)).toBe('x');
    expect(() => pair.client.tryRecv(16)).toThrow(broken);
    expect(pair.client.tryRecv(16)).toBeUndefined();
  });
});

describe('streamWriter (internals)', () => {
  it('writes whole chunks, reports the mark, cues drain once the peer reads, and ends after the bytes', async () => {
    await using pair = await connectedPair();
    const writer = streamWriter(pair.client);
    expect(writer.write(bytes('ab'))).toBe(true);
    writer.cork();
    writer.write(bytes('c'));
    writer.write(bytes('d'));
    writer.uncork();
    let drains = 0;
    writer.onDrain(() => drains++);
    expect(() => writer.onDrain(() => {})).toThrow(InvalidStateError);
    const big = new Uint8Array(8 * 1024 * 1024).fill(1);
    expect(writer.write(big)).toBe(false);
    expect(writer.writableNeedDrain).toBe(true);
    const reading = recvAll(pair.conn);
    await vi.waitFor(() => expect(drains).toBe(1), { timeout: 5_000 });
    expect(writer.writableNeedDrain).toBe(false);
    const ended = new Promise<void>((resolve) => writer.end(resolve));
    await ended;
    expect(pair.client.writeBlocked).toBe(false);
    const received = await reading;
    expect(received.length).toBe(4 + big.length);
    expect(text(received.subarray(0, 4))).toBe('abcd');
  });

  it('throws the typed error when the socket cannot be written, and refuses anything but a StreamSocket', async () => {
    await using pair = await connectedPair();
    const writer = streamWriter(pair.client);
    await pair.client.close();
    expect(() => writer.write(bytes('x'))).toThrow(SocketClosedError);
    expect(() => streamWriter({} as never)).toThrow(InvalidArgumentError);
  });
});
