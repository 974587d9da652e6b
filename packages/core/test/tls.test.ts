import { isIPv6, connect as netConnect } from 'node:net';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import { expectTyped, failureOf, recordChannels, suiteCertificates, until } from '@sockkit/testkit';
import { describe, expect, it } from 'vitest';
import {
  CertificateError,
  CertificateExpiredError,
  CertificateRejectedError,
  ConnectionResetError,
  createConnection,
  createServer,
  HostnameMismatchError,
  type SocketAddress,
  type SocketServer,
  SocketTimeoutError,
  type StreamSocket,
  socket,
  TimeoutError,
  TlsError,
  TlsHandshakeTimeoutError,
  TlsProtocolError,
  TlsVersionError,
  UntrustedCertificateError,
} from '../src/index.ts';
import { bytes, recvAll, text } from './helpers.ts';

const certs = suiteCertificates();

const loopback = { host: '127.0.0.1', port: 0 };

/** Node 22.23's `tls.checkServerIdentity` matches no IPv6 address against a certificate's IP names (20 and 24 do). */
const nodeMatchesIpv6Names =
  checkServerIdentity('::1', {
    subject: {},
    subjectaltname: 'IP Address:0:0:0:0:0:0:0:1',
  } as PeerCertificate) === undefined;
const portOf = (server: SocketServer) => (server.address as SocketAddress & { port: number }).port;

async function echo(conn: StreamSocket): Promise<void> {
  for await (const chunk of conn) await conn.sendAll(chunk);
}

/** An echo server over TLS with the test CA's server certificate, and what its handshakes did. */
async function tlsEchoServer(tls: Record<string, unknown> = {}) {
  const errors: unknown[] = [];
  const server = await createServer(loopback, echo, {
    tls: { key: certs.server.key, cert: certs.server.cert, ...tls },
    onError: (error) => errors.push(error),
  });
  return { server, errors, port: portOf(server), [Symbol.asyncDispose]: () => server.close() };
}

