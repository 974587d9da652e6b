import { createInterface } from 'node:readline';
import { createConnection } from '@sockkit/core';
import { createCodec, decodeFrames, encodeFrame } from '@sockkit/framing';
import { z } from 'zod';
import { DEFAULT_HOST, formatHostPort, hostArg, peerPortArg, timeoutArg } from '../cli/args.js';
import { defineCommand } from '../cli/command.js';
import { CommandError } from '../cli/explain.js';
import { print } from '../cli/output.js';
import { tlsClientArgs, tlsClientOptions } from '../cli/tls.js';
import { CHAT_FRAME_FORMAT } from '../programs/chat-server.js';
import { ChatEvent, ChatRequest, formatChatEvent, MemberName } from '../protocols/chat.js';
import { isForeignBytes } from '../protocols/foreign.js';

const requests = createCodec(ChatRequest);
const events = createCodec(ChatEvent);

export const chatClientCommand = defineCommand({
  name: 'chat-client',
  summary: 'join a chat-server: type lines to speak, Ctrl-D to leave',
  lesson:
    "Lesson: the looped client that reads the keyboard. sockkit adds: reading and typing at once (the tutorial's client blocks on one or the other), typed messages, the server's close noticed at once, and --tls-ca to verify and encrypt.",
  options: {
    host: { type: 'string', placeholder: 'address', default: DEFAULT_HOST, description: 'server address' },
    port: { type: 'string', short: 'p', placeholder: 'port', default: '8082', description: 'server port' },
    name: {
      type: 'string',
      short: 'n',
      placeholder: 'name',
      description: 'your name in the chat (required)',
    },
    timeout: { type: 'string', placeholder: 'ms', default: '5000', description: 'connect timeout' },
    ...tlsClientOptions,
  },
  args: z.object({
    host: hostArg,
    port: peerPortArg,
    name: z.string({ error: 'is required' }).pipe(MemberName),
    timeout: timeoutArg,
    ...tlsClientArgs,
  }),
  examples: [
    'sockkit-demo chat-client --port 8082 --name alice',
    'sockkit-demo chat-client --port 8082 --name alice --tls-ca cert.pem',
  ],
  async run({ host, port, name, timeout, 'tls-ca': ca }) {
    await using conn = await createConnection(
      { host, port },
      { timeout, ...(ca === undefined ? {} : { tls: { ca } }) },
    );
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
    let welcomed = false;
    const notAChatServer = (cause?: unknown) =>
      new CommandError(
        `${formatHostPort({ host, port })} is not a sockkit chat server: it did not answer our join with a welcome`,
        'chat-server listens on 8082 unless given --port: is this port some other program?',
        { cause },
      );
    try {
      for await (const frame of decodeFrames(conn, CHAT_FRAME_FORMAT)) {
        const event = events.decode(frame);
        // A chat server answers a join with a welcome (or a rejection); anything else is another program.
        if (!welcomed && event.type !== 'welcome' && event.type !== 'rejected') throw notAChatServer();
        welcomed = true;
        print(formatChatEvent(event));
        rejected ||= event.type === 'rejected';
      }
    } catch (error) {
      throw !welcomed && isForeignBytes(error) ? notAChatServer(error) : error;
    } finally {
      keyboard.close();
    }
    print('* disconnected');
    if (rejected) throw new Error('the server rejected us');
  },
});
