import { InvalidArgumentError } from '@sockkit/core';
import fc from 'fast-check';
import { Packr, Unpackr } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createCodec, MAX_DEPTH_LIMIT, type MessageCodec } from '../src/codec.ts';
import { MessageDecodeError, MessageEncodeError, MessageValidationError } from '../src/errors.ts';

const numRuns = Number(process.env.NUM_RUNS ?? 10_000);
const hex = (value: string) => Uint8Array.from(Buffer.from(value.replace(/\s/g, ''), 'hex'));
const Anything = z.unknown();
const hostile = new Packr({ moreTypes: true, useRecords: false });

function decodeError(bytes: Uint8Array, options = {}): MessageDecodeError {
  try {
    createCodec(Anything, options).decode(bytes);
  } catch (error) {
    expect(error).toBeInstanceOf(MessageDecodeError);
    return error as MessageDecodeError;
  }
  throw new Error('expected decode to throw');
}

describe('createCodec', () => {
  const Chat = z.object({
    from: z.string(),
    text: z.string(),
    at: z.number().int(),
    tags: z.array(z.string()).optional(),
  });
  const codec = createCodec(Chat);

  it('round-trips a typed message', () => {
    const message = { from: 'ana', text: 'hello', at: 1_700_000_000_000, tags: ['a'] };
    expect(codec.decode(codec.encode(message))).toEqual(message);
  });

  it('writes plain MessagePack (a map with string keys, no records), leaving undefined fields out', () => {
    const bytes = codec.encode({ from: 'a', text: 'b', at: 1, tags: undefined });
    expect(Buffer.from(bytes).toString('hex')).toBe('83a466726f6da161a474657874a162a2617401');
  });

  it('validates on encode unless told not to', () => {
    expect(() => codec.encode({ from: 'a' } as never)).toThrow(MessageValidationError);
    const loose = createCodec(Chat, { validateOnEncode: false });
    expect(() => loose.encode({ from: 'a' } as never)).not.toThrow();
  });

  it('throws MessageValidationError with zod issues for a value of the wrong shape', () => {
    const bytes = new Packr({ useRecords: false }).pack({ from: 1, text: 'x', at: 1.5 });
    let error: unknown;
    try {
      codec.decode(bytes);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(MessageValidationError);
    const validation = error as MessageValidationError;
    expect(validation.code).toBe('SOCKKIT_ERR_MESSAGE_VALIDATION');
    expect(validation.issues.map((issue) => issue.path)).toEqual([['from'], ['at']]);
  });

  it('caps the error text for a 1M-element bad array', () => {
    const bytes = new Uint8Array(5 + 1_000_000).fill(0xc3);
    bytes.set(hex('dd 000f4240'));
    const numbers = createCodec(z.array(z.number()), { maxElements: 2_000_000 });
    let error: unknown;
    try {
      numbers.decode(bytes);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(MessageValidationError);
    expect((error as MessageValidationError).issueCount).toBe(1_000_000);
    expect((error as Error).message.length).toBeLessThan(4096);
  });

  it('records: round-trips with msgpackr records, each message self-contained', () => {
    const fast = createCodec(Chat, { records: true });
    const message = { from: 'a', text: 'b', at: 3 };
    const bytes = fast.encode(message);
    expect(bytes[0]).toBe(0xd4);
    expect(fast.decode(bytes)).toEqual(message);
    const list = createCodec(z.array(Chat), { records: true });
    expect(list.decode(list.encode([message, message]))).toEqual([message, message]);
    expect(createCodec(z.array(Chat), { records: true }).decode(list.encode([message]))).toEqual([message]);
  });

  it('rejects bad limits with an InvalidArgumentError', () => {
    expect(() => createCodec(Anything, { maxDepth: 0 })).toThrow(/maxDepth must be a positive integer/);
    expect(() => createCodec(Anything, { maxElements: 1.5 })).toThrow(/maxElements/);
    expect(() => createCodec(Anything, { maxDepth: MAX_DEPTH_LIMIT + 1 })).toThrow(
      /maxDepth must be at most 256; got 257/,
    );
  });

  it('decodes a message nested MAX_DEPTH_LIMIT deep through a recursive schema, refuses one deeper', () => {
    type Tree = number | Tree[];
    const Tree: z.ZodType<Tree> = z.lazy(() => z.union([z.number(), z.array(Tree)]));
    const trees = createCodec(Tree, { maxDepth: MAX_DEPTH_LIMIT });
    const nested = (levels: number) => {
      const bytes = new Uint8Array(levels + 1).fill(0x91);
      bytes[levels] = 0x01;
      return bytes;
    };
    let value: unknown = trees.decode(nested(MAX_DEPTH_LIMIT));
    for (let level = 0; level < MAX_DEPTH_LIMIT; level++) value = (value as unknown[])[0];
    expect(value).toBe(1);
    expect(() => trees.decode(nested(MAX_DEPTH_LIMIT + 1))).toThrow(MessageDecodeError);
  });

  it('turns an exception thrown by the schema into a typed error with the cause', () => {
    const overflow = new RangeError('Maximum call stack size exceeded');
    const Throwing = z.object({ text: z.string() }).refine(() => {
      throw overflow;
    });
    const throwing = createCodec(Throwing);
    const bytes = createCodec(z.object({ text: z.string() })).encode({ text: 'x' });
    let decodeFailure: unknown;
    try {
      throwing.decode(bytes);
    } catch (error) {
      decodeFailure = error;
    }
    expect(decodeFailure).toBeInstanceOf(MessageDecodeError);
    expect(decodeFailure).toMatchObject({ cause: overflow, message: /schema threw.*Maximum call stack/ });
    let encodeFailure: unknown;
    try {
      throwing.encode({ text: 'x' });
    } catch (error) {
      encodeFailure = error;
    }
    expect(encodeFailure).toBeInstanceOf(MessageValidationError);
    expect(encodeFailure).toMatchObject({ cause: overflow, issueCount: 1 });
  });
});

describe('createCodec interop options', () => {
  it("largeIntegers 'bigint' decodes integers beyond ±(2^53 - 1) as bigints, at ±2^53 too, keeping safe ones numbers", () => {
    const codec = createCodec(Anything, { largeIntegers: 'bigint' });
    // ±2^53 and 2^53 + 1 (which a double rounds to 2^53) take the exact path, next to safe 64-bit values.
    const edge = hex(
      '95 cf0020000000000000 cf0020000000000001 d3ffe0000000000000 cf0000010000000000 81a161cf001fffffffffffff',
    );
    expect(codec.decode(edge)).toStrictEqual([
      2n ** 53n,
      2n ** 53n + 1n,
      -(2n ** 53n),
      2 ** 40,
      { a: 2 ** 53 - 1 },
    ]);
    const maps = createCodec(Anything, { largeIntegers: 'bigint', maps: 'map' });
    expect(maps.decode(hex('81 cf0020000000000000 cf0000010000000000'))).toStrictEqual(
      new Map([[2n ** 53n, 2 ** 40]]),
    );
    expect(Buffer.from(codec.encode(codec.decode(edge))).equals(edge)).toBe(true);
  });

  it('encodes bigints in the smallest integer form, and refuses those beyond 64 bits', () => {
    const codec = createCodec(z.array(z.bigint()));
    expect(
      Buffer.from(codec.encode([5n, -1n, 2n ** 32n, -(2n ** 31n), 2n ** 64n - 1n])).toString('hex'),
    ).toBe('9505ffcf0000000100000000d280000000cfffffffffffffffff');
    expect(() => codec.encode([2n ** 64n])).toThrow(MessageEncodeError);
    expect(() => codec.encode([-(2n ** 63n) - 1n])).toThrow(/does not fit MessagePack's 64-bit integers/);
  });

  it.each(['__proto__', 'constructor', 'prototype'])(
    'encode refuses the key %s the receiving guard refuses',
    (key) => {
      const codec = createCodec(z.any());
      expect(() => codec.encode(JSON.parse(`{"ok": {"${key}": 1}}`))).toThrow(MessageEncodeError);
      expect(() => codec.encode(new Map([[key, 1]]))).toThrow(`Cannot encode the key "${key}"`);
    },
  );

  it("maps 'map' decodes every map as a Map, and still refuses container keys and forbidden keys", () => {
    const codec = createCodec(z.map(z.number(), z.map(z.string(), z.number())), { maps: 'map' });
    expect(codec.decode(hex('81 01 81 a161 02'))).toStrictEqual(new Map([[1, new Map([['a', 2]])]]));
    expect(() => codec.decode(hex('81 90 01'))).toThrow(/map key that is an array or a map/);
    expect(() => codec.decode(hex('81 a9 5f5f70726f746f5f5f 01'))).toThrow(/forbidden key "__proto__"/);
    expect(() => createCodec(Anything).decode(hex('81 c0 01'))).toThrow(
      /map key that is not a string or an integer/,
    );
  });

  it('hands bin values out as Buffers, also when the bytes given are a plain Uint8Array', () => {
    const codec = createCodec(Anything);
    const decoded = codec.decode(Uint8Array.from(hex('c4 03 010203')));
    expect(Buffer.isBuffer(decoded)).toBe(true);
    expect([...(decoded as Buffer)]).toEqual([1, 2, 3]);
  });

  it('refuses values plain MessagePack cannot carry with MessageEncodeError, sending nothing', () => {
    const codec = createCodec(Anything);
    class Point {
      x = 1;
    }
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    for (const [value, reason] of [
      [new Date(0), /Cannot encode a Date .*\(a date as a number or an ISO string\)/],
      [new Set([1]), /Cannot encode a Set/],
      [{ at: new Point() }, /Cannot encode a Point/],
      [[() => 1], /Cannot encode a function/],
      [Symbol('s'), /Cannot encode a symbol/],
      [cyclic, /nested deeper than maxDepth \(32\), or cyclic/],
    ] as const) {
      expect(() => codec.encode(value)).toThrow(MessageEncodeError);
      expect(() => codec.encode(value)).toThrow(reason);
    }
  });

  it('records: refuses what plain mode refuses, with the same errors, before msgpackr writes', () => {
    const plain = createCodec(Anything, { maxDepth: 3 });
    const records = createCodec(Anything, { records: true, maxDepth: 3 });
    const plainError = (value: unknown) => {
      try {
        plain.encode(value);
      } catch (error) {
        return (error as Error).message;
      }
      throw new Error('plain mode encoded it');
    };
    class Point {
      x = 1;
    }
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    for (const value of [
      new Date(0),
      { when: new Date(0) },
      [new Set([1])],
      new Map([['at', /x/]]),
      { at: new Point() },
      [() => 1],
      { id: Symbol('s') },
      cyclic,
      [[[[1]]]],
      JSON.parse('{"__proto__": 1}'),
      new Map([['constructor', 1]]),
      { big: 2n ** 64n },
      [-(2n ** 63n) - 1n],
    ]) {
      expect(() => records.encode(value)).toThrow(MessageEncodeError);
      expect(() => records.encode(value)).toThrow(plainError(value));
    }
    expect(records.decode(records.encode([[[1]]]))).toEqual([[[1]]]);
  });

  it('records: leaves undefined properties out, as plain mode does, so optional fields round-trip', () => {
    const Item = z.object({ a: z.string(), b: z.string().optional(), tags: z.array(z.number()).optional() });
    const records = createCodec(z.array(Item), { records: true });
    const items = [
      { a: 'x', b: undefined },
      { a: 'y', b: 'z', tags: [1] },
      { a: 'w', tags: undefined },
    ];
    expect(records.decode(records.encode(items))).toEqual([
      { a: 'x' },
      { a: 'y', b: 'z', tags: [1] },
      { a: 'w' },
    ]);
    // Nested, in a Map, and the caller's message left untouched.
    const anything = createCodec(Anything, { records: true, maps: 'map' });
    const nested = new Map([['k', [{ keep: 1, drop: undefined }]]]);
    expect(anything.decode(anything.encode(nested))).toEqual(new Map([['k', [{ keep: 1 }]]]));
    expect(nested.get('k')![0]).toHaveProperty('drop');
    // Undefined array items become nil, as in plain mode.
    expect(anything.decode(anything.encode([undefined, 1]))).toEqual([null, 1]);
  });

  it('records: a Map keyed by a whole number beyond 32 bits decodes (the key travels as int 64)', () => {
    const keyed = new Map([
      [2 ** 32, 'a'],
      [-(2 ** 40), 'b'],
      [2 ** 53 - 1, 'c'],
    ]);
    const bytes = createCodec(Anything, { records: true }).encode(keyed);
    expect(Buffer.from(bytes).includes(Buffer.from([0xd3, 0, 0, 0, 1, 0, 0, 0, 0]))).toBe(true);
    expect(createCodec(Anything, { records: true }).decode(bytes)).toEqual({
      4294967296: 'a',
      '-1099511627776': 'b',
      9007199254740991: 'c',
    });
    expect(createCodec(Anything, { records: true, maps: 'map' }).decode(bytes)).toEqual(keyed);
    // Values beyond 32 bits stay msgpackr's float 64 (read back unchanged); the caller's Map is untouched.
    const values = createCodec(Anything, { records: true });
    expect(values.decode(values.encode({ n: 2 ** 32 }))).toEqual({ n: 2 ** 32 });
    expect([...keyed.keys()]).toEqual([2 ** 32, -(2 ** 40), 2 ** 53 - 1]);
  });

  it('records: writes what plain mode writes for Map subclasses, null-prototype objects and NaN keys', () => {
    const plain = createCodec(Anything);
    const records = createCodec(Anything, { records: true });
    class Registry extends Map<string, number> {}
    const withToJSON = Object.assign(Object.create(null) as object, { toJSON: 'x', a: 1 });
    const hiddenToJSON = Object.defineProperty(
      Object.assign(Object.create(null) as object, { a: 1 }),
      'toJSON',
      {
        value: () => 'replaced',
      },
    );
    for (const value of [
      new Registry([['a', 1]]),
      { registry: new Registry([['b', 2]]) },
      withToJSON,
      { inner: hiddenToJSON },
    ]) {
      expect(records.decode(records.encode(value))).toEqual(plain.decode(plain.encode(value)));
    }
    expect(records.decode(records.encode(new Registry([['a', 1]])))).toEqual({ a: 1 });
    expect(records.decode(records.encode(hiddenToJSON))).toEqual({ a: 1 });
    // A change after a NaN key copies the map once: two entries, as plain mode writes.
    const nanFirst = new Map<unknown, unknown>([
      [Number.NaN, { gone: undefined }],
      [2 ** 32, 'x'],
    ]);
    const keyed = createCodec(Anything, { records: true, maps: 'map' });
    const bytes = keyed.encode(nanFirst);
    expect(bytes[0]).toBe(0x82);
    // Objects travel as records, which decode as objects even with maps: 'map'.
    expect(keyed.decode(bytes)).toEqual(
      new Map<unknown, unknown>([
        [Number.NaN, {}],
        [2 ** 32, 'x'],
      ]),
    );
  });

  it('records: any value ends as in plain mode (refused alike, or read back the same but for -0)', () => {
    const plain = createCodec(Anything, { maxDepth: 4 });
    const records = createCodec(Anything, { maxDepth: 4, records: true });
    const outcome = (codec: MessageCodec<unknown>, value: unknown) => {
      let bytes: Uint8Array;
      try {
        bytes = codec.encode(value);
      } catch (error) {
        return { encodeError: String(error) };
      }
      try {
        return { read: withoutNegativeZero(codec.decode(bytes)) };
      } catch (error) {
        return { decodeError: (error as Error).name };
      }
    };
    // Records write -0 as 0 (see the README).
    const withoutNegativeZero = (value: unknown): unknown => {
      if (Object.is(value, -0)) return 0;
      if (Array.isArray(value)) return value.map(withoutNegativeZero);
      if (typeof value !== 'object' || value === null || value instanceof Uint8Array) return value;
      return Object.fromEntries(
        Object.entries(value).map(([key, entry]) => [key, withoutNegativeZero(entry)]),
      );
    };
    const values = fc.anything({
      maxDepth: 5,
      withBigInt: true,
      withDate: true,
      withSet: true,
      withMap: true,
      withNullPrototype: true,
      withSparseArray: true,
      withBoxedValues: true,
      withTypedArray: true,
    });
    fc.assert(
      fc.property(values, (value) => {
        expect(outcome(records, value)).toEqual(outcome(plain, value));
      }),
      { numRuns: Math.ceil(numRuns / 10) },
    );
  });

  it('records: a value msgpackr cannot encode is a MessageEncodeError too', () => {
    const records = createCodec(Anything, { records: true });
    expect(() => records.encode({ big: 2n ** 64n })).toThrow(MessageEncodeError);
  });

  it('rejects unknown option values with an InvalidArgumentError', () => {
    expect(() => createCodec(Anything, { largeIntegers: 'string' as never })).toThrow(InvalidArgumentError);
    expect(() => createCodec(Anything, { largeIntegers: 'string' as never })).toThrow(
      /largeIntegers must be one of 'refuse', 'bigint', got "string"/,
    );
    expect(() => createCodec(Anything, { maps: 'record' as never })).toThrow(
      /maps must be one of 'object', 'map'/,
    );
  });
});

describe('createCodec refuses hostile MessagePack before msgpackr runs', () => {
  it('nesting 100,000 levels deep (msgpackr alone overflows the stack)', () => {
    const bytes = new Uint8Array(100_001).fill(0x91);
    bytes[100_000] = 0xc0;
    expect(() => new Unpackr({ useRecords: false }).unpack(bytes)).toThrow(RangeError);
    expect(decodeError(bytes).message).toMatch(/nesting deeper than 32/);
  });

  it('nesting at the limit is accepted, one deeper is refused', () => {
    const nested = (levels: number) => {
      const bytes = new Uint8Array(levels + 1).fill(0x91);
      bytes[levels] = 0x01;
      return bytes;
    };
    expect(createCodec(Anything, { maxDepth: 5 }).decode(nested(5))).toEqual([[[[[1]]]]]);
    expect(decodeError(nested(6), { maxDepth: 5 }).message).toMatch(/nesting deeper than 5/);
    expect(decodeError(hex('81 a1 61 81 a1 62 80'), { maxDepth: 2 }).message).toMatch(/nesting/);
  });

  it.each([
    ['Set', new Set([1])],
    ['RegExp', /a/g],
    ['Error', new Error('x')],
    ['typed array', new Uint16Array(2)],
    ['Date (timestamp extension)', new Date(0)],
    ['undefined', undefined],
  ])('msgpackr extension types: %s', (_name, value) => {
    expect(decodeError(hostile.pack(value)).message).toMatch(/extension type/);
  });

  it('record definitions and pointers in plain mode', () => {
    expect(decodeError(new Packr({ useRecords: true }).pack({ a: 1 })).message).toMatch(/extension type/);
    expect(decodeError(hex('d4 70 00')).message).toMatch(/extension type/);
    expect(decodeError(hex('c7 01 70 00')).message).toMatch(/extension type/);
  });

  it('byte 0xC1', () => {
    expect(decodeError(hex('91 c1')).message).toMatch(/0xC1/);
  });

  it.each(['__proto__', 'constructor', 'prototype'])('the key %s, even nested', (key) => {
    const bytes = new Packr({ useRecords: false }).pack({ ok: [{ [key]: { polluted: true } }] });
    expect(decodeError(bytes).message).toContain(`forbidden key "${key}"`);
  });

  it('__proto__ hidden in a record definition', () => {
    const bytes = hex(`d4 72 40 91 a9 ${Buffer.from('__proto__').toString('hex')} c3`);
    expect(decodeError(bytes, { records: true }).message).toContain('forbidden key "__proto__"');
  });

  it('map keys that are not strings or integers (arrays stringify to "__proto__")', () => {
    expect(decodeError(hex(`81 91 a9 ${Buffer.from('__proto__').toString('hex')} c3`)).message).toMatch(
      /map key/,
    );
    expect(decodeError(hex('81 c0 01')).message).toMatch(/map key/);
    expect(createCodec(Anything).decode(hex('81 01 a1 61'))).toEqual({ 1: 'a' });
  });

  it('more values than maxElements', () => {
    const bytes = new Packr({ useRecords: false }).pack(Array.from({ length: 11 }, () => 0));
    expect(decodeError(bytes, { maxElements: 11 }).message).toMatch(/more than 11 values/);
    expect(createCodec(Anything, { maxElements: 12 }).decode(bytes)).toHaveLength(11);
  });

  it('a count larger than the bytes left (allocation bomb)', () => {
    expect(decodeError(hex('dd ffffffff 00')).message).toMatch(/4294967295 values declared/);
    expect(decodeError(hex('c6 ffffffff 00')).message).toMatch(/bytes declared/);
  });

  it('trailing bytes after the value', () => {
    expect(decodeError(hex('01 02')).message).toMatch(/1 trailing bytes/);
  });

  it('truncated input', () => {
    expect(decodeError(hex('92 01')).message).toMatch(/2 values declared, 1 bytes left/);
    expect(decodeError(hex('a3 61 62')).message).toMatch(/3 bytes declared, 2 left/);
    expect(decodeError(new Uint8Array(0)).message).toMatch(/declared/);
  });

  it('64-bit integers that would lose precision, accepting the safe ones', () => {
    expect(decodeError(hex('cf 0020000000000000')).message).toMatch(/lose precision/);
    expect(decodeError(hex('d3 ffe0000000000000')).message).toMatch(/lose precision/);
    expect(createCodec(Anything).decode(hex('cf 001fffffffffffff'))).toBe(Number.MAX_SAFE_INTEGER);
    expect(createCodec(Anything).decode(hex('d3 ffe0000000000001'))).toBe(-Number.MAX_SAFE_INTEGER);
  });

  it('decodes invalid UTF-8 in a string to replacement characters rather than failing', () => {
    expect(createCodec(z.string()).decode(hex('a2 ff fe'))).toBe('\ufffd\ufffd');
  });
});

describe('codec properties', () => {
  // decode refuses the forbidden keys (tested above), so values holding them are left out here.
  const forbidden = /"(__proto__|constructor|prototype)":/;
  const json = fc.jsonValue({ maxDepth: 6 }).filter((value) => !forbidden.test(JSON.stringify(value)));

  it('plain mode round-trips arbitrary JSON-like values', () => {
    const codec = createCodec(z.json());
    fc.assert(
      fc.property(json, (value) => {
        // Strict: -0 stays -0, integers and floats keep their values exactly.
        expect(codec.decode(codec.encode(value as z.infer<ReturnType<typeof z.json>>))).toStrictEqual(value);
      }),
      { numRuns },
    );
  }, 60_000);

  it('records mode round-trips arrays of same-shaped objects', () => {
    const Item = z.object({ id: z.number(), name: z.string(), data: z.instanceof(Uint8Array) });
    const codec = createCodec(z.array(Item), { records: true });
    const items = fc.array(
      fc.record({ id: fc.integer(), name: fc.string(), data: fc.uint8Array({ maxLength: 16 }) }),
      {
        maxLength: 5,
      },
    );
    fc.assert(
      fc.property(items, (value) => {
        const decoded = codec.decode(codec.encode(value));
        expect(decoded.map((item) => ({ ...item, data: [...item.data] }))).toEqual(
          value.map((item) => ({ ...item, data: [...item.data] })),
        );
      }),
      { numRuns },
    );
  }, 60_000);

  it('never throws anything but MessageDecodeError or MessageValidationError on random bytes', () => {
    const codec = createCodec(z.object({ a: z.number() }));
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          codec.decode(bytes);
        } catch (error) {
          expect(error instanceof MessageDecodeError || error instanceof MessageValidationError).toBe(true);
        }
      }),
      { numRuns },
    );
  }, 60_000);
});
