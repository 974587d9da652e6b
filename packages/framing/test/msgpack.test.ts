import fc from 'fast-check';
import { Packr, Unpackr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { MessageEncodeError } from '../src/errors.ts';
import { MessagePackWriter } from '../src/msgpack.ts';

const numRuns = Number(process.env.NUM_RUNS ?? 2_000);
const hexOf = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true, int64AsType: 'number' });
/** msgpackr as the codec used it before this writer (with skipValues it writes fixmaps, as Python does). */
const msgpackr = new Packr({
  useRecords: false,
  encodeUndefinedAsNil: true,
  skipValues: [undefined],
} as ConstructorParameters<typeof Packr>[0]);

describe('MessagePackWriter', () => {
  it('writes strings in the shortest str form, moving the bytes when fewer than reserved', () => {
    const writer = new MessagePackWriter(32);
    // 11 ASCII units might take 33 bytes (str 8 reserved) but take 11 (fixstr).
    expect(hexOf(writer.write('hello world'))).toBe('ab68656c6c6f20776f726c64');
    // 100 units through Buffer#write: 'é' is 2 bytes, so 200 bytes in str 8 (reserved: str 16).
    expect(hexOf(writer.write('é'.repeat(100)))).toBe(`d9c8${'c3a9'.repeat(100)}`);
  });

  it('writes lone surrogates as U+FFFD in short and long strings, as Buffer#write does', () => {
    const writer = new MessagePackWriter(32);
    expect(hexOf(writer.write('a\ud800b\udc00'))).toBe('a861efbfbd62efbfbd');
    const long = `${'x'.repeat(70)}\ud83d`;
    expect(hexOf(writer.write(long))).toBe(`d949${'78'.repeat(70)}efbfbd`);
    expect(hexOf(writer.write('\ud83d\ude00'))).toBe('a4f09f9880');
  });

  it('leaves undefined properties out and writes undefined items as nil', () => {
    const writer = new MessagePackWriter(32);
    expect(hexOf(writer.write({ a: undefined, b: [undefined, 1] }))).toBe('81a16292c001');
    expect(hexOf(writer.write(undefined))).toBe('c0');
  });

  it('writes the same bytes as msgpackr wherever msgpackr writes what Python does', () => {
    // msgpackr differs only for whole numbers beyond 32 bits, -0 and lone surrogates; the writer
    // refuses the keys every receiving guard refuses (tested in codec.test.ts).
    const forbiddenKeys = new Set(['__proto__', 'constructor', 'prototype']);
    const wellFormed = (value: unknown): boolean =>
      typeof value === 'string'
        ? Buffer.from(value).toString() === value // no lone surrogates
        : typeof value === 'number'
          ? !Object.is(value, -0) && !(Number.isInteger(value) && Math.abs(value) > 0xffff_ffff)
          : Array.isArray(value)
            ? value.every(wellFormed)
            : value === null ||
              typeof value !== 'object' ||
              (Object.keys(value).every((key) => !forbiddenKeys.has(key)) &&
                Object.values(value).every(wellFormed));
    const values = fc.jsonValue({ maxDepth: 5 }).filter(wellFormed);
    const writer = new MessagePackWriter(32);
    fc.assert(
      fc.property(values, (value) => {
        expect(hexOf(writer.write(value))).toBe(hexOf(msgpackr.pack(value)));
      }),
      { numRuns },
    );
  });

  it('hands out messages that later writes never overwrite', () => {
    const writer = new MessagePackWriter(32);
    const written = Array.from(
      { length: 5_000 },
      (_, index) => [index, writer.write({ index, pad: 'p'.repeat(index % 50) })] as const,
    );
    for (const [index, bytes] of written)
      expect(unpackr.unpack(bytes)).toEqual({ index, pad: 'p'.repeat(index % 50) });
  });

  it('gives a large message a buffer of its own, so small ones after it do not pin it', () => {
    const writer = new MessagePackWriter(32);
    const large = writer.write({ data: new Uint8Array(1 << 20) });
    expect(large.length).toBe(1 + 5 + 5 + (1 << 20));
    const small = writer.write({ a: 1 });
    expect(small.buffer.byteLength).toBeLessThanOrEqual(64 * 1024);
    expect(small.buffer).not.toBe(large.buffer);
    expect(unpackr.unpack(large)).toMatchObject({ data: expect.any(Uint8Array) });
  });

  it('counts the bytes of a long string that may not fit what is left of the buffer', () => {
    const writer = new MessagePackWriter(32);
    const first = writer.write('x'.repeat(65_000)); // leaves about 500 bytes of the 64 KiB buffer
    const text = 'é'.repeat(200); // 400 bytes: fits, though 3 bytes per unit would not
    const second = writer.write(text);
    expect(second.buffer).toBe(first.buffer);
    expect(unpackr.unpack(second)).toBe(text);
    expect(unpackr.unpack(writer.write('ü'.repeat(300)))).toBe('ü'.repeat(300)); // does not fit: a new buffer
  });

  it('grows mid-message, keeping what it wrote before', () => {
    const writer = new MessagePackWriter(32);
    writer.write('x'.repeat(65_000)); // leaves a little room in the first buffer
    const message = {
      head: 'h'.repeat(100),
      items: Array.from({ length: 2_000 }, (_, index) => `item ${index}`),
    };
    expect(unpackr.unpack(writer.write(message))).toEqual(message);
  });

  it('stays usable after a refused message, and what it handed out before is intact', () => {
    const writer = new MessagePackWriter(2);
    const before = writer.write([1, 2]);
    expect(() => writer.write([[[1]]])).toThrow(MessageEncodeError);
    expect(() => writer.write({ at: new Date(0) })).toThrow(MessageEncodeError);
    expect(hexOf(before)).toBe('920102');
    expect(hexOf(writer.write([[1]]))).toBe('919101');
  });

  it('counts only arrays and maps as nesting, as the decoder does', () => {
    const writer = new MessagePackWriter(1);
    expect(hexOf(writer.write([Uint8Array.of(7), 'a']))).toBe('92c40107a161');
    expect(() => writer.write([{}])).toThrow(/nested deeper than maxDepth \(1\)/);
    expect(() => writer.write([new Date(0)])).toThrow(/Cannot encode a Date/);
  });
});
