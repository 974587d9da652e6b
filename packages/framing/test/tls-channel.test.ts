// A framed channel over TLS: typed messages round-trip, and the hostile cases that only TLS has
// (garbage after the handshake, a handshake that never finishes, a reset inside a record) each
// fail only their own connection, with a typed error, while the next client is served.
import {
  ConnectionResetError,
  createConnection,
  createServer,
  type SocketServer,
  type StreamSocket,
  TlsHandshakeTimeoutError,
  TlsProtocolError,
} from '@sockkit/core';
import {
  type ExpectedFailure,
  expectTyped,
  requirePython,
  startPython,
  suiteCertificates,
  until,
} from '@sockkit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createCodec } from '../src/codec.ts';
import { encodeFrame } from '../src/encoder.ts';
import { ChannelClosedError, TruncatedFrameError } from '../src/errors.ts';
import { framed } from '../src/framed.ts';

const Message = z.object({ id: z.number(), text: z.string() });
const codec = createCodec(Message);

const certs = suiteCertificates();
let server: SocketServer;
let port: number;
const errors: unknown[] = [];

beforeAll(async () => {
  const echo = async (conn: StreamSocket) => {
    const channel = framed(conn, { codec });
    for await (const message of channel) await channel.send({ ...message, text: message.text.toUpperCase() });
  };
  server = await createServer({ host: '127.0.0.1', port: 0 }, echo, {
    tls: { key: certs.server.key, cert: certs.server.cert, handshakeTimeout: 300 },
    onError: (error) => errors.push(error),
  });
  port = (server.address as { port: number }).port;
});

afterAll(async () => {
  await server?.close({ grace: 100 });
});

/** A well-behaved TLS client of the server is served: typed messages out, their echoes back. */
async function expectServed(count = 3): Promise<void> {
  const conn = await createConnection(
    { host: 'localhost', port },
    { timeout: 5_000, tls: { ca: certs.ca.cert } },
  );
  const channel = framed(conn, { codec });
  try {
    for (let id = 0; id < count; id++) await channel.send({ id, text: `message ${id}` });
    const replies = channel[Symbol.asyncIterator]();
    for (let id = 0; id < count; id++) {
      expect((await replies.next()).value).toEqual({ id, text: `MESSAGE ${id}` });
    }
  } finally {
    await channel.close();
  }
}

/**
 * A TLS client in Python over memory BIOs, so it controls every byte on the wire: argv port, CA,
 * mode, and frames (hex) to encrypt. Modes: `garbage` (finish the handshake, then bytes that are
 * no TLS record), `reset` (finish the handshake, send a message and half of the next, await the echo, then RST),
 * `stall` (send half a ClientHello, then nothing).
 */
const PYTHON_BIO_CLIENT = `
import socket, ssl, struct, sys
port, ca, mode = sys.argv[1:4]
frames = sys.argv[4:]
sock = socket.create_connection(("127.0.0.1", int(port)), timeout=5)
context = ssl.create_default_context(cafile=ca)
incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
tls = context.wrap_bio(incoming, outgoing, server_hostname="localhost")
try:
    tls.do_handshake()
except ssl.SSLWantReadError:
    pass
hello = outgoing.read()
if mode == "stall":
    sock.sendall(hello[: len(hello) // 2])
    print("STALLED", flush=True)
    sock.recv(1)  # the server's close
    sys.exit(0)
sock.sendall(hello)
while True:
    try:
        tls.do_handshake()
        break
    except ssl.SSLWantReadError:
        sock.sendall(outgoing.read())
        incoming.write(sock.recv(65536))
sock.sendall(outgoing.read())
print("HANDSHAKEN", tls.version(), flush=True)
if mode == "garbage":
    sock.sendall(b"\\x17\\x03\\x03\\x00\\x20" + b"\\x5a" * 32)
    sock.recv(1)
elif mode == "reset":
    # A whole message, then two records and a half of a 60 KB frame, in one write; once the
    # message's echo is back the server has read them all, and the RST lands inside the frame.
    tls.write(bytes.fromhex(frames[0]))
    first = outgoing.read()
    tls.write(bytes.fromhex(frames[1]))
    rest = outgoing.read()
    sock.sendall(first + rest[: len(rest) // 2])
    while True:
        incoming.write(sock.recv(65536))
        try:
            if tls.read(65536):
                break
        except ssl.SSLWantReadError:
            pass
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()
print("DONE", flush=True)
`;

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('framed() over TLS', () => {
  it('round-trips typed messages, one of 1 MiB among them', async () => {
    await expectServed(50);
    const conn = await createConnection({ host: 'localhost', port }, { tls: { ca: certs.ca.cert } });
    const channel = framed(conn, { codec });
    try {
      const big = 'x'.repeat(1024 * 1024);
      await channel.send({ id: 1, text: big });
      expect((await channel[Symbol.asyncIterator]().next()).value).toEqual({
        id: 1,
        text: big.toUpperCase(),
      });
    } finally {
      await channel.close();
    }
  });

  const protocolError: ExpectedFailure = { type: TlsProtocolError, code: 'SOCKKIT_ERR_TLS_PROTOCOL' };
  const timedOut: ExpectedFailure = {
    type: TlsHandshakeTimeoutError,
    code: 'SOCKKIT_ERR_TLS_HANDSHAKE_TIMEOUT',
  };
  // Node's TLS layer may report a reset as an end of stream (no close_notify, which it allows):
  // the frame cut off then fails as truncated instead.
  const resetOrTruncated: ExpectedFailure[] = [
    { type: ConnectionResetError, code: 'ECONNRESET' },
    { type: TruncatedFrameError, code: 'SOCKKIT_ERR_TRUNCATED_FRAME' },
  ];
  const hostile: [string, string, ExpectedFailure[]][] = [
    ['garbage after the handshake', 'garbage', [protocolError]],
    ['a reset inside a TLS record, inside a 60 KB frame', 'reset', resetOrTruncated],
    ['a handshake that never finishes (half a ClientHello)', 'stall', [timedOut]],
  ];

  it.for(hostile)('%s fails only that connection, typed', async ([, mode, expected], context) => {
    const python = requirePython(context, 'ssl', 'python3');
    const seen = errors.length;
    const frames = [
      { id: 8, text: 'first' },
      { id: 9, text: 'y'.repeat(60_000) },
    ].map((message) => hex(encodeFrame(codec.encode(message))));
    await using peer = startPython(PYTHON_BIO_CLIENT, [String(port), certs.ca.certPath, mode, ...frames], {
      python,
    });
    await until(() => errors.length > seen, { timeout: 5_000 });
    const reported = errors[seen] as Error;
    // The channel fails with the connection's error, or with ChannelClosedError caused by it.
    const failure = reported instanceof ChannelClosedError ? reported.cause : reported;
    const match = expected.find(({ type }) => failure instanceof type);
    expect(match, String(failure)).toBeDefined();
    expectTyped(failure, match!);
    await expectServed();
    await until(() => server.connections === 0);
    await peer.exited();
  });
});
