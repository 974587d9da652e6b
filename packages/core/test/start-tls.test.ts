import { join } from 'node:path';
import { expectTyped, failureOf, suiteCertificates, tempDir, until } from '@sockkit/testkit';
import { describe, expect, it } from 'vitest';
import {
  createConnection,
  createServer,
  InvalidArgumentError,
  InvalidStateError,
  type StreamSocket,
  socket,
  startTls,
} from '../src/index.ts';
import { bytes, text } from './helpers.ts';

const certs = suiteCertificates();

const loopback = { host: '127.0.0.1', port: 0 };

async function echo(conn: StreamSocket): Promise<void> {
  for await (const chunk of conn) await conn.sendAll(chunk);
}

describe('startTls: an upgrade in place', () => {
  it('upgrades both ends of a plaintext connection after a STARTTLS exchange, bytes pipelined', async () => {
    const listener = socket();
    listener.bind(loopback);
    await listener.listen();
    const { port } = listener.getSockName() as { port: number };
    const client = socket();
    await client.connect({ host: '127.0.0.1', port });
    const [conn] = await listener.accept();
    // The client starts its handshake right behind its command, so the server's recv of the
    // command leaves the ClientHello buffered: it must reach the server's TLS side.
    await client.sendAll(bytes('STARTTLS\r\n'));
    const clientSide = startTls(client, { ca: certs.ca.cert, servername: 'localhost' });
    expect(text(await conn.recv(10))).toBe('STARTTLS\r\n');
    await until(() => conn.bufferedBytes > 0);
    await Promise.all([
      clientSide,
      startTls(conn, { isServer: true, key: certs.server.key, cert: certs.server.cert }),
    ]);
    await client.sendAll(bytes('secret'));
    expect(text(await conn.recv(100))).toBe('secret');
    await conn.sendAll(bytes('reply'));
    expect(text(await client.recv(100))).toBe('reply');
    expect(client.tls?.protocol).toBe('TLSv1.3');
    expect(conn.tls?.protocol).toBe('TLSv1.3');
    await Promise.all([client.close(), conn.close(), listener.close()]);
  });

  it('leaves the connection in plaintext, usable, when Node refuses an option at the upgrade', async () => {
    const listener = socket();
    listener.bind(loopback);
    await listener.listen();
    const client = socket();
    await client.connect(listener.getSockName() as { host: string; port: number });
    const [conn] = await listener.accept();
    await conn.sendAll(bytes('before'));
    await until(() => client.bufferedBytes > 0);
    // Node's own check of `session`, past sockkit's: the socket is handed back untouched.
    const refused = await failureOf(() => startTls(client, { ca: certs.ca.cert, session: 5 as never }));
    expectTyped(refused, { type: InvalidArgumentError, code: 'SOCKKIT_ERR_INVALID_ARGUMENT' });
    expect(text(await client.recv(100))).toBe('before');
    await client.sendAll(bytes('still plain'));
    expect(text(await conn.recv(100))).toBe('still plain');
    expect(client.tls).toBeUndefined();
    await Promise.all([client.close(), conn.close(), listener.close()]);
  });

  it('refuses what it cannot take, before touching the connection', async () => {
    const fresh = socket();
    await expect(startTls(fresh)).rejects.toMatchObject({ code: 'ENOTCONN' });
    await expect(startTls({} as StreamSocket)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(startTls(fresh, { bogus: 1 } as never)).rejects.toMatchObject({ argument: 'options.bogus' });
    await expect(createConnection(loopback, { tls: { handshakeTimeout: -1 } })).rejects.toMatchObject({
      argument: 'options.tls.handshakeTimeout',
    });
    await expect(createConnection(loopback, { tls: { minVersion: 'TLSv9' as never } })).rejects.toMatchObject(
      { argument: 'options.tls.minVersion' },
    );
    await expect(
      createServer(loopback, echo, {
        tls: { key: certs.server.key, cert: certs.server.cert, ALPNProtocols: [5] as never },
      }),
    ).rejects.toMatchObject({ argument: 'options.tls.ALPNProtocols' });
    // Node 20 and 22 abort the process on an empty ALPN name or a malformed wire form.
    for (const ALPNProtocols of [[''], ['x'.repeat(256)], Uint8Array.of(0), Uint8Array.of(3, 104, 50), []]) {
      await expect(createConnection(loopback, { tls: { ALPNProtocols } })).rejects.toMatchObject({
        argument: 'options.tls.ALPNProtocols',
      });
    }
    await expect(
      startTls(fresh, {
        isServer: true,
        key: certs.server.key,
        cert: certs.server.cert,
        ALPNProtocols: [''],
      }),
    ).rejects.toMatchObject({ argument: 'options.ALPNProtocols' });
    await expect(createServer(loopback, echo, { tls: { secureContext: {} as never } })).rejects.toMatchObject(
      { argument: 'options.tls.secureContext' },
    );
    await expect(createConnection(loopback, { tls: { minDHSize: -1 } })).rejects.toMatchObject({
      argument: 'options.tls.minDHSize',
    });
    await expect(createServer(loopback, echo, { tls: { cert: certs.server.cert } })).rejects.toMatchObject({
      code: 'SOCKKIT_ERR_INVALID_ARGUMENT',
      argument: 'options.tls.key',
    });
    await expect(
      createServer(loopback, echo, { tls: { key: 'not a key', cert: certs.server.cert } }),
    ).rejects.toMatchObject({ code: 'SOCKKIT_ERR_INVALID_ARGUMENT', argument: 'options.tls' });
    await fresh.close();
  });

  it('refuses a second TLS layer on a socket that already speaks TLS (not a handshake timeout), which stays usable', async () => {
    await using server = await createServer(loopback, echo, {
      tls: { key: certs.server.key, cert: certs.server.cert },
    });
    const { port } = server.address as { port: number };
    const conn = await createConnection({ host: 'localhost', port }, { tls: { ca: certs.ca.cert } });
    try {
      const refused = await failureOf(() => startTls(conn, { ca: certs.ca.cert, servername: 'localhost' }));
      expectTyped(refused, { type: InvalidStateError, code: 'SOCKKIT_ERR_INVALID_STATE' });
      await conn.sendAll(bytes('still one layer'));
      expect(text(await conn.recv(100))).toBe('still one layer');
    } finally {
      await conn.close();
    }
  });
});

describe('TLS over a Unix socket', () => {
  it('needs servername (there is no host to check the certificate against), and works with it', async () => {
    await using dir = await tempDir('sockkit-tls-unix-');
    const path = join(dir.path, 'tls.sock');
    await using server = await createServer({ path }, echo, {
      tls: { key: certs.server.key, cert: certs.server.cert },
    });
    const refused = await failureOf(() => createConnection({ path }, { tls: { ca: certs.ca.cert } }));
    expectTyped(refused, { type: InvalidArgumentError, code: 'SOCKKIT_ERR_INVALID_ARGUMENT' });
    expect(refused).toMatchObject({ argument: 'options.tls.servername' });
    expect(server.stats.accepted).toBe(0); // refused before connecting
    const wrongName = await failureOf(() =>
      createConnection({ path }, { tls: { ca: certs.ca.cert, servername: 'wrong.example' } }),
    );
    expect((wrongName as Error).name).toBe('HostnameMismatchError');
    const conn = await createConnection({ path }, { tls: { ca: certs.ca.cert, servername: 'localhost' } });
    try {
      await conn.sendAll(bytes('over unix'));
      expect(text(await conn.recv(100))).toBe('over unix');
      expect(conn.tls?.authorized).toBe(true);
    } finally {
      await conn.close();
    }
  });
});
