import { describe, expect, it } from 'vitest';
import { makeThrowawayCertificate } from '../src/programs/throwaway-certificate.ts';
import { runCli, startCli } from './cli-process.ts';

describe('--tls-cert/--tls-key on the servers, --tls-ca on the clients', () => {
  it('echo-server and echo-client talk TLS, and the client says so', async () => {
    await using certificate = await makeThrowawayCertificate();
    await using server = startCli([
      'echo-server',
      '--port',
      '0',
      '--tls-cert',
      certificate.certPath,
      '--tls-key',
      certificate.keyPath,
    ]);
    const [, port] = await server.waitForLine(
      /^server \d+ ready: TLS echo server listening on 127\.0\.0\.1:(\d+)$/,
    );
    const client = await runCli([
      'echo-client',
      '--port',
      port!,
      '--tls-ca',
      certificate.certPath,
      '-m',
      'secret',
    ]);
    expect(client.stdout).toMatch(/^TLS: TLSv1\.3, \S+, server certificate verified$/m);
    expect(client.stdout).toMatch(/^reply: secret$/m);
    expect(client.code).toBe(0);
    await server.waitForLine(/done, 7 bytes echoed/);
  });

  it('an echo-client without --tls-ca gets no reply from a TLS echo-server, which keeps serving', async () => {
    await using certificate = await makeThrowawayCertificate();
    const tls = ['--tls-cert', certificate.certPath, '--tls-key', certificate.keyPath];
    await using server = startCli(['echo-server', '--port', '0', ...tls]);
    const [, port] = await server.waitForLine(/ready: TLS echo server listening on 127\.0\.0\.1:(\d+)$/);
    const plain = await runCli(['echo-client', '--port', port!, '-m', 'plain']);
    expect(plain.stdout).not.toMatch(/^reply:/m);
    await server.waitForLine(/failed: TlsProtocolError/);
    const secure = await runCli([
      'echo-client',
      '--port',
      port!,
      '--tls-ca',
      certificate.certPath,
      '-m',
      'ok',
    ]);
    expect(secure.stdout).toMatch(/^reply: ok$/m);
  });

  it('chat-server and chat-client talk TLS', async () => {
    await using certificate = await makeThrowawayCertificate();
    await using server = startCli([
      'chat-server',
      '--port',
      '0',
      '--tls-cert',
      certificate.certPath,
      '--tls-key',
      certificate.keyPath,
    ]);
    const [, port] = await server.waitForLine(/^chat-server ready: listening on 127\.0\.0\.1:(\d+) \(TLS\)$/);
    const alice = await runCli(
      ['chat-client', '--port', port!, '--name', 'alice', '--tls-ca', certificate.certPath],
      '',
    );
    expect(alice.stdout).toMatch(/^\* joined as alice; here: nobody yet$/m);
    expect(alice.code).toBe(0);
  });

  it('refuses --tls-cert without --tls-key, and a file that cannot be read', async () => {
    const lone = await runCli(['echo-server', '--port', '0', '--tls-cert', '/dev/null']);
    expect(lone.code).toBe(2);
    expect(lone.stderr).toMatch(/--tls-cert: --tls-cert and --tls-key go together/);
    const missing = await runCli(['echo-client', '--port', '1', '--tls-ca', '/no/such/ca.pem']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--tls-ca: cannot read \/no\/such\/ca\.pem/);
  });
});
