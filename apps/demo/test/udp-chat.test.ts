import { createCodec } from '@sockkit/framing';
import { udpEndpoint } from '@sockkit/udp';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startCli } from './cli-process.ts';

const READY = /^udp-chat ready: \w+ on 127\.0\.0\.1:(\d+), peers: /;

describe('udp-chat', () => {
  it('talks both ways between two peers on loopback, learning the peer that wrote first', async () => {
    await using bob = startCli(['udp-chat', '--name', 'bob', '--port', '0']);
    const [, bobPort] = await bob.waitForLine(READY);
    await using alice = startCli([
      'udp-chat',
      '--name',
      'alice',
      '--port',
      '0',
      '--peer',
      `127.0.0.1:${bobPort}`,
    ]);
    const [, alicePort] = await alice.waitForLine(READY);

    // Garbage first: not MessagePack, then MessagePack of the wrong shape. Bob drops both and goes on.
    await using garbage = await udpEndpoint({ bind: { host: '127.0.0.1', port: 0 } });
    const bobAddress = { host: '127.0.0.1', port: Number(bobPort) };
    await garbage.send(new TextEncoder().encode('not a chat message'), bobAddress);
    await garbage.send(createCodec(z.unknown()).encode({ type: 'say', name: 42 }), bobAddress);

    alice.child.stdin.write('hello over UDP\n');
    await bob.waitForLine(new RegExp(`^\\* alice at 127\\.0\\.0\\.1:${alicePort} is now a peer$`));
    await bob.waitForLine(new RegExp(`^<alice@127\\.0\\.0\\.1:${alicePort}> hello over UDP$`));
    bob.child.stdin.write('hi alice\n');
    await alice.waitForLine(new RegExp(`^<bob@127\\.0\\.0\\.1:${bobPort}> hi alice$`));

    alice.child.stdin.end();
    bob.child.kill('SIGINT');
    expect(bob.lines.join('\n')).not.toMatch(/not a chat message|<42@/);
    expect(await alice.exited()).toBe(0);
    expect(await bob.exited()).toBe(0);
  });

  it.each(['multicast', 'broadcast'])(
    'finds a peer by %s discovery on the loopback interface',
    async (mode) => {
      const discovery = ['--discover', mode, '--interface', '127.0.0.1'];
      await using alice = startCli([
        'udp-chat',
        '--name',
        'alice',
        '--port',
        '0',
        ...discovery,
        '--discover-port',
        '0',
      ]);
      const [, alicePort] = await alice.waitForLine(READY);
      const [, discoverPort] = await alice.waitForLine(/^udp-chat: discovering peers on [\d.]+:(\d+)$/);
      await using bob = startCli([
        'udp-chat',
        '--name',
        'bob',
        '--port',
        '0',
        ...discovery,
        '--discover-port',
        discoverPort!,
      ]);
      const [, bobPort] = await bob.waitForLine(READY);

      // Bob's first announcement reaches alice, who says hello straight back: both know each other.
      await alice.waitForLine(new RegExp(`^\\* bob at 127\\.0\\.0\\.1:${bobPort} is now a peer$`));
      await bob.waitForLine(new RegExp(`^\\* alice at 127\\.0\\.0\\.1:${alicePort} is now a peer$`));
      bob.child.stdin.write('found you\n');
      await alice.waitForLine(/^<bob@127\.0\.0\.1:\d+> found you$/);

      alice.child.stdin.end();
      bob.child.stdin.end();
      expect(await alice.exited()).toBe(0);
      expect(await bob.exited()).toBe(0);
    },
  );

  it('refuses an unknown discovery mode with exit 2', async () => {
    await using chat = startCli(['udp-chat', '--name', 'x', '--discover', 'carrier-pigeon']);
    expect(await chat.exited()).toBe(2);
    expect(chat.stderr()).toMatch(/--discover: must be 'broadcast' or 'multicast'/);
  });
});
