import { until } from '@sockkit/testkit';
import { describe, expect, it } from 'vitest';
import { udpEndpoint } from '../src/endpoint.ts';
import { InvalidArgumentError } from '../src/errors.ts';
import { rawClient, requestEnvelope } from './raw-peer.ts';

/** An async handler whose calls stay running until the test releases them. */
function heldHandler() {
  const calls: Array<{ n: number; release: () => void }> = [];
  let called = () => {};
  const handler = (message: Uint8Array) =>
    new Promise<Uint8Array>((resolve) => {
      calls.push({ n: message[0]!, release: () => resolve(message) });
      called();
    });
  /** Resolves once `count` calls have started. */
  const started = (count: number) =>
    new Promise<void>((resolve) => {
      called = () => calls.length >= count && resolve();
      called();
    });
  return { calls, handler, started };
}

describe('serve limits against floods and hostile peers', () => {
  it('runs at most maxConcurrentRequests handlers, drops and counts the rest, and serves them on retransmission', async () => {
    await using server = await udpEndpoint({ maxConcurrentRequests: 2 });
    const { calls, handler, started } = heldHandler();
    server.serve(handler);
    using client = await rawClient(server.address.port);
    const { replies } = client;
    const send = (n: number) => client.send(requestEnvelope(n));
    for (const n of [1, 2, 3, 4]) send(n);
    await started(2);
    await until(() => server.stats.received === 4);
    expect(calls.map((call) => call.n)).toEqual([1, 2]);
    expect(server.stats).toMatchObject({ served: 2, overloadedRequests: 2 });

    send(1); // a retransmission of a running request: not run again
    await until(() => server.stats.duplicateRequests === 1);
    for (const call of calls) call.release();
    await until(() => replies.length === 2);

    send(3); // the dropped ones, retransmitted: now there is room
    send(4);
    await started(4);
    for (const call of calls.slice(2)) call.release();
    await until(() => replies.length === 4);
    expect(replies.map((reply) => reply[11])).toEqual([1, 2, 3, 4]);
    expect(server.stats).toMatchObject({ served: 4, overloadedRequests: 2, replyCacheFull: 0 });
  });

  it('never evicts a running request from a full reply cache: refuses and counts the new one', async () => {
    await using server = await udpEndpoint({ replyCache: { maxEntries: 2 }, maxConcurrentRequests: 10 });
    const { calls, handler, started } = heldHandler();
    server.serve(handler);
    using client = await rawClient(server.address.port);
    const { replies } = client;
    const send = (n: number) => client.send(requestEnvelope(n));
    for (const n of [1, 2, 3]) send(n);
    await started(2);
    await until(() => server.stats.replyCacheFull === 1);
    send(1); // still remembered as running: at most once
    await until(() => server.stats.duplicateRequests === 1);
    expect(server.stats).toMatchObject({ served: 2, replyCacheEvictions: 0 });

    calls[0]!.release();
    await until(() => replies.length === 1);
    send(3); // evicts the finished request 1, never the running request 2
    await started(3);
    send(2);
    await until(() => server.stats.duplicateRequests === 2);
    for (const call of calls.slice(1)) call.release();
    await until(() => replies.length === 3);
    expect(server.stats).toMatchObject({ served: 3, replyCacheEvictions: 1, replyCacheFull: 1 });
  });

  it('answers a retransmission from the cache only within 3x of that datagram (a short copy of the id gets nothing)', async () => {
    await using server = await udpEndpoint();
    server.serve((message) => message);
    using client = await rawClient(server.address.port);
    const { replies, send } = client;
    const full = Buffer.concat([requestEnvelope(1), Buffer.alloc(40, 1)]);
    send(full);
    await until(() => replies.length === 1);
    send(full.subarray(0, 11)); // same id, no payload: 11 * 3 < 52
    await until(() => server.stats.amplificationRefused === 1);
    send(full);
    await until(() => replies.length === 2);
    expect(replies.map((reply) => reply.byteLength)).toEqual([52, 52]);
    expect(server.stats).toMatchObject({ served: 1, cachedReplies: 1, amplificationRefused: 1 });
  });

  it.each([0, 1.5, Number.NaN])('refuses maxConcurrentRequests %s', async (maxConcurrentRequests) => {
    await expect(udpEndpoint({ maxConcurrentRequests })).rejects.toThrow(InvalidArgumentError);
  });
});
