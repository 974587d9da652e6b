import { createConnection } from '@sockkit/core';
import { createCodec, decodeFrames, encodeFrame } from '@sockkit/framing';
import { describe, expect, it } from 'vitest';
import { CHAT_FRAME_FORMAT, startChatServer } from '../src/programs/chat-server.ts';
import { ChatEvent, ChatRequest } from '../src/protocols/chat.ts';

const requests = createCodec(ChatRequest);
const events = createCodec(ChatEvent);
const frameOf = (request: ChatRequest) => encodeFrame(requests.encode(request), CHAT_FRAME_FORMAT);

describe('chat server memory bound', () => {
  it('drops a member that stops reading instead of buffering for it without bound', async () => {
    const removed: string[] = [];
    await using server = await startChatServer(
      { host: '127.0.0.1', port: 0 },
      { maxQueuedBytes: 64 * 1024, log: (line) => removed.push(line) },
    );
    await using slow = await createConnection(server.address, { timeout: 5_000 });
    await slow.sendAll(frameOf({ type: 'join', name: 'slowpoke' })); // and never reads again

    await using speaker = await createConnection(server.address, { timeout: 5_000 });
    const heard = decodeFrames(speaker, CHAT_FRAME_FORMAT)[Symbol.asyncIterator]();
    const next = async () => {
      const frame = await heard.next();
      if (frame.done) throw new Error('the server closed the speaker');
      return events.decode(frame.value);
    };
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

    // The others go on.
    await speaker.sendAll(frameOf({ type: 'say', text: 'still works' }));
    expect(await next()).toEqual({ type: 'said', name: 'speaker', text: 'still works' });
  });
});
