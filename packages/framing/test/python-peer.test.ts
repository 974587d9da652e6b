import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import { startPython } from '@sockkit/testkit';
import { describe, expect, it } from 'vitest';
import { framed } from '../src/framed.ts';

/**
 * The classic Python framing, `struct.pack('!I', len(p)) + p`: first all frames glued into one
 * sendall (sticky packets), then the same frames one byte per send with Nagle off (half packets).
 * sockkit decodes every frame and echoes it framed; Python checks each echoed frame.
 */
const script = `
import socket, struct, sys, random
random.seed(7)
payloads = [b"", b"a", b"hello"] + [bytes(random.getrandbits(8) for _ in range(random.choice([1, 100, 5000]))) for _ in range(40)] + [bytes(range(256)) * 400]
frames = [struct.pack("!I", len(p)) + p for p in payloads]

def recv_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise EOFError("sockkit closed after %d of %d bytes" % (len(data), n))
        data += chunk
    return data

def check_echoes(sock, round_name):
    for index, p in enumerate(payloads):
        (length,) = struct.unpack("!I", recv_exact(sock, 4))
        echoed = recv_exact(sock, length)
        assert echoed == p, "%s: frame %d differs (%d vs %d bytes)" % (round_name, index, len(echoed), len(p))

sock = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=15)
sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
sock.sendall(b"".join(frames))
check_echoes(sock, "glued")
for byte in b"".join(frames[:12]):
    sock.sendall(bytes([byte]))
payloads = payloads[:12]
check_echoes(sock, "byte by byte")
sock.close()
print("OK", len(frames) + 12)
`;

describe('Python struct.pack peer', () => {
  it('decodes frames glued in one sendall and sent one byte at a time, and echoes every one', async () => {
    const server = createServer();
    server.listen({ host: '127.0.0.1', port: 0 });
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    const echoed: number[] = [];
    const serving = once(server, 'connection').then(async ([socket]: Socket[]) => {
      const channel = framed(socket!);
      for await (const payload of channel) {
        echoed.push(payload.length);
        await channel.send(payload);
      }
      await channel.close();
    });
    try {
      await using python = startPython(script, [String(port)]);
      expect(await python.nextLine()).toBe('OK 56');
      expect(await python.exited()).toBe(0);
      await serving;
      expect(echoed).toHaveLength(56);
      expect(echoed).toContain(102_400);
    } finally {
      server.close();
    }
  });
});
