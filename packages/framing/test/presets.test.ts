import { startPython } from '@sockkit/testkit';
import { describe, expect, it } from 'vitest';
import { FrameDecoder } from '../src/decoder.ts';
import { encodeFrames } from '../src/encoder.ts';
import { FrameFormats } from '../src/format.ts';

/** Python writes each preset's frames the way its own ecosystem does; sockkit must read them, and vice versa. */
const script = `
import struct, sys
payloads = [b"", b"a", b"sockkit", bytes(range(256)) * 3]

def varint(n):  # protobuf's _VarintBytes / libp2p unsigned-varint
    out = b""
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out += bytes([byte | 0x80])
        else:
            return out + bytes([byte])

writers = {
    "uint32BE": lambda p: struct.pack("!I", len(p)) + p,
    "uint32LE": lambda p: struct.pack("<I", len(p)) + p,
    "uint16BE": lambda p: struct.pack("!H", len(p)) + p,
    "varint": lambda p: varint(len(p)) + p,
    "grpc": lambda p: struct.pack("!BI", 0, len(p)) + p,
}
for name, write in writers.items():
    print(name, b"".join(write(p) for p in payloads).hex())
`;

const payloads = ['', 'a', 'sockkit'].map((text) => new TextEncoder().encode(text));
payloads.push(Uint8Array.from({ length: 768 }, (_, index) => index & 0xff));
const hexOf = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('presets read and write what other implementations do', () => {
  it('matches Python struct.pack / protobuf varint / gRPC framing byte for byte', async () => {
    await using python = startPython(script);
    for (let index = 0; index < Object.keys(FrameFormats).length; index++) {
      const [name, wire] = (await python.nextLine()).split(' ') as [keyof typeof FrameFormats, string];
      const format = FrameFormats[name];
      const frames = new FrameDecoder(format).push(Buffer.from(wire, 'hex'));
      expect(frames.map(hexOf), name).toEqual(payloads.map(hexOf));
      expect(hexOf(encodeFrames(payloads, format)), name).toBe(wire);
    }
    expect(await python.exited()).toBe(0);
  });
});
