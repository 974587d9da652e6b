// The hostile catalogue for @sockkit/framing: one test per hostile input (bytes on the wire,
// options from plain JavaScript, calls in the wrong state, resource exhaustion), each asserting
// the error's class and code, then that a well-behaved client of the same server is still served.
import {
  ClosedError,
  createConnection,
  createServer,
  InvalidArgumentError,
  InvalidStateError,
  type SocketServer,
  type StreamSocket,
  TimeoutError,
} from '@sockkit/core';
import { type ExpectedFailure, expectTyped, failureOf, until } from '@sockkit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createCodec } from '../src/codec.ts';
import { decodeFrames } from '../src/decode-frames.ts';
import { FrameDecoder } from '../src/decoder.ts';
import { encodeFrame, encodeFrameHeader, encodeFrames } from '../src/encoder.ts';
import {
  ChannelClosedError,
  FrameDecodeError,
  FrameTooLargeError,
  MessageDecodeError,
  MessageValidationError,
  ReadTimeoutError,
  RequestTimeoutError,
  SendQueueFullError,
  TruncatedFrameError,
} from '../src/errors.ts';
import { defineFrameFormat, type FrameFormat, FrameFormats } from '../src/format.ts';
import { framed } from '../src/framed.ts';

const Message = z.object({ kind: z.enum(['note', 'flood']), text: z.string(), id: z.number().optional() });
const codec = createCodec(Message);

/** A server whose handler runs a framed channel per connection and echoes each message. */
interface Fixture {
  readonly server: SocketServer;
  readonly address: { host: string; port: number };
  readonly format: FrameFormat;
  readonly errors: unknown[];
}

async function startFixture(format: FrameFormat, onInvalid: 'fail' | 'skip'): Promise<Fixture> {
  const errors: unknown[] = [];
  const handler = async (conn: StreamSocket) => {
    const channel = framed(conn, { codec, format, onInvalid, frameTimeout: 300, idleTimeout: null });
    for await (const message of channel) {
      if (message.kind === 'flood') {
        // 16 MiB of un-awaited sends to a peer that reads none of them.
        for (let index = 0; index < 4096; index++)
          void channel.send({ kind: 'note', text: 'x'.repeat(4000) });
        continue;
      }
      await channel.send(message);
    }
  };
  const server = await createServer({ host: '127.0.0.1', port: 0 }, handler, {
    onError: (error) => errors.push(error),
  });
  return { server, address: server.address as { host: string; port: number }, format, errors };
}

let strict: Fixture;
let skipping: Fixture;
let varint: Fixture;

beforeAll(async () => {
  const format = defineFrameFormat({ maxFrameLength: 64 * 1024 });
  strict = await startFixture(format, 'fail');
  skipping = await startFixture(format, 'skip');
  varint = await startFixture(FrameFormats.varint, 'fail');
});

afterAll(() =>
  Promise.all([strict, skipping, varint].map((fixture) => fixture.server.close({ grace: 100 }))),
);

/** A second, well-behaved client of `fixture` is served: one message out, its echo back. */
async function expectServed(fixture: Fixture = strict): Promise<void> {
  const conn = await createConnection(fixture.address, { timeout: 5_000 });
  const channel = framed(conn, { codec, format: fixture.format });
  try {
    await channel.send({ kind: 'note', text: 'still served?' });
    const { value } = await channel[Symbol.asyncIterator]().next();
    expect(value).toEqual({ kind: 'note', text: 'still served?' });
  } finally {
    await channel.close();
  }
}

/** Sends raw `bytes` to `fixture`, then returns the error its handler reported for this connection. */
async function serverErrorAfter(
  fixture: Fixture,
  bytes: Uint8Array,
  then?: (conn: StreamSocket) => Promise<void>,
): Promise<unknown> {
  const seen = fixture.errors.length;
  const conn = await createConnection(fixture.address, { timeout: 5_000 });
  try {
    await conn.sendAll(bytes);
    await then?.(conn);
    await until(() => fixture.errors.length > seen, { timeout: 5_000 });
  } finally {
    await conn.close();
  }
  return fixture.errors[seen];
}

