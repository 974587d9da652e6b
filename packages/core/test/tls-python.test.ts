import { expectTyped, failureOf, requirePython, startPython, suiteCertificates } from '@sockkit/testkit';
import { describe, expect, it } from 'vitest';
import {
  createConnection,
  createServer,
  type SocketAddress,
  type StreamSocket,
  TlsError,
  TlsProtocolError,
} from '../src/index.ts';
import { bytes, recvAll, text } from './helpers.ts';

const certs = suiteCertificates();

/** Python's ssl echo server: argv cert, key, and a CA file to require client certificates from (or ''). */
const PYTHON_TLS_ECHO_SERVER = `
import socket, ssl, sys
cert, key, client_ca = sys.argv[1:4]
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(cert, key)
if client_ca:
    context.verify_mode = ssl.CERT_REQUIRED
    context.load_verify_locations(client_ca)
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.bind(("127.0.0.1", 0))
server.listen(5)
print("READY", server.getsockname()[1])
conn, addr = server.accept()
with context.wrap_socket(conn, server_side=True) as tls:
    peer = tls.getpeercert()
    subject = dict(item[0] for item in peer["subject"]) if peer else {}
    print("PEER", subject.get("commonName", "-"), tls.version())
    while True:
        data = tls.recv(1024)
        if not data:
            break
        tls.sendall(data)
server.close()
`;

/** Python's ssl client: argv port, CA file, and a client cert and key (or ''). Sends, half-closes, prints the reply. */
const PYTHON_TLS_CLIENT = `
import socket, ssl, sys
port, ca, cert, key = sys.argv[1:5]
context = ssl.create_default_context(cafile=ca)
if cert:
    context.load_cert_chain(cert, key)
with socket.create_connection(("127.0.0.1", int(port)), timeout=5) as sock:
    with context.wrap_socket(sock, server_hostname="localhost") as tls:
        tls.sendall(b"hello from python ssl " * 500)
        reply = b""
        while len(reply) < 22 * 500:
            data = tls.recv(4096)
            if not data:
                break
            reply += data
        print("REPLY", len(reply), reply[:21].decode(), tls.version())
`;

/**
 * A Python TLS server over memory BIOs, so it controls every byte: argv cert, key. It finishes
 * the handshake, then sends a record of garbage in place of application data.
 */
const PYTHON_GARBAGE_AFTER_HANDSHAKE = `
import socket, ssl, sys
cert, key = sys.argv[1:3]
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(cert, key)
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.bind(("127.0.0.1", 0))
server.listen(1)
print("READY", server.getsockname()[1])
conn, _ = server.accept()
incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
tls = context.wrap_bio(incoming, outgoing, server_side=True)
while True:
    try:
        tls.do_handshake()
        break
    except ssl.SSLWantReadError:
        conn.sendall(outgoing.read())
        incoming.write(conn.recv(65536))
conn.sendall(outgoing.read())
conn.sendall(b"\\x17\\x03\\x03\\x00\\x20" + b"\\x5a" * 32)
print("SENT")
conn.settimeout(5)
try:
    conn.recv(1)
except OSError:
    pass
`;

const portOf = (line: string) => Number(line.split(' ')[1]);

async function echo(conn: StreamSocket): Promise<void> {
  for await (const chunk of conn) await conn.sendAll(chunk);
}

describe("TLS with Python's ssl module as the peer", () => {
  it("a sockkit TLS client talks to Python's ssl echo server", async (context) => {
    const python = requirePython(context, 'ssl', 'python3');
    await using peer = startPython(
      PYTHON_TLS_ECHO_SERVER,
      [certs.server.certPath, certs.server.keyPath, ''],
      {
        python,
      },
    );
    const port = portOf(await peer.nextLine());
    await using conn = await createConnection(
      { host: 'localhost', port },
      { timeout: 5_000, tls: { ca: certs.ca.cert } },
    );
    expect(await peer.nextLine()).toBe('PEER - TLSv1.3');
    const message = 'hello python '.repeat(1000);
    await conn.sendAll(bytes(message));
    conn.shutdown('write');
    expect(text(await recvAll(conn))).toBe(message);
    expect(conn.tls).toMatchObject({ protocol: 'TLSv1.3', authorized: true });
    expect(await peer.exited()).toBe(0);
  });

  it('a Python ssl client talks to a sockkit TLS server', async (context) => {
    const python = requirePython(context, 'ssl', 'python3');
    await using server = await createServer({ host: '127.0.0.1', port: 0 }, echo, {
      tls: { key: certs.server.key, cert: certs.server.cert },
    });
    const { port } = server.address as SocketAddress & { port: number };
    await using peer = startPython(PYTHON_TLS_CLIENT, [String(port), certs.ca.certPath, '', ''], { python });
    expect(await peer.nextLine()).toBe(`REPLY ${22 * 500} hello from python ssl TLSv1.3`);
  });

  it('mutual TLS: a Python client with a certificate is authorized by a sockkit server', async (context) => {
    const python = requirePython(context, 'ssl', 'python3');
    let seen: unknown;
    await using server = await createServer(
      { host: '127.0.0.1', port: 0 },
      async (conn) => {
        seen = { authorized: conn.tls?.authorized, cn: conn.tls?.peerCertificate?.subject.CN };
        await echo(conn);
      },
      { tls: { key: certs.server.key, cert: certs.server.cert, ca: certs.ca.cert, requestCert: true } },
    );
    const { port } = server.address as SocketAddress & { port: number };
    await using peer = startPython(
      PYTHON_TLS_CLIENT,
      [String(port), certs.ca.certPath, certs.client.certPath, certs.client.keyPath],
      { python },
    );
    expect(await peer.nextLine()).toMatch(/^REPLY 11000 /);
    expect(seen).toEqual({ authorized: true, cn: 'client' });
  });

  it('mutual TLS: a Python server requiring client certificates admits a sockkit client with one', async (context) => {
    const python = requirePython(context, 'ssl', 'python3');
    await using peer = startPython(
      PYTHON_TLS_ECHO_SERVER,
      [certs.server.certPath, certs.server.keyPath, certs.ca.certPath],
      { python },
    );
    const port = portOf(await peer.nextLine());
    await using conn = await createConnection(
      { host: '127.0.0.1', port },
      { timeout: 5_000, tls: { ca: certs.ca.cert, key: certs.client.key, cert: certs.client.cert } },
    );
    expect(await peer.nextLine()).toBe('PEER client TLSv1.3');
    await conn.sendAll(bytes('mutual'));
    expect(text(await conn.recv(100))).toBe('mutual');
    conn.shutdown('write');
    expect(await recvAll(conn)).toHaveLength(0);
    expect(await peer.exited()).toBe(0);
  });

  it('a sockkit TLS client fails with TlsProtocolError on garbage after the handshake', async (context) => {
    const python = requirePython(context, 'ssl', 'python3');
    await using peer = startPython(
      PYTHON_GARBAGE_AFTER_HANDSHAKE,
      [certs.server.certPath, certs.server.keyPath],
      {
        python,
      },
    );
    const port = portOf(await peer.nextLine());
    await using conn = await createConnection(
      { host: 'localhost', port },
      { timeout: 5_000, tls: { ca: certs.ca.cert } },
    );
    expect(await peer.nextLine()).toBe('SENT');
    const failure = await failureOf(() => recvAll(conn));
    expectTyped(failure, { type: TlsProtocolError, code: 'SOCKKIT_ERR_TLS_PROTOCOL', kind: TlsError });
    expect(failure).toMatchObject({ tlsCode: expect.stringMatching(/^ERR_SSL_/) });
  });
});
