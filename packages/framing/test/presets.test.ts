import { gunzipSync } from 'node:zlib';
import { startPython } from '@sockkit/testkit';
import { describe, expect, it } from 'vitest';
import { FrameDecoder } from '../src/decoder.ts';
import { encodeFrames } from '../src/encoder.ts';
import { CompressedFrameError } from '../src/errors.ts';
import { defineFrameFormat, FrameFormats } from '../src/format.ts';

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

/** gRPC's Length-Prefixed-Message as a gRPC library writes it: an uncompressed message, then a gzip-compressed one. */
const grpcScript = `
import gzip, struct
def message(payload, compressed):
    body = gzip.compress(payload) if compressed else payload
    return struct.pack("!BI", 1 if compressed else 0, len(body)) + body
print((message(b"plain", False) + message(b"squeezed " * 20, True)).hex())
`;

describe('gRPC compressed messages', () => {
  it('refuses a compressed message with CompressedFrameError after delivering the one before', async () => {
    await using python = startPython(grpcScript);
    const wire = Buffer.from(await python.nextLine(), 'hex');
    const decoder = new FrameDecoder(FrameFormats.grpc);
    expect(decoder.push(wire).map((frame) => Buffer.from(frame).toString())).toEqual(['plain']);
    expect(decoder.error).toBeInstanceOf(CompressedFrameError);
    expect(await python.exited()).toBe(0);
  });

  it('hands the flag to a caller that keeps the header, which can then decompress', async () => {
    await using python = startPython(grpcScript);
    const wire = Buffer.from(await python.nextLine(), 'hex');
    const frames = new FrameDecoder(defineFrameFormat({ ...FrameFormats.grpc, keepHeader: true })).push(wire);
    const messages = frames.map((frame) => {
      const body = frame.subarray(5);
      return (frame[0] === 1 ? gunzipSync(body) : Buffer.from(body)).toString();
    });
    expect(messages).toEqual(['plain', 'squeezed '.repeat(20)]);
    expect(await python.exited()).toBe(0);
  });
});