describe('TLS client and server', () => {
  it('round-trips bytes with every verb and reports the TLS facts on both sides', async () => {
    let serverFacts: unknown;
    await using server = await createServer(
      loopback,
      async (conn) => {
        serverFacts = { protocol: conn.tls?.protocol, alpn: conn.tls?.alpnProtocol };
        await echo(conn);
      },
      { tls: { key: certs.server.key, cert: certs.server.cert, ALPNProtocols: ['echo/1'] } },
    );
    await using conn = await createConnection(
      { host: 'localhost', port: portOf(server) },
      { timeout: 5_000, tls: { ca: certs.ca.cert, ALPNProtocols: ['echo/1'] } },
    );
    const payload = new Uint8Array(300_000).map((_, i) => i % 251);
    await conn.sendAll(payload);
    conn.shutdown('write');
    expect(Buffer.compare(await recvAll(conn), payload)).toBe(0);
    const facts = conn.tls;
    expect([facts?.protocol, facts?.alpnProtocol, facts?.authorized]).toEqual(['TLSv1.3', 'echo/1', true]);
    expect(conn.tls?.cipher.name).toMatch(/AES|CHACHA/);
    expect(conn.tls?.peerCertificate?.subject.CN).toBe('server');
    expect(conn.tls?.peerX509Certificate?.checkHost('localhost')).toBe('localhost');
    expect(serverFacts).toEqual({ protocol: 'TLSv1.3', alpn: 'echo/1' });
    expect(server.stats).toMatchObject({ accepted: 1, handshakeFailures: 0, handshakeTimeouts: 0 });
  });

  it.for(['127.0.0.1', '::1'])('verifies a certificate for the IP address %s', async (host, context) => {
    if (isIPv6(host) && !nodeMatchesIpv6Names)
      context.skip(`Node ${process.version} matches no IPv6 address to a certificate`);
    await using server = await createServer({ host, port: 0 }, echo, {
      tls: { key: certs.server.key, cert: certs.server.cert },
    });
    await using conn = await createConnection({ host, port: portOf(server) }, { tls: { ca: certs.ca.cert } });
    await conn.sendAll(bytes('over ip'));
    expect(text(await conn.recv(100))).toBe('over ip');
    expect(conn.tls?.authorized).toBe(true);
  });

  it.each([
    ['an untrusted issuer', 'untrusted', {}, UntrustedCertificateError, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'],
    ['an expired certificate', 'expired', {}, CertificateExpiredError, 'CERT_HAS_EXPIRED'],
    [
      'a certificate for another name',
      'wrongName',
      {},
      HostnameMismatchError,
      'ERR_TLS_CERT_ALTNAME_INVALID',
    ],
    [
      'a name the server certificate lacks',
      'server',
      { servername: 'other.example' },
      HostnameMismatchError,
      'ERR_TLS_CERT_ALTNAME_INVALID',
    ],
  ] as const)('refuses %s with a typed error', async (_case, which, extra, type, tlsCode) => {
    const pair = certs[which];
    await using peer = await tlsEchoServer({ key: pair.key, cert: pair.cert });
    const error = await failureOf(() =>
      createConnection({ host: '127.0.0.1', port: peer.port }, { tls: { ca: certs.ca.cert, ...extra } }),
    );
    expectTyped(error, { type, code: new type('').code, kind: CertificateError });
    expect(error).toBeInstanceOf(TlsError);
    expect(error).toMatchObject({ tlsCode });
    expect((error as Error).cause).toBeInstanceOf(Error);
    await peer.server.close();
  });

  it('refuses a protocol version mismatch with TlsVersionError on both sides', async () => {
    const peer = await tlsEchoServer({ minVersion: 'TLSv1.3' });
    const error = await failureOf(() =>
      createConnection(
        { host: 'localhost', port: peer.port },
        { tls: { ca: certs.ca.cert, maxVersion: 'TLSv1.2' } },
      ),
    );
    expectTyped(error, { type: TlsVersionError, code: 'SOCKKIT_ERR_TLS_VERSION' });
    await until(() => peer.server.stats.handshakeFailures === 1);
    expectTyped(peer.errors[0], { type: TlsVersionError, code: 'SOCKKIT_ERR_TLS_VERSION' });
    await peer.server.close();
  });

  it('times the client handshake out against a server that never answers', async () => {
    const silent = socket();
    silent.bind(loopback);
    await silent.listen();
    const { port } = silent.getSockName() as { port: number };
    const error = await failureOf(() =>
      createConnection({ host: '127.0.0.1', port }, { tls: { ca: certs.ca.cert, handshakeTimeout: 200 } }),
    );
    expectTyped(error, {
      type: TlsHandshakeTimeoutError,
      code: 'SOCKKIT_ERR_TLS_HANDSHAKE_TIMEOUT',
      kind: TimeoutError,
    });
    expect(error).toMatchObject({ timeout: 200 });
    await silent.close();
  });

  it('closes a server connection whose handshake misses the deadline, counted, and keeps serving', async () => {
    await using peer = await tlsEchoServer({ handshakeTimeout: 200 });
    const silent = netConnect(peer.port, '127.0.0.1');
    const closed = new Promise((resolve) => silent.once('close', resolve));
    silent.on('error', () => {});
    await closed;
    expect(peer.server.stats).toMatchObject({ handshakeTimeouts: 1, handshakeFailures: 0, accepted: 1 });
    expectTyped(peer.errors[0], {
      type: TlsHandshakeTimeoutError,
      code: 'SOCKKIT_ERR_TLS_HANDSHAKE_TIMEOUT',
    });
    await using conn = await createConnection(
      { host: 'localhost', port: peer.port },
      { tls: { ca: certs.ca.cert } },
    );
    await conn.sendAll(bytes('still serving'));
    expect(text(await conn.recv(100))).toBe('still serving');
  });

  it.each(['maxConnections', 'maxConnectionsPerAddress'])(
    'counts a handshake against %s, and the slot frees when it times out',
    async (limit) => {
      await using limited = await createServer(loopback, echo, {
        [limit]: 1,
        tls: { key: certs.server.key, cert: certs.server.cert, handshakeTimeout: 300 },
      });
      const silent = netConnect(portOf(limited), '127.0.0.1');
      silent.on('error', () => {});
      await until(() => limited.connections === 1);
      const refused = await failureOf(() =>
        createConnection({ host: 'localhost', port: portOf(limited) }, { tls: { ca: certs.ca.cert } }),
      );
      expect(refused).toBeInstanceOf(ConnectionResetError);
      expect(limited.stats.refused).toBe(1);
      await until(() => limited.stats.handshakeTimeouts === 1 && limited.connections === 0);
      await using conn = await createConnection(
        { host: 'localhost', port: portOf(limited) },
        { tls: { ca: certs.ca.cert } },
      );
      await conn.sendAll(bytes('after'));
      expect(text(await conn.recv(100))).toBe('after');
      silent.destroy();
    },
  );

  it('closes a handshaking connection at the idle timeout when that comes first', async () => {
    const errors: unknown[] = [];
    await using idle = await createServer(loopback, echo, {
      idleTimeout: 150,
      tls: { key: certs.server.key, cert: certs.server.cert },
      onError: (error) => errors.push(error),
    });
    const silent = netConnect(portOf(idle), '127.0.0.1');
    silent.on('error', () => {});
    const started = performance.now();
    await new Promise((resolve) => silent.once('close', resolve));
    expect(performance.now() - started).toBeLessThan(5_000);
    await until(() => idle.connections === 0);
    expect(idle.stats).toMatchObject({ handshakeTimeouts: 0, handshakeFailures: 1 });
    expectTyped(errors[0], { type: SocketTimeoutError, code: 'ETIMEDOUT', kind: TimeoutError });
  });

  it('a graceful close does not wait for a handshake that never finishes, nor counts it', async () => {
    const peer = await tlsEchoServer();
    const silent = netConnect(peer.port, '127.0.0.1');
    silent.on('error', () => {});
    await until(() => peer.server.connections === 1);
    await peer.server.close({ grace: 100 });
    expect(peer.server.stats).toMatchObject({
      handshakeFailures: 0,
      handshakeTimeouts: 0,
      abortedHandlers: 1,
    });
    silent.destroy();
  });

  it('fails only the connection that sends garbage instead of a ClientHello', async () => {
    await using peer = await tlsEchoServer();
    const garbage = netConnect(peer.port, '127.0.0.1', () => garbage.write('GET / HTTP/1.1\r\n\r\n'));
    garbage.on('error', () => {});
    await new Promise((resolve) => garbage.once('close', resolve));
    await until(() => peer.server.stats.handshakeFailures === 1);
    expectTyped(peer.errors[0], { type: TlsProtocolError, code: 'SOCKKIT_ERR_TLS_PROTOCOL' });
    expect(peer.errors[0]).toMatchObject({ tlsCode: expect.stringMatching(/^ERR_SSL_/) });
  });
});

describe('observability', () => {
  it('traces each handshake on sockkit:socket:tls, side and typed failure included', async () => {
    using recording = recordChannels([], ['sockkit:socket:tls']);
    await using peer = await tlsEchoServer();
    await using conn = await createConnection(
      { host: 'localhost', port: peer.port },
      { tls: { ca: certs.ca.cert } },
    );
    await until(() => recording.of('tracing:sockkit:socket:tls:asyncEnd').length === 2);
    const started = recording.of('tracing:sockkit:socket:tls:start');
    expect(started.map(({ isServer }) => isServer).sort()).toEqual([false, true]);
    expect(started).toContainEqual({ socket: conn, isServer: false });
    expect(recording.of('tracing:sockkit:socket:tls:error')).toHaveLength(0);
    await expect(
      createConnection({ host: 'localhost', port: peer.port }, { tls: {} }),
    ).rejects.toBeInstanceOf(UntrustedCertificateError);
    const [failed] = recording.of('tracing:sockkit:socket:tls:error');
    expect(failed).toMatchObject({ isServer: false });
    expect(failed?.error).toBeInstanceOf(UntrustedCertificateError);
  });
});

describe('mutual TLS', () => {
  const mutual = () => ({ ca: certs.ca.cert, requestCert: true });

  it('admits a client whose certificate the CA issued, and shows it to the handler', async () => {
    let seen: unknown;
    await using server = await createServer(
      loopback,
      async (conn) => {
        seen = { authorized: conn.tls?.authorized, cn: conn.tls?.peerCertificate?.subject.CN };
        await echo(conn);
      },
      { tls: { key: certs.server.key, cert: certs.server.cert, ...mutual() } },
    );
    await using conn = await createConnection(
      { host: 'localhost', port: portOf(server) },
      { tls: { ca: certs.ca.cert, key: certs.client.key, cert: certs.client.cert } },
    );
    await conn.sendAll(bytes('mutual'));
    expect(text(await conn.recv(100))).toBe('mutual');
    expect(seen).toEqual({ authorized: true, cn: 'client' });
  });

  // OpenSSL refuses a missing certificate with an alert; Node checks a presented one after the
  // handshake and can only drop the connection.
  it.each([
    [
      'no certificate',
      undefined,
      CertificateRejectedError,
      'ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE',
      CertificateRejectedError,
    ],
    [
      'a certificate from another CA',
      'untrustedClient',
      UntrustedCertificateError,
      'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      ConnectionResetError,
    ],
  ] as const)(
    'refuses a client with %s, typed on the server, and the client learns it',
    async (_case, which, type, tlsCode, clientSees) => {
      await using peer = await tlsEchoServer(mutual());
      const identity = which === undefined ? {} : { key: certs[which].key, cert: certs[which].cert };
      // TLS 1.3 finishes the client's handshake before the server checks its certificate: the
      // refusal reaches the client on its first read.
      const failure = await failureOf(async () => {
        await using conn = await createConnection(
          { host: 'localhost', port: peer.port },
          { tls: { ca: certs.ca.cert, ...identity } },
        );
        await conn.sendAll(bytes('let me in'));
        const reply = await conn.recv(100);
        if (reply.length === 0) throw new ConnectionResetError('closed without a reply');
      });
      expect(failure).toBeInstanceOf(clientSees);
      await until(() => peer.server.stats.handshakeFailures === 1);
      expectTyped(peer.errors[0], { type, code: new type('').code, kind: CertificateError });
      expect(peer.errors[0]).toMatchObject({ tlsCode });
    },
  );

  it('with rejectUnauthorized false, admits an unverified client and says why it is not authorized', async () => {
    let seen: unknown;
    await using server = await createServer(
      loopback,
      async (conn) => {
        seen = { authorized: conn.tls?.authorized, why: conn.tls?.authorizationError };
        await echo(conn);
      },
      { tls: { key: certs.server.key, cert: certs.server.cert, ...mutual(), rejectUnauthorized: false } },
    );
    await using conn = await createConnection(
      { host: 'localhost', port: portOf(server) },
      { tls: { ca: certs.ca.cert, key: certs.untrustedClient.key, cert: certs.untrustedClient.cert } },
    );
    await conn.sendAll(bytes('x'));
    await conn.recv(10);
    expect(seen).toEqual({ authorized: false, why: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
  });
});
