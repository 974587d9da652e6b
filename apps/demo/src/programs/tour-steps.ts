import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection, createServer, TlsError } from '@sockkit/core';
import { formatAddress, hostPortOf } from '../cli/args.js';
import type { Narrator } from '../cli/output.js';
import { formatBytes } from '../cli/output.js';
import { echoRoundTrip, startEchoServer } from './echo.js';
import { openFileToSend, RECEIVER_SERVER_OPTIONS, receiveFile, sendFile } from './file-transfer.js';
import { checkSticky, runSticky } from './sticky.js';
import { makeThrowawayCertificate } from './throwaway-certificate.js';
import { checkTyped, runTyped } from './typed.js';
import { checkUdpRequest, LOSE_FIRST_REQUEST_AND_REPLY, runUdpRequest } from './udp-request.js';

/** One lesson of the tour: `run` narrates what happens and resolves with what it proved. */
export interface TourStep {
  readonly title: string;
  readonly shows: string;
  run(narrator: Narrator): Promise<string>;
}

function assertPassed(problem: string | undefined): void {
  if (problem) throw new Error(problem);
}

const TOUR_FILE_BYTES = 16 * 1024 * 1024;

export const tourSteps: readonly TourStep[] = [
  {
    title: 'echo: the connection loop around the communication loop',
    shows: 'socket, bind, listen, accept; then recv(1024) and sendAll until recv returns empty bytes.',
    async run(narrator) {
      const stop = new AbortController();
      const server = await startEchoServer({ host: '127.0.0.1', port: 0 }, stop.signal, (line) =>
        narrator.detail(`server ${line.replace(/^pid \d+: /, '')}`),
      );
      try {
        narrator.detail(`server listening on ${formatAddress(server.address)} (port 0: the kernel chose)`);
        // The classic settimeout, kept on purpose: 5 s for the connect and for each echo.
        const conn = await createConnection(server.address, { timeout: 5_000 });
        try {
          const hello = await echoRoundTrip(conn, 'hello, sockkit');
          narrator.detail(`client sent "hello, sockkit", got back ${JSON.stringify(hello?.echo)}`);
          const big = 'x'.repeat(64 * 1024);
          const echoed = await echoRoundTrip(conn, big);
          narrator.detail(
            `client sent 64 KiB in one sendAll; the echo came back over ${echoed?.recvCalls} recv(1024) calls`,
          );
          if (hello?.echo !== 'hello, sockkit' || echoed?.echo !== big) {
            throw new Error('the echo differs from what was sent');
          }
          narrator.detail('client shuts down its sending side (FIN)');
          conn.shutdown('write');
          if ((await conn.recv(1024)).length !== 0) throw new Error('expected end of stream');
          narrator.detail("the server's recv returned empty bytes, so it closed; then the client's did too");
        } finally {
          await conn.close();
        }
      } finally {
        stop.abort();
        await server.closed;
      }
      return 'bytes come back exactly as sent, and end of stream is seen as empty bytes, not a hang';
    },
  },
  {
    title: 'echo over TLS: the same loops, encrypted',
    shows:
      "a throwaway certificate, then the echo with wrap_socket's step: the server upgrades each connection, the client verifies.",
    async run(narrator) {
      await using certificate = await makeThrowawayCertificate();
      narrator.detail(
        'openssl req -x509 made a self-signed certificate for localhost and 127.0.0.1, valid one day',
      );
      const stop = new AbortController();
      const server = await startEchoServer(
        { host: '127.0.0.1', port: 0 },
        stop.signal,
        (line) => narrator.detail(`server ${line.replace(/^pid \d+: /, '')}`),
        { cert: certificate.cert, key: certificate.key },
      );
      try {
        const conn = await createConnection(server.address, {
          timeout: 5_000,
          tls: { ca: certificate.cert },
        });
        try {
          const { protocol, cipher, authorized } = conn.tls ?? {};
          narrator.detail(
            `client trusts that certificate: ${protocol}, ${cipher?.name}, verified ${authorized}`,
          );
          const hello = await echoRoundTrip(conn, 'hello, encrypted');
          narrator.detail(`client sent "hello, encrypted", got back ${JSON.stringify(hello?.echo)}`);
          if (hello?.echo !== 'hello, encrypted' || authorized !== true)
            throw new Error('the TLS echo failed');
        } finally {
          await conn.close();
        }
        const refused = await createConnection(server.address, { timeout: 5_000, tls: {} }).then(
          async (stranger) => {
            await stranger.close();
            throw new Error('a client that does not trust the certificate got in');
          },
          (error: unknown) => error,
        );
        if (!(refused instanceof TlsError)) throw refused;
        narrator.detail(
          `a client that trusts only the system CAs is refused: ${refused.name} (${refused.tlsCode})`,
        );
      } finally {
        stop.abort();
        await server.closed;
      }
      return 'the classic verbs work unchanged over TLS, and an untrusted certificate is a typed error';
    },
  },
  {
    title: 'sticky packets: raw TCP, then framed',
    shows: 'TCP keeps no message boundaries; a length prefix restores them.',
    async run(narrator) {
      assertPassed(checkSticky(await runSticky((line) => narrator.detail(line))));
      return 'raw recv glued and split messages; the framed side delivered each message whole, in order';
    },
  },
  {
    title: 'typed messages: a zod schema on every message',
    shows: 'framed MessagePack request/response; a malformed request is rejected with a readable reason.',
    async run(narrator) {
      assertPassed(checkTyped(await runTyped((line) => narrator.detail(line))));
      return 'bad input cost only that message: the same connection and server answered the next request';
    },
  },
  {
    title: 'UDP request/response over a lossy path',
    shows: 'the first request and the first reply are lost on purpose; retries and the reply cache recover.',
    async run(narrator) {
      const result = await runUdpRequest({
        deposits: 1,
        drop: LOSE_FIRST_REQUEST_AND_REPLY,
        report: (line) => narrator.detail(line.trim()),
      });
      assertPassed(checkUdpRequest(result));
      if (result.timeouts > 0 || result.retransmissions < 2 || result.cachedReplies < 1) {
        throw new Error('expected two retransmissions and one reply from the cache');
      }
      return 'the deposit survived two lost datagrams and was executed exactly once';
    },
  },
  {
    title: `file transfer: ${formatBytes(TOUR_FILE_BYTES)} over framed TCP with a SHA-256 check`,
    shows:
      'streamed in framed chunks with backpressure; the file gets its name only when the checksum matches.',
    async run(narrator) {
      const dir = await mkdtemp(join(tmpdir(), 'sockkit-tour-'));
      try {
        const source = join(dir, 'random.bin');
        const inbox = join(dir, 'inbox');
        await writeFile(source, randomBytes(TOUR_FILE_BYTES));
        await mkdir(inbox);
        const receiverLines: string[] = [];
        await using server = await createServer(
          { host: '127.0.0.1', port: 0 },
          async (conn) => {
            // Held until the sender is done: printed at once, they would come between the sender's progress lines.
            await receiveFile(conn, inbox, (line) => receiverLines.push(line), { showProgress: false });
          },
          RECEIVER_SERVER_OPTIONS,
        );
        narrator.detail(`receiver listening on ${formatAddress(server.address)}`);
        await using file = await openFileToSend(source);
        const receipt = await sendFile(file, hostPortOf(server.address), { progressIndent: '        ' });
        for (const line of receiverLines) narrator.detail(line);
        if (receipt.type !== 'saved') throw new Error(`the receiver refused: ${receipt.reason}`);
        const [sent, received] = await Promise.all(
          [source, join(inbox, 'random.bin')].map(async (path) =>
            createHash('sha256')
              .update(await readFile(path))
              .digest('hex'),
          ),
        );
        if (sent !== received) throw new Error('the received file differs from the sent one');
        const leftovers = (await readdir(inbox)).filter((name) => name !== 'random.bin');
        if (leftovers.length > 0) throw new Error(`left behind: ${leftovers.join(', ')}`);
        narrator.detail(`sha256 ${sent} on both sides; no temp file left`);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
      return `${formatBytes(TOUR_FILE_BYTES)} arrived intact, verified end to end`;
    },
  },
];
