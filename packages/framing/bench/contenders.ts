/** The same decode and encode jobs through sockkit and the peer libraries. */
import { createRequire } from 'node:module';
import type { Transform } from 'node:stream';
import { decode as lpDecode, encode as lpEncode } from 'it-length-prefixed';
import { decodeFrames, encodeFrames, FrameDecoder, FrameFormats } from '../src/index.ts';
import type { Contender } from './harness.ts';

const lps = createRequire(import.meta.url)('length-prefixed-stream') as {
  decode(options?: { limit?: number }): Transform;
  encode(): Transform;
};

const format = FrameFormats.varint;

/** Decoders of varint-prefixed frames (the format all four read) over the same chunks. */
export function decoders(chunks: readonly Uint8Array[]): Contender[] {
  return [
    {
      name: 'sockkit pushEach',
      run() {
        const decoder = new FrameDecoder(format);
        let frames = 0;
        const count = () => {
          frames++;
        };
        for (const chunk of chunks) decoder.pushEach(chunk, count);
        decoder.end();
        return frames;
      },
    },
    {
      name: 'sockkit push',
      run() {
        const decoder = new FrameDecoder(format);
        let frames = 0;
        for (const chunk of chunks) frames += decoder.push(chunk).length;
        decoder.end();
        return frames;
      },
    },
    {
      // It yields a Uint8ArrayList per frame; .subarray() gives the payload as contiguous bytes
      // (a view when the frame sat in one chunk, a copy otherwise), as the other contenders do.
      name: 'it-length-prefixed',
      run() {
        let frames = 0;
        for (const frame of lpDecode(chunks as Uint8Array[], { maxDataLength: 8 * 1024 * 1024 })) {
          if (frame.subarray().length === frame.length) frames++;
        }
        return frames;
      },
    },
    {
      name: 'length-prefixed-stream',
      run: () =>
        new Promise<number>((resolve, reject) => {
          const decoder = lps.decode();
          let frames = 0;
          decoder.on('data', () => frames++);
          decoder.on('end', () => resolve(frames));
          decoder.on('error', reject);
          for (const chunk of chunks) decoder.write(chunk);
          decoder.end();
        }),
    },
    { name: 'naive Buffer.concat', run: () => naiveDecode(chunks) },
  ];
}

/** The same chunks as an async source (a socket's shape), through each library's async-iterable decoder. */
export function iterableDecoders(chunks: readonly Uint8Array[]): Contender[] {
  async function* source() {
    yield* chunks;
  }
  return [
    {
      name: 'sockkit decodeFrames',
      async run() {
        let frames = 0;
        for await (const _ of decodeFrames(source(), format)) frames++;
        return frames;
      },
    },
    {
      name: 'it-length-prefixed',
      async run() {
        let frames = 0;
        for await (const frame of lpDecode(source(), { maxDataLength: 8 * 1024 * 1024 })) {
          if (frame.subarray().length === frame.length) frames++;
        }
        return frames;
      },
    },
  ];
}

/** What a first framing attempt looks like: concatenate everything, cut frames off the front. */
function naiveDecode(chunks: readonly Uint8Array[]): number {
  let buffered = Buffer.alloc(0);
  let frames = 0;
  for (const chunk of chunks) {
    buffered = Buffer.concat([buffered, chunk]);
    for (;;) {
      let length = 0;
      let shift = 0;
      let at = 0;
      let complete = false;
      while (at < buffered.length) {
        const byte = buffered[at++]!;
        length += (byte & 0x7f) * 2 ** shift;
        shift += 7;
        if (byte < 0x80) {
          complete = true;
          break;
        }
      }
      if (!complete || buffered.length < at + length) break;
      if (buffered.subarray(at, at + length).length === length) frames++;
      buffered = buffered.subarray(at + length);
    }
  }
  return frames;
}

/** Encoders of the same payloads into varint-prefixed frames; sockkit writes batches of 1,024 frames per buffer. */
export function encoders(payloads: readonly Uint8Array[]): Contender[] {
  const batch = 1024;
  return [
    {
      name: 'sockkit encodeFrames',
      run() {
        let frames = 0;
        for (let start = 0; start < payloads.length; start += batch) {
          const slice = payloads.slice(start, start + batch);
          encodeFrames(slice, format);
          frames += slice.length;
        }
        return frames;
      },
    },
    {
      name: 'it-length-prefixed',
      run() {
        // It yields the prefix and the payload as two arrays per frame.
        let bytes = 0;
        for (const part of lpEncode(payloads as Uint8Array[])) bytes += part.length;
        return bytes / 33;
      },
    },
    {
      name: 'length-prefixed-stream',
      run: () =>
        new Promise<number>((resolve, reject) => {
          const encoder = lps.encode();
          let bytes = 0;
          encoder.on('data', (chunk: Uint8Array) => {
            bytes += chunk.length;
          });
          encoder.on('end', () => resolve(bytes === payloads.length * 33 ? payloads.length : -1));
          encoder.on('error', reject);
          for (const payload of payloads) encoder.write(payload);
          encoder.end();
        }),
    },
    {
      // A one-byte varint header is exact for these payloads (under 128 bytes).
      name: 'naive Buffer.concat',
      run() {
        let frames = 0;
        for (const payload of payloads) {
          Buffer.concat([Uint8Array.of(payload.length), payload]);
          frames++;
        }
        return frames;
      },
    },
  ];
}