const frame = (payload: number[] | Uint8Array) => encodeFrame(Uint8Array.from(payload));
const invalid: ExpectedFailure = { type: InvalidArgumentError, code: 'SOCKKIT_ERR_INVALID_ARGUMENT' };
const messageDecode: ExpectedFailure = { type: MessageDecodeError, code: 'SOCKKIT_ERR_MESSAGE_DECODE' };
const tooLarge: ExpectedFailure = { type: FrameTooLargeError, code: 'SOCKKIT_ERR_FRAME_TOO_LARGE' };
const text = (value: string) => new TextEncoder().encode(value);

describe('hostile catalogue: @sockkit/framing', () => {
  const wireCases: [string, () => Fixture, Uint8Array, ExpectedFailure][] = [
    ['a header declaring 4 GiB - 1', () => strict, Uint8Array.of(0xff, 0xff, 0xff, 0xff), tooLarge],
    [
      'a header declaring 64 KiB + 1, one past maxFrameLength',
      () => strict,
      Uint8Array.of(0, 1, 0, 1),
      tooLarge,
    ],
    ['a frame holding the never-used MessagePack byte 0xC1', () => strict, frame([0xc1]), messageDecode],
    [
      'a message nested 10,000 arrays deep',
      () => strict,
      frame([...new Uint8Array(10_000).fill(0x91), 0x01]),
      messageDecode,
    ],
    [
      'a map with a __proto__ key',
      () => strict,
      frame([0x81, 0xa9, ...text('__proto__'), 0x01]),
      messageDecode,
    ],
    ['a msgpackr record definition (0xD4 0x72)', () => strict, frame([0xd4, 0x72, 0x40]), messageDecode],
    [
      'a 64-bit integer beyond 2^53',
      () => strict,
      frame([0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
      messageDecode,
    ],
    [
      'a valid message followed by trailing bytes',
      () => strict,
      frame([...codec.encode({ kind: 'note', text: 'x' }), 0x00]),
      messageDecode,
    ],
    [
      'a message of the wrong shape',
      () => strict,
      encodeFrame(createCodec(z.object({ kind: z.string() })).encode({ kind: 'bogus' })),
      {
        type: MessageValidationError,
        code: 'SOCKKIT_ERR_MESSAGE_VALIDATION',
      },
    ],
    [
      'a varint prefix of eleven 0xFF bytes',
      () => varint,
      new Uint8Array(11).fill(0xff),
      {
        type: FrameDecodeError,
        code: 'SOCKKIT_ERR_FRAME_DECODE',
      },
    ],
    [
      'a non-minimal varint prefix (0x80 0x00)',
      () => varint,
      Uint8Array.of(0x80, 0x00),
      {
        type: FrameDecodeError,
        code: 'SOCKKIT_ERR_FRAME_DECODE',
      },
    ],
    [
      "onInvalid 'skip' and a header declaring 4 GiB - 1 (too large to skip)",
      () => skipping,
      Uint8Array.of(0xff, 0xff, 0xff, 0xff),
      tooLarge,
    ],
  ];

  it.each(wireCases)('%s', async (_name, fixture, bytes, expected) => {
    expectTyped(await serverErrorAfter(fixture(), bytes), expected);
    await expectServed(fixture());
  });

  it('a frame cut off by the end of the stream', async () => {
    const error = await serverErrorAfter(strict, Uint8Array.of(0, 0, 0, 16, 1, 2, 3), async (conn) => {
      conn.shutdown('write');
    });
    expectTyped(error, { type: TruncatedFrameError, code: 'SOCKKIT_ERR_TRUNCATED_FRAME' });
    await expectServed();
  });

  it('a frame dripped one byte every 100 ms (slowloris)', async () => {
    const error = await serverErrorAfter(strict, Uint8Array.of(0), async (conn) => {
      for (const byte of [0, 0, 8, 1, 2]) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        if (conn.closed) return;
        await conn.sendAll(Uint8Array.of(byte)).catch(() => {});
      }
    });
    expectTyped(error, { type: ReadTimeoutError, code: 'SOCKKIT_ERR_READ_TIMEOUT', kind: TimeoutError });
    expect(error).toMatchObject({ reason: 'frame', timeout: 300 });
    await expectServed();
  });

  it("onInvalid 'skip' and a frame within maxSkipLength is dropped, the next served", async () => {
    const conn = await createConnection(skipping.address, { timeout: 5_000 });
    const channel = framed(conn, { codec, format: skipping.format });
    try {
      await conn.sendAll(encodeFrame(new Uint8Array(100 * 1024), FrameFormats.uint32BE));
      await channel.send({ kind: 'note', text: 'after' });
      expect((await channel[Symbol.asyncIterator]().next()).value).toEqual({ kind: 'note', text: 'after' });
    } finally {
      await channel.close();
    }
    await expectServed(skipping);
  });

  it('a peer that asks for a flood of un-awaited sends and never reads', async () => {
    const error = await serverErrorAfter(strict, encodeFrame(codec.encode({ kind: 'flood', text: '' })));
    expectTyped(error, { type: SendQueueFullError, code: 'SOCKKIT_ERR_SEND_QUEUE_FULL' });
    // The default bound: 1 MiB plus the one send that may always wait.
    expect((error as SendQueueFullError).limit).toBe(1024 * 1024);
    expect((error as SendQueueFullError).queuedBytes).toBeLessThan(1024 * 1024 + 8 * 1024);
    await expectServed();
  });

  // Arguments from plain JavaScript that need no connection.
  const standaloneCases: [string, () => unknown][] = [
    ["encodeFrame('hello')", () => encodeFrame('hello' as never)],
    ['encodeFrame({ length: 5 })', () => encodeFrame({ length: 5 } as never)],
    ["encodeFrames(['a', 'b'])", () => encodeFrames(['a', 'b'] as never)],
    ["encodeFrames('ab')", () => encodeFrames('ab' as never)],
    [
      "encodeFrame(bytes, { prefix: 'uint24' })",
      () => encodeFrame(new Uint8Array(1), { prefix: 'uint24' } as never),
    ],
    [
      'encodeFrame(bytes, { maxFramelength: 4 }) (a typo)',
      () => encodeFrame(new Uint8Array(1), { maxFramelength: 4 } as never),
    ],
    ['encodeFrameHeader(-1)', () => encodeFrameHeader(-1)],
    ["encodeFrameHeader('5')", () => encodeFrameHeader('5' as never)],
    ["defineFrameFormat({ endian: 'middle' })", () => defineFrameFormat({ endian: 'middle' } as never)],
    ['defineFrameFormat(null)', () => defineFrameFormat(null as never)],
    ['new FrameDecoder({ maxFrameLength: -1 })', () => new FrameDecoder({ maxFrameLength: -1 })],
    [
      "new FrameDecoder(format, { skipOversized: 'yes' })",
      () => new FrameDecoder(undefined, { skipOversized: 'yes' } as never),
    ],
    ["FrameDecoder.push('text')", () => new FrameDecoder().push('text' as never)],
    ['FrameDecoder.push([0, 0, 0, 1, 7])', () => new FrameDecoder().push([0, 0, 0, 1, 7] as never)],
    [
      "FrameDecoder.pushEach(bytes, 'callback')",
      () => new FrameDecoder().pushEach(new Uint8Array(4), 'x' as never),
    ],
    ['decodeFrames(42)', () => decodeFrames(42 as never)],
    ["decodeFrames(['text']) (a chunk that is not bytes)", () => decodeFrames(['text'] as never).next()],
    ['createCodec({})', () => createCodec({} as never)],
    ['createCodec(schema, { maxDepth: 1000 })', () => createCodec(Message, { maxDepth: 1000 })],
    ["createCodec(schema, { records: 'yes' })", () => createCodec(Message, { records: 'yes' } as never)],
    ["codec.decode('text')", () => codec.decode('text' as never)],
    ['framed(42)', () => framed(42 as never)],
  ];

  it.each(standaloneCases)('%s', async (_name, run) => {
    expectTyped(await failureOf(run), invalid);
    await expectServed();
  });

  // Options and calls on a real connection to the server.
  const channelCases: [string, (conn: StreamSocket) => unknown, ExpectedFailure][] = [
    [
      "framed(conn, { onInvalid: 'skip-all' })",
      (conn) => framed(conn, { onInvalid: 'skip-all' } as never),
      invalid,
    ],
    ['framed(conn, { frameTimeout: 2 ** 31 })', (conn) => framed(conn, { frameTimeout: 2 ** 31 }), invalid],
    [
      "framed(conn, { format: { prefix: 'uint16', maxFrameLength: 70_000 } })",
      (conn) => framed(conn, { format: { prefix: 'uint16', maxFrameLength: 70_000 } }),
      invalid,
    ],
    [
      'framed(conn, { codec: { encode: 1 } })',
      (conn) => framed(conn, { codec: { encode: 1 } } as never),
      invalid,
    ],
    ['framed(conn, { correlation: {} })', (conn) => framed(conn, { correlation: {} } as never), invalid],
    ['framed(conn, { maxQueuedSendBytes: 0 })', (conn) => framed(conn, { maxQueuedSendBytes: 0 }), invalid],
    ["channel.send('hello') without a codec", (conn) => framed(conn).send('hello' as never), invalid],
    ["channel.sendMany('abc')", (conn) => framed(conn).sendMany('abc' as never), invalid],
    [
      'channel.send() of a message the codec encodes to a string',
      (conn) =>
        framed(conn, {
          codec: { schema: Message, encode: () => 'oops', decode: codec.decode } as never,
        }).send({ kind: 'note', text: '' }),
      invalid,
    ],
    [
      'channel.request() on a channel without correlation',
      (conn) => framed(conn, { codec }).request({ kind: 'note', text: '' }),
      {
        type: InvalidStateError,
        code: 'SOCKKIT_ERR_INVALID_STATE',
      },
    ],
    [
      'channel.request(message, { timeout: 2 ** 31 })',
      (conn) =>
        framed(conn, {
          codec,
          correlation: { stamp: (m, id) => ({ ...m, id }), replyTo: () => undefined },
        }).request({ kind: 'note', text: '' }, { timeout: 2 ** 31 }),
      invalid,
    ],
    [
      'channel.request() whose reply never comes',
      (conn) =>
        framed(conn, {
          codec,
          correlation: { stamp: (m, id) => ({ ...m, id }), replyTo: () => undefined },
        }).request({ kind: 'note', text: 'unanswered' }, { timeout: 50 }),
      { type: RequestTimeoutError, code: 'SOCKKIT_ERR_REQUEST_TIMEOUT', kind: TimeoutError },
    ],
    [
      'two readers of one channel',
      (conn) => {
        const channel = framed(conn, { codec });
        channel[Symbol.asyncIterator]()
          .next()
          .catch(() => {}); // the first reader: it fails when the test closes the connection
        return channel[Symbol.asyncIterator]().next();
      },
      { type: InvalidStateError, code: 'SOCKKIT_ERR_INVALID_STATE' },
    ],
    [
      'channel.send() after close()',
      async (conn) => {
        const channel = framed(conn, { codec });
        await channel.close();
        await channel.send({ kind: 'note', text: 'late' });
      },
      { type: ChannelClosedError, code: 'SOCKKIT_ERR_CHANNEL_CLOSED', kind: ClosedError },
    ],
  ];

  it.each(channelCases)('%s', async (_name, run, expected) => {
    const conn = await createConnection(strict.address, { timeout: 5_000 });
    try {
      expectTyped(await failureOf(() => run(conn)), expected);
    } finally {
      await conn.close();
    }
    await expectServed();
  });
});
