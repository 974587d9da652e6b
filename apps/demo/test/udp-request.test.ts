import { describe, expect, it } from 'vitest';
import { type DropPolicy, LOSE_FIRST_REQUEST_AND_REPLY, runUdpRequest } from '../src/programs/udp-request.ts';

describe('udp-request', () => {
  it('tells requests from replies by the sender address, and survives the loss of one of each', async () => {
    const crossings: string[] = [];
    const drop: DropPolicy = (direction, index) => {
      crossings.push(`${direction} #${index}`);
      return LOSE_FIRST_REQUEST_AND_REPLY(direction, index);
    };
    const result = await runUdpRequest({ deposits: 1, drop, report: () => {} });
    // request #1 lost; #2 runs the deposit, its reply #1 lost; #3 is answered from the cache.
    expect(crossings).toEqual(['request #1', 'request #2', 'reply #1', 'request #3', 'reply #2']);
    expect(result).toMatchObject({ handlerRuns: 1, finalBalance: 10, retransmissions: 2, cachedReplies: 1 });
  });

  it('fails the run at once, and nothing else, when the relay breaks', async () => {
    const broken = new Error('the relay broke');
    const drop: DropPolicy = (direction) => {
      if (direction === 'reply') throw broken;
      return false;
    };
    await expect(runUdpRequest({ deposits: 3, drop, report: () => {} })).rejects.toBe(broken);
  });
});
