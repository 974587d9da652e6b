// The hostile catalogue for @sockkit/udp: one test per hostile input (datagrams on the wire,
// options from plain JavaScript, calls in the wrong state, resource exhaustion), each asserting
// the error's class and code, then that a well-behaved client of the same server is still served.
import { createCodec } from '@sockkit/framing';
import { type ExpectedFailure, expectTyped, failureOf, until } from '@sockkit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { retransmissionSpan } from '../src/backoff.ts';
import { type UdpEndpoint, udpEndpoint } from '../src/endpoint.ts';
import {
  DatagramTooLargeError,
  EndpointClosedError,
  InvalidArgumentError,
  InvalidStateError,
  ReceiveTimeoutError,
  RequestTimeoutError,
} from '../src/errors.ts';
import { ClosedError, TimeoutError } from '../src/index.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const bytes = (text: string) => encoder.encode(text);
const fast = { timeout: 20, retries: 1 } as const;

const Ping = z.object({ text: z.string() });
const codec = createCodec(Ping);

let server: UdpEndpoint;
let typed: UdpEndpoint<{ text: string }>;

beforeAll(async () => {
  server = await udpEndpoint();
  // Echoes; 'amp' asks for 100 times its size, 'throw' makes the handler fail.
  server.serve((message) => {
    const text = decoder.decode(message);
    if (text === 'throw') throw new Error('handler failed');
    if (text === 'amp') return new Uint8Array(300);
    return message;
  });
  typed = await udpEndpoint({ codec });
  typed.serve((message) => message);
});

afterAll(async () => {
  await server.close();
  await typed.close();
});

/** A second, well-behaved client of the same server gets its reply. */
async function expectServed(): Promise<void> {
  await using client = await udpEndpoint();
  const reply = await client.request(bytes('still served?'), server.address, { timeout: 200, retries: 5 });
  expect(decoder.decode(reply)).toBe('still served?');
  await using typedClient = await udpEndpoint({ codec });
  expect(await typedClient.request({ text: 'typed?' }, typed.address, { timeout: 200, retries: 5 })).toEqual({
    text: 'typed?',
  });
}

const invalid: ExpectedFailure = { type: InvalidArgumentError, code: 'SOCKKIT_ERR_INVALID_ARGUMENT' };
const requestTimeout: ExpectedFailure = {
  type: RequestTimeoutError,
  code: 'SOCKKIT_ERR_REQUEST_TIMEOUT',
  kind: TimeoutError,
};
const closed: ExpectedFailure = {
  type: EndpointClosedError,
  code: 'SOCKKIT_ERR_ENDPOINT_CLOSED',
  kind: ClosedError,
};

