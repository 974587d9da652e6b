import { startPython } from '@sockkit/testkit';
import { describe, expect, it } from 'vitest';
import { udpEndpoint } from '../src/endpoint.ts';

const text = (value: string) => Buffer.from(value);

/** A classic Python UDP echo; it answers envelope requests (kind 1) as replies (kind 2), upper-cased. */
const pythonEcho = `
import socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('127.0.0.1', 0))
s.settimeout(10)
print('READY', s.getsockname()[1])
for _ in range(int(sys.argv[1])):
    data, address = s.recvfrom(65535)
    if data[:3] == b'\\xd5K\\x01':
        magic, kind, request_id = struct.unpack('!2sB8s', data[:11])
        data = struct.pack('!2sB8s', magic, 2, request_id) + data[11:].upper()
    s.sendto(data, address)
s.close()
`;

/** A Python client of a sockkit serve: one request, then the same id again (a retransmission). */
const pythonClient = `
import os, socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(10)
request_id = os.urandom(8)
request = struct.pack('!BBB8s', 0xD5, 0x4B, 1, request_id) + b'hello from python'
for attempt in range(2):
    s.sendto(request, ('127.0.0.1', int(sys.argv[1])))
    reply, address = s.recvfrom(65535)
    magic, kind, reply_id = struct.unpack('!2sB8s', reply[:11])
    assert (magic, kind, reply_id) == (b'\\xd5K', 2, request_id), reply[:11]
    print(reply[11:].decode())
s.close()
`;

describe('Python interop', () => {
  it('a Python sendto/recvfrom echo serves a sockkit endpoint (plain and request)', async () => {
    await using python = startPython(pythonEcho, ['2']);
    const port = Number((await python.nextLine()).split(' ')[1]);
    await using client = await udpEndpoint();
    await client.send(text('plain bytes'), { host: '127.0.0.1', port });
    const echoed = await client.recv({ timeout: 10_000 });
    expect([echoed.data.toString(), echoed.from.port]).toEqual(['plain bytes', port]);
    const reply = await client.request(text('shout'), { host: '127.0.0.1', port }, { timeout: 1000 });
    expect(Buffer.from(reply).toString()).toBe('SHOUT');
    expect(await python.exited()).toBe(0);
  });

  it('a Python client gets replies from a sockkit serve, the retransmission from the cache', async () => {
    await using server = await udpEndpoint();
    let runs = 0;
    server.serve((message) => {
      runs++;
      return text(`${Buffer.from(message).toString()}, run ${runs}`);
    });
    await using python = startPython(pythonClient, [String(server.address.port)]);
    expect(await python.nextLine()).toBe('hello from python, run 1');
    expect(await python.nextLine()).toBe('hello from python, run 1');
    expect(await python.exited()).toBe(0);
    expect(server.stats).toMatchObject({ served: 1, cachedReplies: 1 });
  });
});
