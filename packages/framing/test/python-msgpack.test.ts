import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import { requirePython, startPython } from '@sockkit/testkit';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createCodec } from '../src/codec.ts';
import { framed } from '../src/framed.ts';
import { changeRows, typeRows } from './type-table.ts';

const hexOf = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const bytesOf = (hex: string) => Buffer.from(hex, 'hex');

/**
 * Reads rows as JSON on stdin. For each: what `msgpack.packb` writes for the row's value, whether
 * it reads sockkit's bytes back as the same value of the same types (1 is not 1.0, -0.0 is not
 * 0.0, a key 1 is not '1'), and what it writes for what it read.
 */
const matrixScript = `
import json, math, struct, sys, msgpack

def same(a, b):
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return struct.pack(">d", a) == struct.pack(">d", b) or (math.isnan(a) and math.isnan(b))
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return len(a) == len(b) and all(same(ka, kb) and same(va, vb) for (ka, va), (kb, vb) in zip(a.items(), b.items()))
    return a == b

results = []
for row in json.load(sys.stdin):
    value = eval(row["python"])
    read = msgpack.unpackb(bytes.fromhex(row["sockkit"]), strict_map_key=False)
    results.append({
        "type": row["type"],
        "packb": msgpack.packb(value).hex(),
        "readsSame": same(read, value),
        "read": repr(read)[:300],
        "repacked": msgpack.packb(read).hex(),
    })
print(json.dumps(results))
`;

interface MatrixResult {
  readonly type: string;
  readonly packb: string;
  readonly readsSame: boolean;
  readonly read: string;
  readonly repacked: string;
}

describe('live Python msgpack peer', () => {
  it('round-trips every row of the type table with identical bytes both ways', async (context) => {
    const python = requirePython(context, 'msgpack');
    const rows = typeRows.map((row) => ({
      type: row.type,
      python: row.python,
      sockkit: hexOf(createCodec(z.unknown(), row.options).encode(row.js)),
    }));
    await using peer = startPython(matrixScript, [], { python });
    peer.process.stdin.end(JSON.stringify(rows));
    const results = JSON.parse(await peer.nextLine()) as MatrixResult[];
    expect(results.map((result) => result.type)).toEqual(typeRows.map((row) => row.type));
    typeRows.forEach((row, index) => {
      const result = results[index]!;
      const sockkit = rows[index]!.sockkit;
      // Python -> sockkit: Python's bytes decode to the row's value and are written back identically.
      expect(result.packb, `${row.type}: msgpack.packb writes what sockkit writes`).toBe(sockkit);
      const codec = createCodec(z.unknown(), row.options);
      const decoded = codec.decode(bytesOf(result.packb));
      expect(decoded, `${row.type}: sockkit reads Python's bytes`).toStrictEqual(row.js);
      expect(hexOf(codec.encode(decoded)), `${row.type}: sockkit writes back Python's bytes`).toBe(
        result.packb,
      );
      // sockkit -> Python: sockkit's bytes read as the same Python value, written back identically.
      expect(result.readsSame, `${row.type}: Python reads sockkit's bytes as ${result.read}`).toBe(true);
      expect(result.repacked, `${row.type}: Python writes back sockkit's bytes`).toBe(sockkit);
    });
    expect(await peer.exited()).toBe(0);
  });

  it('writes the bytes of every "what changes on the way" row that Python writes', async (context) => {
    const python = requirePython(context, 'msgpack');
    const rows = changeRows.filter((row) => row.python !== undefined);
    const script = `import msgpack\n${rows.map((row) => `print(msgpack.packb(${row.python}).hex())`).join('\n')}`;
    await using peer = startPython(script, [], { python });
    for (const row of rows) expect(await peer.nextLine(), row.type).toBe(row.hex);
    expect(await peer.exited()).toBe(0);
  });

  it('exchanges typed messages with a Python msgpack peer over TCP, 64-bit integers and all', async (context) => {
    const python = requirePython(context, 'msgpack');
    const Reading = z.object({
      sensor: z.string(),
      at: z.int(),
      counter: z.union([z.bigint(), z.int().transform(BigInt)]), // any uint64, as bigints throughout
      value: z.number(),
      raw: z.instanceof(Uint8Array),
    });
    const codec = createCodec(Reading, { largeIntegers: 'bigint' });
    const script = `
import socket, struct, sys, msgpack

def recv_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise EOFError("closed mid-frame")
        data += chunk
    return data

sock = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=15)
for message in [
    {"sensor": "t1", "at": 1763779200000, "counter": 2**63 - 1, "value": -0.0, "raw": b"\\x00\\x01"},
    {"sensor": "t2", "at": 5, "counter": 7, "value": 21.5, "raw": b""},
]:
    payload = msgpack.packb(message)
    sock.sendall(struct.pack("!I", len(payload)) + payload)
for _ in range(2):
    (length,) = struct.unpack("!I", recv_exact(sock, 4))
    echoed = msgpack.unpackb(recv_exact(sock, length))
    print(repr(echoed), type(echoed["at"]).__name__, type(echoed["counter"]).__name__, struct.pack(">d", echoed["value"]).hex())
sock.close()
`;
    const server = createServer();
    server.listen({ host: '127.0.0.1', port: 0 });
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    const received: z.infer<typeof Reading>[] = [];
    const serving = once(server, 'connection').then(async ([socket]: Socket[]) => {
      const channel = framed(socket!, { codec });
      for await (const message of channel) {
        received.push(message);
        await channel.send(message);
      }
      await channel.close();
    });
    try {
      await using peer = startPython(script, [String(port)], { python });
      expect(await peer.nextLine()).toBe(
        "{'sensor': 't1', 'at': 1763779200000, 'counter': 9223372036854775807, 'value': -0.0, 'raw': b'\\x00\\x01'} int int 8000000000000000",
      );
      expect(await peer.nextLine()).toBe(
        "{'sensor': 't2', 'at': 5, 'counter': 7, 'value': 21.5, 'raw': b''} int int 4035800000000000",
      );
      expect(await peer.exited()).toBe(0);
      await serving;
    } finally {
      server.close();
    }
    expect(received[0]).toMatchObject({ at: 1_763_779_200_000, counter: 2n ** 63n - 1n });
    expect(Object.is(received[0]!.value, -0)).toBe(true);
    expect(received[1]).toMatchObject({ counter: 7n });
  });
});
