import { createInterface } from 'node:readline';
import { ConnectionResetError, createConnection, type StreamSocket } from '@sockkit/core';
import { z } from 'zod';
import { DEFAULT_HOST, formatAddress, hostArg, peerPortArg, timeoutArg } from '../cli/args.js';
import { defineCommand } from '../cli/command.js';
import { print } from '../cli/output.js';
import { tlsClientArgs, tlsClientOptions } from '../cli/tls.js';

/**
 * Past this many characters without a newline, what is held is printed as it is: a server
 * that never sends a newline must not make the client hold its replies without bound.
 */
const MAX_LINE_LENGTH = 64 * 1024;

/**
 * The receiving half: recv(1024) until end of stream, printing each complete line. A line
 * may come back in several recv calls or several lines in one (TCP keeps no boundaries),
 * so bytes are collected until a newline, the simplest framing there is.
 */
async function printReplies(conn: StreamSocket): Promise<'closed' | 'reset'> {
  const decoder = new TextDecoder();
  let pending = '';
  try {
    for (;;) {
      const data = await conn.recv(1024);
      if (data.length === 0) return 'closed'; // end of stream: the server closed its side
      pending += decoder.decode(data, { stream: true });
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) print(`reply: ${line}`);
      if (pending.length >= MAX_LINE_LENGTH) {
        print(`reply: ${pending}`);
        pending = '';
      }
    }
  } catch (error) {
    if (error instanceof ConnectionResetError) return 'reset';
    throw error;
  }
}

export const echoClientCommand = defineCommand({
  name: 'echo-client',
  summary: 'TCP echo client: send lines, print what comes back',
  lesson:
    "Lesson: the looped TCP client (connect, send each line, recv the reply, close). sockkit adds: a connect timeout, sending and receiving at once so the server's close is noticed at once (recv returns empty bytes), replies collected up to a newline instead of trusting one recv(1024), empty lines skipped instead of hanging, and --tls-ca to verify and encrypt (Python's ssl wrap_socket with server_hostname).",
  options: {
    host: { type: 'string', placeholder: 'address', default: DEFAULT_HOST, description: 'server address' },
    port: { type: 'string', short: 'p', placeholder: 'port', default: '8081', description: 'server port' },
    message: {
      type: 'string',
      short: 'm',
      placeholder: 'text',
      description: 'send this one message and exit (default: read lines from stdin)',
    },
    timeout: { type: 'string', placeholder: 'ms', default: '5000', description: 'connect timeout' },
    ...tlsClientOptions,
  },
  args: z.object({
    host: hostArg,
    port: peerPortArg,
    message: z.string().min(1, 'must not be empty').optional(),
    timeout: timeoutArg,
    ...tlsClientArgs,
  }),
  examples: [
    'sockkit-demo echo-client --port 8081',
    'sockkit-demo echo-client --port 8081 -m hello',
    'sockkit-demo echo-client --port 8081 --tls-ca cert.pem -m hello',
  ],
  async run({ host, port, message, timeout, 'tls-ca': ca }) {
    await using conn = await createConnection(
      { host, port },
      { timeout, ...(ca === undefined ? {} : { tls: { ca } }) },
    );
    conn.setTimeout(null); // the timeout was for connecting: a server may take its time to reply
    print(`connected to ${formatAddress(conn.getPeerName())} from ${formatAddress(conn.getSockName())}`);
    if (conn.tls) print(`TLS: ${conn.tls.protocol}, ${conn.tls.cipher.name}, server certificate verified`);
    // The sending half: each line, then FIN at the end of input; the server finishes and closes.
    let finishedSending = false;
    const keyboard =
      message === undefined ? createInterface({ input: process.stdin, crlfDelay: Infinity }) : undefined;
    void (async () => {
      for await (const line of keyboard ?? [message ?? '']) {
        if (line === '') continue; // an empty send would wait forever for an empty reply
        await conn.sendAll(new TextEncoder().encode(`${line}\n`));
      }
      conn.shutdown('write');
      finishedSending = true;
    })().catch(() => {}); // a send that fails means the server went away: printReplies reports it

    const ending = await printReplies(conn);
    keyboard?.close();
    if (ending === 'reset') print('connection reset by the server');
    else print(finishedSending ? 'connection closed' : 'server closed the connection');
  },
});
