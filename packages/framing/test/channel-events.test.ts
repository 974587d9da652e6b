import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { assertNoBytes, recordChannels, runScript, until } from '@sockkit/testkit';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Correlation } from '../src/channel.ts';
import { createCodec } from '../src/codec.ts';
import { encodeFrame } from '../src/encoder.ts';
import {
  FrameTooLargeError,
  MessageDecodeError,
  MessageValidationError,
  RequestTimeoutError,
} from '../src/errors.ts';
import { defineFrameFormat } from '../src/format.ts';
import { framed } from '../src/framed.ts';
import { socketPair } from './connections.ts';

const EVENTS = ['sockkit:channel:frameError', 'sockkit:channel:messageError', 'sockkit:channel:close'];
const REQUEST = 'sockkit:channel:request';
const OPAQUE = ['channel', 'connection', 'error'];
const Message = z.object({ id: z.number().int().optional(), text: z.string() });
type Message = z.infer<typeof Message>;
const codec = createCodec(Message);
const correlation: Correlation<Message> = {
  stamp: (request, id) => ({ ...request, id }),
  replyTo: (message) => message.id,
};
const format = defineFrameFormat({ maxFrameLength: 64 });

describe('framing diagnostics channels', () => {
  it('traces request() as a span, answered or timed out', async () => {
    using recording = recordChannels([], [REQUEST]);
    await using pair = await socketPair();
    const client = framed(pair.client, { codec, correlation });
    const server = framed(pair.server, { codec });
    const serving = (async () => {
      for await (const ask of server)
        if (ask.text === 'ping') await server.send({ id: ask.id!, text: 'pong' });
    })();
    expect(await client.request({ text: 'ping' })).toMatchObject({ text: 'pong' });
    await expect(client.request({ text: 'ignored' }, { timeout: 50 })).rejects.toBeInstanceOf(
      RequestTimeoutError,
    );
    expect(recording.of(`tracing:${REQUEST}:start`)).toEqual([{ channel: client }, { channel: client }]);
    expect(recording.of(`tracing:${REQUEST}:asyncEnd`)).toHaveLength(2);
    const [failed] = recording.of(`tracing:${REQUEST}:error`);
    expect(failed?.error).toBeInstanceOf(RequestTimeoutError);
    await client.close();
    await server.close();
    await serving;
  });

  it('announces skipped messages and the clean close with its stats, never the bytes', async () => {
    using recording = recordChannels(EVENTS);
    await using pair = await socketPair();
    const server = framed(pair.server, { codec, onInvalid: 'skip' });
    pair.client.write(encodeFrame(new Uint8Array([0xc1])));
    pair.client.write(encodeFrame(createCodec(z.object({ text: z.number() })).encode({ text: 7 })));
    pair.client.write(encodeFrame(codec.encode({ text: 'kept' })));
    for await (const message of server) if (message.text === 'kept') break;
    await server.close();
    const skipped = recording.of('sockkit:channel:messageError');
    expect(skipped).toEqual([
      { channel: server, connection: pair.server, error: expect.any(MessageDecodeError), skipped: true },
      { channel: server, connection: pair.server, error: expect.any(MessageValidationError), skipped: true },
    ]);
    expect(recording.of('sockkit:channel:close')).toEqual([
      {
        channel: server,
        connection: pair.server,
        error: null,
        stats: expect.objectContaining({ messagesReceived: 1, skipped: 2 }),
      },
    ]);
    for (const { message } of recording.events) assertNoBytes(message, OPAQUE);
  });

  it('announces the message error and the frame error that fail a channel', async () => {
    using recording = recordChannels(EVENTS);
    await using bad = await socketPair();
    await using huge = await socketPair();
    const badChannel = framed(bad.server, { codec });
    const hugeChannel = framed(huge.server, { codec, format });
    bad.client.write(encodeFrame(new Uint8Array([0xc1])));
    huge.client.write(encodeFrame(new Uint8Array(1000)));
    await Promise.all([once(bad.server, 'close'), once(huge.server, 'close')]);
    await until(() => recording.of('sockkit:channel:close').length >= 2, { timeout: 5_000 });
    expect(recording.of('sockkit:channel:messageError')).toEqual([
      { channel: badChannel, connection: bad.server, error: badChannel.error, skipped: false },
    ]);
    expect(badChannel.error).toBeInstanceOf(MessageDecodeError);
    expect(recording.of('sockkit:channel:frameError')).toEqual([
      { channel: hugeChannel, connection: huge.server, error: expect.any(FrameTooLargeError) },
    ]);
    const closes = recording.of('sockkit:channel:close');
    expect(closes.map((event) => event.error)).toEqual(
      expect.arrayContaining([badChannel.error, hugeChannel.error]),
    );
    for (const { message } of recording.events) assertNoBytes(message, OPAQUE);
  });
});

describe('NODE_DEBUG', () => {
  const script = fileURLToPath(new URL('./fixtures/observed-channels.ts', import.meta.url));

  it('prints skipped messages and the frame error with the peer under NODE_DEBUG=sockkit:framing', async () => {
    const { stdout, stderr } = await runScript(script, 'sockkit:framing');
    expect(stdout).toBe('');
    expect(stderr).toMatch(
      /^SOCKKIT:FRAMING \d+: skipped an invalid message from 127\.0\.0\.1:\d+: MessageDecodeError/m,
    );
    expect(stderr).toMatch(/^SOCKKIT:FRAMING \d+: channel to 127\.0\.0\.1:\d+ closed: FrameTooLargeError/m);
    expect(stderr).not.toContain('secret-payload');
  });

  it('prints framing lines under NODE_DEBUG=sockkit, and nothing without NODE_DEBUG', async () => {
    expect((await runScript(script, 'sockkit')).stderr).toMatch(/^SOCKKIT \d+: framing: channel to /m);
    const quiet = await runScript(script, undefined);
    expect(quiet.stdout + quiet.stderr).toBe('');
  });
});
