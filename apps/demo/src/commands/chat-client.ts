import { createInterface } from 'node:readline';
import { createConnection } from '@sockkit/core';
import { createCodec, decodeFrames, encodeFrame } from '@sockkit/framing';
import { z } from 'zod';
import { DEFAULT_HOST, hostArg, portArg, timeoutArg } from '../cli/args.js';
import { defineCommand } from '../cli/command.js';
import { print } from '../cli/output.js';
import { CHAT_FRAME_FORMAT } from '../programs/chat-server.js';
import { ChatEvent, ChatRequest, formatChatEvent, MemberName } from '../protocols/chat.js';

const requests = createCodec(ChatRequest);
const events = createCodec(ChatEvent);

export const chatClientCommand = defineCommand({
  name: 'chat-client',
  summary: 'join a chat-server: type lines to speak, Ctrl-D to leave',
  lesson:
    "Lesson: the looped client that reads the keyboard. sockkit adds: reading and typing at once (the tutorial's client blocks on one or the other), typed messages, and the server's close noticed at once.",
  options: {
    host: { type: 'string', default: DEFAULT_HOST, description: 'server address' },
    port: { type: 'string', short: 'p', default: '8082', description: 'server port' },
    name: { type: 'string', short: 'n', description: 'your name in the chat (required)' },
    timeout: { type: 'string', placeholder: 'ms', default: '5000', description: 'connect timeout' },
  },
  args: z.object({
    host: hostArg,
    port: portArg,
    name: z.string({ error: 'is required' }).pipe(MemberName),
    timeout: timeoutArg,
  }),
  examples: ['sockkit-demo chat-client --port 8082 --name alice'],
  async run({ host, port, name, timeout }) {
    await using conn = await createConnection({ host, port }, { timeout });
    conn.setTimeout(null); // the timeout was for connecting: a quiet room is not a dead one
    const send = (request: ChatRequest) =>
      conn.sendAll(encodeFrame(requests.encode(request), CHAT_FRAME_FORMAT));
    await send({ type: 'join', name });

    // Typing: each line is a `say`; end of input (Ctrl-D) is a `leave`.
    const keyboard = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
    keyboard.on('line', (text) => {
      if (text.trim() !== '')
        void send({ type: 'say', text }).catch((error: Error) => print(`! not sent: ${error.message}`));
    });
    keyboard.on('close', () => void send({ type: 'leave' }).catch(() => {}));

    let rejected = false;
    try {
      for await (const frame of decodeFrames(conn, CHAT_FRAME_FORMAT)) {
        const event = events.decode(frame);
        print(formatChatEvent(event));
        rejected ||= event.type === 'rejected';
      }
    } finally {
      keyboard.close();
    }
    print('* disconnected');
    if (rejected) throw new Error('the server rejected us');
  },
});
