import { connect } from 'node:net';
import { createConnection } from '@sockkit/core';
import { createCodec, encodeFrame } from '@sockkit/framing';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { hostPortOf } from '../src/cli/args.ts';
import { startChatServer } from '../src/programs/chat-server.ts';
import { startCli } from './cli-process.ts';
import { recvTimedOut } from './waits.ts';

/** Encodes any message, valid or not, the way a chat client frames it. */
const anything = createCodec(z.unknown());
const frameOf = (message: unknown) => encodeFrame(anything.encode(message));

describe('chat-server and chat-client', () => {
  it('tells the others when a client vanishes mid-message or sends garbage, and goes on', async () => {
    await using server = startCli(['chat-server', '--port', '0']);
    const [, port] = await server.waitForLine(/^chat-server ready: listening on 127\.0\.0\.1:(\d+)$/);

    await using alice = startCli(['chat-client', '--port', port!, '--name', 'alice']);
    await alice.waitForLine(/^\* joined as alice; here: nobody yet$/);
    await using bob = startCli(['chat-client', '--port', port!, '--name', 'bob']);
    await bob.waitForLine(/^\* joined as bob; here: alice$/);
    await alice.waitForLine(/^\* bob joined$/);

    // carol joins, starts a message and vanishes halfway through its frame.
    const carol = connect({ host: '127.0.0.1', port: Number(port) });
    carol.resume(); // reads (and ignores) what the server sends, so her close is a clean FIN
    carol.write(frameOf({ type: 'join', name: 'carol' }));
    await alice.waitForLine(/^\* carol joined$/);
    const unfinished = frameOf({ type: 'say', text: 'I was about to say something important' });
    carol.end(unfinished.subarray(0, 12));
    await alice.waitForLine(/^\* carol left \(vanished mid-message\)$/);
    await bob.waitForLine(/^\* carol left \(vanished mid-message\)$/);
    await server.waitForLine(/^chat-server: carol removed: vanished mid-message$/);

    // dave joins and then sends a message of the wrong shape.
    const dave = connect({ host: '127.0.0.1', port: Number(port) });
    dave.resume();
    dave.write(frameOf({ type: 'join', name: 'dave' }));
    await bob.waitForLine(/^\* dave joined$/);
    dave.write(frameOf({ type: 'say', text: 42 }));
    await alice.waitForLine(/^\* dave left \(sent a malformed message\)$/);
    await bob.waitForLine(/^\* dave left \(sent a malformed message\)$/);

    // The chat goes on for those who stayed.
    alice.child.stdin.write('still here, bob?\n');
    await bob.waitForLine(/^<alice> still here, bob\?$/);
    bob.child.stdin.end('yes\n');
    await alice.waitForLine(/^<bob> yes$/);
    await alice.waitForLine(/^\* bob left \(said goodbye\)$/);
    expect(await bob.exited()).toBe(0);

    server.child.kill('SIGINT');
    await alice.waitForLine(/^\* disconnected$/);
    expect(await server.exited()).toBe(0);
    expect(await alice.exited()).toBe(0);
  });

  it('stays in a quiet room: --timeout bounds the connect, not the wait for the next message', async () => {
    const CONNECT_TIMEOUT = 100;
    await using server = await startChatServer({ host: '127.0.0.1', port: 0 });
    const port = String(hostPortOf(server.address).port);
    await using alice = startCli([
      'chat-client',
      '--port',
      port,
      '--name',
      'alice',
      '--timeout',
      String(CONNECT_TIMEOUT),
    ]);
    await alice.waitForLine(/^\* joined as alice; here: nobody yet$/);
    await recvTimedOut(3 * CONNECT_TIMEOUT); // the room was quiet longer than alice's --timeout

    await using bob = await createConnection(server.address);
    await bob.sendAll(
      Buffer.concat([frameOf({ type: 'join', name: 'bob' }), frameOf({ type: 'say', text: 'anyone?' })]),
    );
    await alice.waitForLine(/^<bob> anyone\?$/);
    alice.child.stdin.end();
    expect(await alice.exited()).toBe(0);
  });

  it('rejects a taken name and exits 1', async () => {
    await using server = startCli(['chat-server', '--port', '0']);
    const [, port] = await server.waitForLine(/ready: listening on 127\.0\.0\.1:(\d+)$/);
    await using first = startCli(['chat-client', '--port', port!, '--name', 'alice']);
    await first.waitForLine(/^\* joined as alice/);
    await using second = startCli(['chat-client', '--port', port!, '--name', 'alice']);
    await second.waitForLine(/^\* server rejected us: the name alice is taken$/);
    expect(await second.exited()).toBe(1);
  });
});
