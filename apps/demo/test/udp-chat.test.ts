import { readFileSync } from 'node:fs';
import { createCodec } from '@sockkit/framing';
import { startPython } from '@sockkit/testkit';
import { udpEndpoint } from '@sockkit/udp';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MAX_TEXT_DATAGRAM_BYTES, splitText } from '../src/protocols/udp-chat.ts';
import { startCli } from './cli-process.ts';

const TEXT_READY = /^udp-chat ready: plain text on 127\.0\.0\.1:(\d+), peers: /;
const TYPED_READY = /^udp-chat ready: \w+ on 127\.0\.0\.1:(\d+), peers: /;
const TUTORIAL = readFileSync(new URL('tutorial-udp-chat.py', import.meta.url), 'utf8');

describe('udp-chat, plain text (the tutorial format)', () => {
  it("exchanges lines both ways with the tutorial's own Python UDP chat", async () => {
    await using demo = startCli(['udp-chat', '--port', '0']);
    const [, demoPort] = await demo.waitForLine(TEXT_READY);
    await using tutorial = startPython(TUTORIAL, [demoPort!]);
    const [, tutorialPort] = /^READY (\d+)$/.exec(await tutorial.nextLine()) ?? [];

    tutorial.process.stdin.write('你好, sockkit\n');
    await demo.waitForLine(new RegExp(`^\\* 127\\.0\\.0\\.1:${tutorialPort} is now a peer$`));
    await demo.waitForLine(new RegExp(`^<127\\.0\\.0\\.1:${tutorialPort}> 你好, sockkit$`));
    demo.child.stdin.write('hello, tutorial: ça va?\n');
    expect(await tutorial.nextLine()).toBe(`('127.0.0.1', ${demoPort}):hello, tutorial: ça va?`);

    tutorial.process.stdin.write('and once more\n');
    await demo.waitForLine(new RegExp(`^<127\\.0\\.0\\.1:${tutorialPort}> and once more$`));
    demo.child.stdin.write('bye\n');
    expect(await tutorial.nextLine()).toBe(`('127.0.0.1', ${demoPort}):bye`);
    tutorial.process.stdin.end();
    expect(await tutorial.exited()).toBe(0);
    demo.child.stdin.end();
    expect(await demo.exited()).toBe(0);
  });

  it('drops datagrams that are not UTF-8, and never prints control characters raw', async () => {
    await using demo = startCli(['udp-chat', '--port', '0']);
    const [, port] = await demo.waitForLine(TEXT_READY);
    await using peer = await udpEndpoint({ bind: { host: '127.0.0.1', port: 0 } });
    const demoAddress = { host: '127.0.0.1', port: Number(port) };
    await peer.send(Uint8Array.of(0xff, 0xfe, 0x41), demoAddress); // not UTF-8
    await peer.send(new TextEncoder().encode('\x1b[2Jcleared?'), demoAddress);
    await demo.waitForLine(new RegExp(`^<127\\.0\\.0\\.1:${peer.address.port}> \ufffd\\[2Jcleared\\?$`));
    demo.child.stdin.end();
    expect(await demo.exited()).toBe(0);
    expect(demo.lines.join('\n')).not.toMatch(/A$/m); // the bytes that are not UTF-8, decoded anyway
    expect(demo.output()).not.toContain('\x1b');
  });

  it('splits a line too long for recvfrom(1024) into datagrams that each decode on their own', async () => {
    await using listener = await udpEndpoint({ bind: { host: '127.0.0.1', port: 0 } });
    await using demo = startCli(['udp-chat', '--port', '0', '--peer', `127.0.0.1:${listener.address.port}`]);
    await demo.waitForLine(TEXT_READY);
    const line = 'é'.repeat(700) + 'x'.repeat(700); // 2100 bytes of UTF-8, a two-byte character at every cut
    demo.child.stdin.write(`${line}\n`);
    const pieces: string[] = [];
    const strict = new TextDecoder('utf-8', { fatal: true });
    while (pieces.join('') !== line) {
      const { data } = await listener.recv({ timeout: 10_000 });
      expect(data.length).toBeLessThanOrEqual(MAX_TEXT_DATAGRAM_BYTES);
      pieces.push(strict.decode(data));
    }
    expect(pieces).toHaveLength(3);
    demo.child.stdin.end();
    expect(await demo.exited()).toBe(0);
  });

  it('refuses --discover without --typed, with exit 2', async () => {
    await using chat = startCli(['udp-chat', '--discover', 'multicast']);
    expect(await chat.exited()).toBe(2);
    expect(chat.stderr()).toMatch(/--discover: needs --typed/);
  });
});

describe('splitText', () => {
  it.each([
    ['', 10, []],
    ['hello', 10, ['hello']],
    ['hello world', 5, ['hello', ' worl', 'd']],
    ['ééé', 3, ['é', 'é', 'é']], // two bytes each: two do not fit in three
    ['a😀b', 4, ['a', '😀', 'b']],
  ])('%j in pieces of %d bytes -> %j', (text, max, pieces) => {
    expect(splitText(text, max)).toEqual(pieces);
  });
});

describe('udp-chat --typed', () => {
  it('talks both ways between two peers on loopback, learning the peer that wrote first', async () => {
    await using bob = startCli(['udp-chat', '--typed', '--name', 'bob', '--port', '0']);
    const [, bobPort] = await bob.waitForLine(TYPED_READY);
    await using alice = startCli([
      'udp-chat',
      '--typed',
      '--name',
      'alice',
      '--port',
      '0',
      '--peer',
      `127.0.0.1:${bobPort}`,
    ]);
    const [, alicePort] = await alice.waitForLine(TYPED_READY);

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
      const discovery = ['--typed', '--discover', mode, '--interface', '127.0.0.1'];
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
      const [, alicePort] = await alice.waitForLine(TYPED_READY);
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
      const [, bobPort] = await bob.waitForLine(TYPED_READY);

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

  it('refuses an unknown discovery mode, and --typed without a name, with exit 2', async () => {
    await using pigeon = startCli(['udp-chat', '--typed', '--name', 'x', '--discover', 'carrier-pigeon']);
    expect(await pigeon.exited()).toBe(2);
    expect(pigeon.stderr()).toMatch(/--discover: must be 'broadcast' or 'multicast'/);
    await using nameless = startCli(['udp-chat', '--typed']);
    expect(await nameless.exited()).toBe(2);
    expect(nameless.stderr()).toMatch(/--name: is required with --typed/);
  });
});
