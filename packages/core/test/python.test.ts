import { constants } from 'node:os';
import { startPython } from '@sockkit/testkit';
import { describe, expect, it } from 'vitest';
import {
  AF_INET,
  ConnectionResetError,
  createServer,
  SOCK_DGRAM,
  SocketTimeoutError,
  socket,
} from '../src/index.ts';
import { bytes, recvAll, text } from './helpers.ts';

/** The course's looped server: a connection loop around a communication loop, recv(1024), sendall. */
const CLASSIC_ECHO_SERVER = `
import socket
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.bind(("127.0.0.1", 0))
server.listen(5)
print("READY", server.getsockname()[1])
for _ in range(2):
    conn, addr = server.accept()
    while True:
        try:
            data = conn.recv(1024)
        except ConnectionResetError:
            break
        if not data:
            break
        conn.sendall(data)
    conn.close()
server.close()
`;

const CLIENT_WITH_HALF_CLOSE = `
import socket, sys
conn = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
conn.sendall(b"hello from python " * 1000)
conn.shutdown(socket.SHUT_WR)
reply = b""
while True:
    data = conn.recv(1024)
    if not data:
        break
    reply += data
conn.close()
print("REPLY", len(reply), reply[:18].decode())
`;

const UDP_PEER = `
import socket
peer = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
peer.bind(("127.0.0.1", 0))
print("READY", peer.getsockname()[1])
data, addr = peer.recvfrom(1024)
peer.sendto(data.upper(), addr)
print("SENT", addr[1])
`;

/** A listener that never accepts, with listen(0) and its one queue slot already taken. */
const FULL_BACKLOG = `
import socket, sys
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.bind(("127.0.0.1", 0))
server.listen(0)
port = server.getsockname()[1]
queued = []
for _ in range(2):
    client = socket.socket()
    client.settimeout(0.5)
    try:
        client.connect(("127.0.0.1", port))
    except OSError:
        pass
    queued.append(client)
print("READY", port)
sys.stdin.read()
`;

/** Accepts, reads the first bytes, then closes with SO_LINGER 0: an RST mid-transfer. */
const RESETTING_SERVER = `
import socket, struct
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.bind(("127.0.0.1", 0))
server.listen(1)
print("READY", server.getsockname()[1])
conn, _ = server.accept()
conn.recv(1024)
conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
conn.close()
print("RESET")
`;

const portOf = (line: string) => Number(line.split(' ')[1]);

describe('interoperability with Python sockets', () => {
  it('a sockkit client talks to the classic Python echo server', async () => {
    await using python = startPython(CLASSIC_ECHO_SERVER);
    const port = portOf(await python.nextLine());
    for (const message of ['first client', 'second client']) {
      await using client = socket(AF_INET);
      client.setTimeout(5_000);
      await client.connect({ host: '127.0.0.1', port });
      await client.sendAll(bytes(message));
      let echoed = '';
      while (echoed.length < message.length) echoed += text(await client.recv(1024));
      expect(echoed).toBe(message);
    }
    expect(await python.exited()).toBe(0);
  });

  it('a Python create_connection client with shutdown(SHUT_WR) talks to a sockkit server', async () => {
    await using server = await createServer({ host: '127.0.0.1', port: 0 }, async (conn) => {
      const request = await recvAll(conn);
      await conn.sendAll(Buffer.from(request.toString().toUpperCase()));
    });
    const { port } = server.address as { port: number };
    await using python = startPython(CLIENT_WITH_HALF_CLOSE, [String(port)]);
    expect(await python.nextLine()).toBe(`REPLY ${18 * 1000} HELLO FROM PYTHON `);
  });

  it('exchanges datagrams with a Python sendto/recvfrom peer', async () => {
    await using python = startPython(UDP_PEER);
    const port = portOf(await python.nextLine());
    await using udp = socket(AF_INET, SOCK_DGRAM);
    await udp.sendTo(bytes('datagram'), { host: '127.0.0.1', port });
    const [data, from] = await udp.recvFrom(1024, { timeout: 5_000 });
    expect(text(data)).toBe('DATAGRAM');
    expect(from).toEqual({ family: 'IPv4', host: '127.0.0.1', port });
    expect(portOf(await python.nextLine())).toBe((udp.getSockName() as { port: number }).port);
  });

  it('times out a connect to a listener whose backlog is full', async () => {
    await using python = startPython(FULL_BACKLOG);
    const port = portOf(await python.nextLine());
    await using client = socket(AF_INET);
    client.setTimeout(200);
    await expect(client.connect({ host: '127.0.0.1', port })).rejects.toBeInstanceOf(SocketTimeoutError);
    expect(await client.connectEx({ host: '127.0.0.1', port })).toBe(constants.errno.ETIMEDOUT);
  });

  it('reports a Python peer that resets mid-transfer as ConnectionResetError', async () => {
    await using python = startPython(RESETTING_SERVER);
    const port = portOf(await python.nextLine());
    await using client = socket(AF_INET);
    client.setTimeout(5_000);
    await client.connect({ host: '127.0.0.1', port });
    await client.sendAll(new Uint8Array(4096));
    expect(await python.nextLine()).toBe('RESET');
    await expect(client.recv(1024)).rejects.toBeInstanceOf(ConnectionResetError);
  });
});
