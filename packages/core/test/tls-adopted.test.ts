import { once } from 'node:events';
import { type TLSSocket, connect as tlsConnect, createServer as tlsCreateServer } from 'node:tls';
import { suiteCertificates, until } from '@sockkit/testkit';
import { describe, expect, it } from 'vitest';
import { StreamSocket } from '../src/index.ts';
import { bytes, text } from './helpers.ts';

const certs = suiteCertificates();

/** A Node TLS echo server on loopback with the test CA's server certificate. */
async function nodeTlsEcho(requestCert = false) {
  const server = tlsCreateServer(
    {
      key: certs.server.key,
      cert: certs.server.cert,
      ca: certs.ca.cert,
      requestCert,
      rejectUnauthorized: false,
    },
    (socket) => socket.pipe(socket),
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return { port, [Symbol.asyncDispose]: () => new Promise<void>((done) => server.close(() => done())) };
}

async function roundTrip(conn: StreamSocket, message: string): Promise<string> {
  await conn.sendAll(bytes(message));
  return text(await conn.recv(1024));
}

describe('StreamSocket.fromNodeSocket over a TLSSocket', () => {
  it('reports the session of a socket whose handshake already finished', { timeout: 10_000 }, async () => {
    await using server = await nodeTlsEcho();
    const socket = tlsConnect({
      host: '127.0.0.1',
      port: server.port,
      ca: certs.ca.cert,
      servername: 'localhost',
    });
    await once(socket, 'secureConnect');
    await using conn = StreamSocket.fromNodeSocket(socket);
    expect(conn.tls).toMatchObject({ protocol: 'TLSv1.3', authorized: true, authorizationError: undefined });
    expect(conn.tls?.peerX509Certificate?.subject).toBe('CN=server');
    expect(await roundTrip(conn, 'hello')).toBe('hello');
  });

  it('reports it once a handshake still running when wrapped finishes, with Node verdict', {
    timeout: 10_000,
  }, async () => {
    await using server = await nodeTlsEcho();
    // Not verified (no CA given, not rejected): Node's reason shows in authorizationError.
    const socket: TLSSocket = tlsConnect({ host: '127.0.0.1', port: server.port, rejectUnauthorized: false });
    await using conn = StreamSocket.fromNodeSocket(socket);
    expect(conn.tls).toBeUndefined();
    expect(await roundTrip(conn, 'ping')).toBe('ping');
    await until(() => conn.tls !== undefined);
    expect(conn.tls).toMatchObject({ authorized: false, authorizationError: expect.any(String) });
  });

  it('fails only that connection when Node refuses the peer of a socket wrapped mid-handshake', {
    timeout: 10_000,
  }, async () => {
    await using server = await nodeTlsEcho();
    // No CA given and rejectUnauthorized left on: Node's own 'secure' listener destroys the socket.
    const socket = tlsConnect({ host: '127.0.0.1', port: server.port, servername: 'localhost' });
    await using conn = StreamSocket.fromNodeSocket(socket);
    await expect(conn.recv(1024)).rejects.toThrow();
    expect(conn.tls).toBeUndefined();
    await using again = StreamSocket.fromNodeSocket(
      tlsConnect({ host: '127.0.0.1', port: server.port, ca: certs.ca.cert, servername: 'localhost' }),
    );
    expect(await roundTrip(again, 'still serving')).toBe('still serving');
  });

  it('leaves conn.tls undefined for a plain TCP socket', { timeout: 10_000 }, async () => {
    await using server = await nodeTlsEcho();
    const { connect } = await import('node:net');
    const socket = connect(server.port, '127.0.0.1');
    await once(socket, 'connect');
    await using conn = StreamSocket.fromNodeSocket(socket);
    expect(conn.tls).toBeUndefined();
  });
});
