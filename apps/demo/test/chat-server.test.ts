import { ConnectionResetError, createConnection, type StreamSocket } from '@sockkit/core';
import { createCodec, decodeFrames, encodeFrame } from '@sockkit/framing';
import { describe, expect, it } from 'vitest';
import { CHAT_FRAME_FORMAT, startChatServer } from '../src/programs/chat-server.ts';
import { ChatEvent, ChatRequest } from '../src/protocols/chat.ts';

const requests = createCodec(ChatRequest);
const events = createCodec(ChatEvent);
const frameOf = (request: ChatRequest) => encodeFrame(requests.encode(request), CHAT_FRAME_FORMAT);

/** The events a member hears, one at a time. */
function listen(conn: StreamSocket): () => Promise<ChatEvent> {
  const heard = decodeFrames(conn, CHAT_FRAME_FORMAT)[Symbol.asyncIterator]();
  return async () => {
    const frame = await heard.next();
    if (frame.done) throw new Error('the server closed the connection');
    return events.decode(frame.value);
  };
}

/** Reads until the connection ends; resolves with how it ended. */
async function readToEnd(conn: StreamSocket): Promise<'end of stream' | 'reset'> {
  try {
    while ((await conn.recv(64 * 1024)).length > 0);
    return 'end of stream';
  } catch (error) {
    if (error instanceof ConnectionResetError) return 'reset';
    throw error;
  }
}

describe('chat server limits', () => {
  it('drops a member that stops reading instead of buffering for it without bound', async () => {
    const removed: string[] = [];
    await using server = await startChatServer(
      { host: '127.0.0.1', port: 0 },
      { maxQueuedBytes: 64 * 1024, log: (line) => removed.push(line) },
    );
    await using slow = await createConnection(server.address);
    await slow.sendAll(frameOf({ type: 'join', name: 'slowpoke' })); // and never reads again

    await using speaker = await createConnection(server.address);
    const next = listen(speaker);
    await speaker.sendAll(frameOf({ type: 'join', name: 'speaker' }));
    expect(await next()).toEqual({ type: 'welcome', name: 'speaker', members: ['slowpoke'] });

    // Speak in rounds (a 40 KB burst, within the 64 KiB bound), hearing each round back, until
    // the server gives up on slowpoke: the kernel buffers fill first, then the queue.
    // 40 MB of talk without that is a failure.
    const line = 'x'.repeat(2000);
    const perRound = 20;
    let left: ChatEvent | undefined;
    for (let round = 0; round < 1000 && !left; round += 1) {
      for (let i = 0; i < perRound; i += 1) await speaker.sendAll(frameOf({ type: 'say', text: line }));
      for (let heardBack = 0; heardBack < perRound; ) {
        const event = await next();
        if (event.type === 'said') heardBack += 1;
        else if (event.type === 'left') left = event;
      }
    }
    expect(left).toEqual({
      type: 'left',
      name: 'slowpoke',
      reason: expect.stringMatching(/^stopped reading/),
    });
    expect(removed).toContainEqual(expect.stringMatching(/^slowpoke removed: stopped reading/));
    // The server ended slowpoke's connection rather than keep it (chat-member.test.ts: it is cut).
    expect(await readToEnd(slow)).toMatch(/^(end of stream|reset)$/);

    // The others go on.
    await speaker.sendAll(frameOf({ type: 'say', text: 'still works' }));
    expect(await next()).toEqual({ type: 'said', name: 'speaker', text: 'still works' });
  });

  it('removes a member that stalls mid-message (slowloris) and tells the others', async () => {
    const log: string[] = [];
    await using server = await startChatServer(
      { host: '127.0.0.1', port: 0 },
      { frameTimeout: 100, log: (line) => log.push(line) },
    );
    await using alice = await createConnection(server.address);
    const aliceHears = listen(alice);
    await alice.sendAll(frameOf({ type: 'join', name: 'alice' }));
    expect(await aliceHears()).toMatchObject({ type: 'welcome' });

    await using mallory = await createConnection(server.address);
    await mallory.sendAll(frameOf({ type: 'join', name: 'mallory' }));
    expect(await aliceHears()).toEqual({ type: 'joined', name: 'mallory' });
    await mallory.sendAll(frameOf({ type: 'say', text: 'never finished' }).subarray(0, 6)); // then nothing

    expect(await aliceHears()).toEqual({ type: 'left', name: 'mallory', reason: 'stalled mid-message' });
    expect(log).toContain('mallory removed: stalled mid-message');
    expect(await readToEnd(mallory)).toMatch(/^(end of stream|reset)$/);

    await alice.sendAll(frameOf({ type: 'say', text: 'gone?' }));
    expect(await aliceHears()).toEqual({ type: 'said', name: 'alice', text: 'gone?' });
  });

  it('refuses connections past maxConnectionsPerAddress, serving the others', async () => {
    await using server = await startChatServer(
      { host: '127.0.0.1', port: 0 },
      { maxConnectionsPerAddress: 1 },
    );
    await using first = await createConnection(server.address);
    const firstHears = listen(first);
    await first.sendAll(frameOf({ type: 'join', name: 'first' }));
    expect(await firstHears()).toMatchObject({ type: 'welcome', name: 'first' });

    // Reset at once: the connect or the first recv fails.
    const second = await createConnection(server.address).then(
      async (conn) => {
        await using _conn = conn;
        return readToEnd(conn);
      },
      (error: unknown) => (error instanceof ConnectionResetError ? 'reset' : Promise.reject(error)),
    );
    expect(second).toMatch(/^(reset|end of stream)$/);
    expect(server.stats.refused).toBe(1);

    await first.sendAll(frameOf({ type: 'say', text: 'alone' }));
    expect(await firstHears()).toEqual({ type: 'said', name: 'first', text: 'alone' });
  });
});
