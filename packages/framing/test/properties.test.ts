import { chunkAt, everyByte } from '@sockkit/testkit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameDecoder } from '../src/decoder.ts';
import { encodeFrames } from '../src/encoder.ts';
import { FrameFormats } from '../src/format.ts';

/** fast-check prints the seed and shrunk counterexample in the failure message; NUM_RUNS raises the count locally. */
const numRuns = Number(process.env.NUM_RUNS ?? 10_000);

const payloads = fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 12 });
const chunking = fc.oneof(
  fc.constant<'bytes' | 'whole'>('bytes'),
  fc.constant<'bytes' | 'whole'>('whole'),
  fc.array(fc.nat(600), { maxLength: 12 }),
);

describe('FrameDecoder properties', () => {
  it.each(Object.entries(FrameFormats))(
    'any payloads cut anywhere decode to the same payloads (%s)',
    (_name, format) => {
      fc.assert(
        fc.property(payloads, chunking, (sent, cuts) => {
          const wire = encodeFrames(sent, format);
          const chunks = cuts === 'bytes' ? everyByte(wire) : cuts === 'whole' ? [wire] : chunkAt(wire, cuts);
          const decoder = new FrameDecoder(format);
          const received: Uint8Array[] = [];
          for (const chunk of chunks) {
            decoder.pushEach(chunk, (bytes, start, end) => received.push(bytes.slice(start, end)));
          }
          decoder.end();
          expect(decoder.bufferedBytes).toBe(0);
          expect(received.map((frame) => Buffer.from(frame).toString('hex'))).toEqual(
            sent.map((payload) => Buffer.from(payload).toString('hex')),
          );
        }),
        { numRuns },
      );
    },
    60_000,
  );

  it('payloads large enough to be kept as pieces decode the same (uint32BE)', () => {
    const large = fc.array(fc.uint8Array({ minLength: 900, maxLength: 5000 }), {
      minLength: 1,
      maxLength: 3,
    });
    const cuts = fc.array(fc.nat(15_000), { maxLength: 8 });
    fc.assert(
      fc.property(large, cuts, (sent, cutPoints) => {
        const wire = encodeFrames(sent);
        const decoder = new FrameDecoder();
        const received = chunkAt(wire, cutPoints).flatMap((chunk) => decoder.push(chunk));
        expect(received.map((frame) => Buffer.compare(frame, sent[received.indexOf(frame)]!))).toEqual(
          sent.map(() => 0),
        );
      }),
      { numRuns },
    );
  }, 60_000);
});