describe('hostile catalogue: @sockkit/udp', () => {
  const optionCases: [string, () => Promise<unknown>][] = [
    ["udpEndpoint({ type: 'udp5' })", () => udpEndpoint({ type: 'udp5' } as never)],
    ['udpEndpoint({ queue: { maxBytes: 0 } })', () => udpEndpoint({ queue: { maxBytes: 0 } })],
    [
      'udpEndpoint({ queue: { maxDatagram: 8 } }) (a typo)',
      () => udpEndpoint({ queue: { maxDatagram: 8 } } as never),
    ],
    [
      'udpEndpoint({ retransmission: { backoff: { factor: 0.5 } } })',
      () => udpEndpoint({ retransmission: { backoff: { factor: 0.5 } } }),
    ],
    [
      'udpEndpoint({ retransmission: { timeout: 2 ** 31 } })',
      () => udpEndpoint({ retransmission: { timeout: 2 ** 31 } }),
    ],
    [
      'udpEndpoint({ retries: 3 }) (a retransmission option at the top)',
      () => udpEndpoint({ retries: 3 } as never),
    ],
    ['udpEndpoint({ bind: { port: 70000 } })', () => udpEndpoint({ bind: { port: 70_000 } })],
    [
      "udpEndpoint({ bind: { reuseAddress: 'yes' } })",
      () => udpEndpoint({ bind: { reuseAddress: 'yes' } } as never),
    ],
    ['udpEndpoint({ maxAmplification: NaN })', () => udpEndpoint({ maxAmplification: Number.NaN })],
    ['udpEndpoint({ maxPayload: 70000 })', () => udpEndpoint({ maxPayload: 70_000 })],
    ['udpEndpoint({ codec: {} })', () => udpEndpoint({ codec: {} } as never)],
    ['udpEndpoint({ replyCache: { ttl: -1 } })', () => udpEndpoint({ replyCache: { ttl: -1 } })],
    [
      'retransmissionSpan({ factor: 2 }) (the flat shape)',
      async () => retransmissionSpan({ factor: 2 } as never),
    ],
    [
      'retransmissionSpan({ backoff: { maxTimeout: 0 } })',
      async () => retransmissionSpan({ backoff: { maxTimeout: 0 } }),
    ],
  ];

  it.each(optionCases)('%s', async (_name, run) => {
    expectTyped(await failureOf(run), invalid);
    await expectServed();
  });

  // Calls on an open client endpoint.
  const clientCases: [string, (client: UdpEndpoint) => unknown, ExpectedFailure][] = [
    ["send('text', to) without a codec", (client) => client.send('text' as never, server.address), invalid],
    [
      'request({ q: 1 }, to) without a codec',
      (client) => client.request({ q: 1 } as never, server.address),
      invalid,
    ],
    [
      "request(bytes, { host: '', port: 1 })",
      (client) => client.request(bytes('x'), { host: '', port: 1 }),
      invalid,
    ],
    [
      'request(bytes, { host, port: 0 })',
      (client) => client.request(bytes('x'), { host: '127.0.0.1', port: 0 }),
      invalid,
    ],
    ['send(bytes, undefined)', (client) => client.send(bytes('x'), undefined as never), invalid],
    [
      'request(bytes, to, { timeout: 2 ** 31, backoff: { maxTimeout: Infinity } })',
      (client) =>
        client.request(bytes('x'), server.address, {
          timeout: 2 ** 31,
          backoff: { maxTimeout: Number.POSITIVE_INFINITY },
        }),
      invalid,
    ],
    [
      'request(bytes, to, { retry: 2 }) (a typo)',
      (client) => client.request(bytes('x'), server.address, { retry: 2 } as never),
      invalid,
    ],
    [
      "request(bytes, to, { signal: 'stop' })",
      (client) => client.request(bytes('x'), server.address, { signal: 'stop' } as never),
      invalid,
    ],
    ['recv({ timeout: 2 ** 31 + 5 })', (client) => client.recv({ timeout: 2 ** 31 + 5 }), invalid],
    ['recv({ timeout: -1 })', (client) => client.recv({ timeout: -1 }), invalid],
    ["serve('handler')", (client) => client.serve('handler' as never), invalid],
    ['join(42)', (client) => client.join(42 as never), invalid],
    [
      'send(a 70,000-byte datagram)',
      (client) => client.send(new Uint8Array(70_000), server.address),
      {
        type: DatagramTooLargeError,
        code: 'SOCKKIT_ERR_DATAGRAM_TOO_LARGE',
      },
    ],
    [
      'recv({ timeout: 20 }) with nothing sent',
      (client) => client.recv({ timeout: 20 }),
      {
        type: ReceiveTimeoutError,
        code: 'SOCKKIT_ERR_RECEIVE_TIMEOUT',
        kind: TimeoutError,
      },
    ],
    [
      'a request nobody answers',
      async (client) => {
        await using silent = await udpEndpoint();
        await client.request(bytes('anyone?'), silent.address, fast);
      },
      requestTimeout,
    ],
    [
      'a request whose handler throws',
      (client) => client.request(bytes('throw'), server.address, fast),
      requestTimeout,
    ],
    [
      'a request whose reply would be over maxAmplification',
      (client) => client.request(bytes('amp'), server.address, fast),
      requestTimeout,
    ],
    [
      'a request of bytes that are not MessagePack, to a typed server',
      (client) => client.request(Uint8Array.of(0xc1), typed.address, fast),
      requestTimeout,
    ],
    [
      'a second serve handler',
      (client) => {
        client.serve((message) => message);
        client.serve((message) => message);
      },
      { type: InvalidStateError, code: 'SOCKKIT_ERR_INVALID_STATE' },
    ],
    [
      'recv() after close()',
      async (client) => {
        await client.close();
        await client.recv();
      },
      closed,
    ],
    [
      'send() after close()',
      async (client) => {
        await client.close();
        await client.send(bytes('late'), server.address);
      },
      closed,
    ],
    [
      'a request pending when its endpoint closes',
      async (client) => {
        await using silent = await udpEndpoint();
        const pending = client.request(bytes('x'), silent.address, { timeout: 5_000 });
        await client.close();
        await pending;
      },
      closed,
    ],
  ];

  it.each(clientCases)('%s', async (_name, run, expected) => {
    await using client = await udpEndpoint();
    expectTyped(await failureOf(() => run(client)), expected);
    await expectServed();
  });

  it('a request to a typed endpoint with a codec whose encode returns a string', async () => {
    const broken = { encode: () => 'text', decode: codec.decode } as never;
    await using client = await udpEndpoint<{ text: string }>({ codec: broken });
    expectTyped(await failureOf(() => client.request({ text: 'x' }, typed.address, fast)), invalid);
    await expectServed();
  });

  it('a forged reply from another port than the request went to (spoofed)', async () => {
    await using client = await udpEndpoint();
    await using silent = await udpEndpoint();
    await using spoofer = await udpEndpoint();
    const pending = client.request(bytes('who?'), silent.address, { timeout: 300, retries: 0 });
    const { data } = await silent.recv({ timeout: 5_000 });
    const forged = Uint8Array.from(data);
    forged[2] = 0x02; // request envelope -> reply envelope, same id
    await spoofer.send(forged, client.address);
    await until(() => client.stats.spoofedReplies === 1);
    expectTyped(await failureOf(() => pending), requestTimeout);
    expect(client.stats.replies).toBe(0);
    await expectServed();
  });

  it('10,000 requests to a silent peer aborted by one signal', async () => {
    await using client = await udpEndpoint();
    await using silent = await udpEndpoint(); // receives the requests, never answers
    const controller = new AbortController();
    const pending = Array.from({ length: 10_000 }, () =>
      client
        .request(bytes('ping'), silent.address, { timeout: 60_000, retries: 0, signal: controller.signal })
        .catch((error: unknown) => error),
    );
    await until(() => client.stats.pending === 10_000);
    controller.abort(new EndpointClosedError('gave up'));
    const outcomes = await Promise.all(pending);
    for (const outcome of [outcomes[0], outcomes[9_999]]) expectTyped(outcome, closed);
    expect(client.stats.pending).toBe(0);
    await expectServed();
  });

  it('10,000 recv()s aborted by one signal', async () => {
    await using client = await udpEndpoint();
    const controller = new AbortController();
    const pending = Array.from({ length: 10_000 }, () =>
      client.recv({ signal: controller.signal }).catch((error: unknown) => error),
    );
    controller.abort(new EndpointClosedError('gave up'));
    const outcomes = await Promise.all(pending);
    for (const outcome of [outcomes[0], outcomes[9_999]]) expectTyped(outcome, closed);
    const next = client.recv({ timeout: 5_000 });
    await client.send(bytes('usable'), client.address);
    expect(decoder.decode((await next).data)).toBe('usable');
    await expectServed();
  });
});
