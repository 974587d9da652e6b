import { describe, expect, it } from 'vitest';
import {
  AF_INET,
  DEFAULT_HIGH_WATER_MARK,
  InvalidArgumentError,
  SocketClosedError,
  StreamSocket,
} from '../src/index.ts';
import { closeParts, streamParts } from '../src/stream-parts.ts';

function parts(highWaterMark?: unknown) {
  return streamParts({
    facade: new StreamSocket(),
    family: AF_INET,
    highWaterMark,
    timeout: () => null,
    adopt: () => {
      throw new Error('nothing is accepted here');
    },
  });
}

describe('streamParts', () => {
  it('checks the high-water mark and defaults it', () => {
    expect(parts().read.highWaterMark).toBe(DEFAULT_HIGH_WATER_MARK);
    expect(parts(8).read.highWaterMark).toBe(8);
    expect(() => parts(0)).toThrow(InvalidArgumentError);
  });

  it('wires the read checks to the lifecycle: a fresh socket cannot recv, a closed one says so', async () => {
    const wired = parts();
    expect(() => wired.read.tryTake(4)).toThrow(expect.objectContaining({ code: 'ENOTCONN' }));
    wired.life.connecting();
    wired.life.connected();
    const waiting = wired.read.receive(4, undefined, null);
    await closeParts(wired, false);
    expect(wired.life.closed).toBe(true);
    await expect(waiting).rejects.toBeInstanceOf(SocketClosedError);
    expect(() => wired.read.tryTake(4)).toThrow(SocketClosedError);
  });
});
