/**
 * The README's MessagePack type table, as data: each row is a value written by Python's
 * `msgpack.packb`, the JavaScript value sockkit decodes it to, and the bytes, which sockkit writes
 * back identically. `type-table.test.ts` pins each row byte for byte (and the README's rows to
 * these), `python-msgpack.test.ts` checks each against a live Python msgpack both ways.
 */
import type { CodecOptions } from '../src/codec.ts';

export interface TypeRow {
  /** The row's first column in the README table, verbatim. */
  readonly type: string;
  /** A Python expression for the value (a list when the row has several cases). */
  readonly python: string;
  /** What sockkit decodes, and what it encodes to `hex`. */
  readonly js: unknown;
  /** What `msgpack.packb` writes, and what sockkit writes back. */
  readonly hex: string;
  readonly options?: CodecOptions;
}

const repeatHex = (byte: string, times: number) => byte.repeat(times);
const bytes = (hex: string) => Buffer.from(hex, 'hex');

export const typeRows: readonly TypeRow[] = [
  { type: 'nil', python: 'None', js: null, hex: 'c0' },
  { type: 'false, true', python: '[False, True]', js: [false, true], hex: '92c2c3' },
  { type: 'positive fixint', python: '[0, 1, 127]', js: [0, 1, 127], hex: '9300017f' },
  {
    type: 'uint 8, uint 16, uint 32',
    python: '[128, 255, 256, 65535, 65536, 2**32 - 1]',
    js: [128, 255, 256, 65535, 65536, 2 ** 32 - 1],
    hex: '96cc80ccffcd0100cdffffce00010000ceffffffff',
  },
  {
    type: 'uint 64 up to 2^53 - 1',
    python: '[2**32, 2**40, 2**53 - 1]',
    js: [2 ** 32, 2 ** 40, 2 ** 53 - 1],
    hex: '93cf0000000100000000cf0000010000000000cf001fffffffffffff',
  },
  {
    type: 'negative fixint, int 8, int 16, int 32',
    python: '[-1, -32, -33, -128, -129, -32768, -32769, -2**31]',
    js: [-1, -32, -33, -128, -129, -32768, -32769, -(2 ** 31)],
    hex: '98ffe0d0dfd080d1ff7fd18000d2ffff7fffd280000000',
  },
  {
    type: 'int 64 down to -(2^53 - 1)',
    python: '[-2**31 - 1, -(2**53 - 1)]',
    js: [-(2 ** 31) - 1, -(2 ** 53 - 1)],
    hex: '92d3ffffffff7fffffffd3ffe0000000000001',
  },
  {
    type: "uint 64, int 64 beyond ±(2^53 - 1), `largeIntegers: 'bigint'`",
    python: '[2**53 + 2, 2**63, 2**64 - 1, -2**53 - 2, -2**63, 2**53 - 1]',
    js: [2n ** 53n + 2n, 2n ** 63n, 2n ** 64n - 1n, -(2n ** 53n) - 2n, -(2n ** 63n), 2 ** 53 - 1],
    hex: '96cf0020000000000002cf8000000000000000cfffffffffffffffffd3ffdffffffffffffed38000000000000000cf001fffffffffffff',
    options: { largeIntegers: 'bigint' },
  },
  {
    type: 'float 64',
    python: '[1.5, -0.0, 0.1, 1e300, 2.0**60]',
    js: [1.5, -0, 0.1, 1e300, 2 ** 60],
    hex: '95cb3ff8000000000000cb8000000000000000cb3fb999999999999acb7e37e43c8800759ccb43b0000000000000',
  },
  {
    type: 'float 64 NaN, ±infinity',
    python: "[float('nan'), float('inf'), float('-inf')]",
    js: [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY],
    hex: '93cb7ff8000000000000cb7ff0000000000000cbfff0000000000000',
  },
  {
    type: 'fixstr, str 8, str 16, str 32',
    python: "['', 'hi', 'ü€😀', 'a' * 32, 'a' * 256, 'a' * 65536]",
    js: ['', 'hi', 'ü€😀', 'a'.repeat(32), 'a'.repeat(256), 'a'.repeat(65536)],
    hex: `96a0a26869a9c3bce282acf09f9880d920${repeatHex('61', 32)}da0100${repeatHex('61', 256)}db00010000${repeatHex('61', 65536)}`,
  },
  {
    type: 'bin 8, bin 16, bin 32',
    python: "[b'', b'\\x00\\xff', bytes(256), bytes(65536)]",
    js: [bytes(''), bytes('00ff'), Buffer.alloc(256), Buffer.alloc(65536)],
    hex: `94c400c40200ffc50100${repeatHex('00', 256)}c600010000${repeatHex('00', 65536)}`,
  },
  {
    type: 'fixarray, array 16, array 32',
    python: '[[], list(range(16)), [0] * 65536]',
    js: [[], Array.from({ length: 16 }, (_, index) => index), new Array(65536).fill(0)],
    hex: `9390dc0010000102030405060708090a0b0c0d0e0fdd00010000${repeatHex('00', 65536)}`,
    options: { maxElements: 70_000 },
  },
  {
    type: 'fixmap, map 16, map 32 with string keys',
    python:
      "[{'a': 1, 'b': [True, None]}, {'k%02d' % i: i for i in range(16)}, {'k%05d' % i: 0 for i in range(65536)}]",
    js: [
      { a: 1, b: [true, null] },
      Object.fromEntries(
        Array.from({ length: 16 }, (_, index) => [`k${String(index).padStart(2, '0')}`, index]),
      ),
      Object.fromEntries(
        Array.from({ length: 65536 }, (_, index) => [`k${String(index).padStart(5, '0')}`, 0]),
      ),
    ],
    hex: [
      '93',
      '82a16101a16292c3c0',
      'de0010',
      ...Array.from(
        { length: 16 },
        (_, index) =>
          `a36b${Buffer.from(String(index).padStart(2, '0')).toString('hex')}${index.toString(16).padStart(2, '0')}`,
      ),
      'df00010000',
      ...Array.from(
        { length: 65536 },
        (_, index) => `a66b${Buffer.from(String(index).padStart(5, '0')).toString('hex')}00`,
      ),
    ].join(''),
    options: { maxElements: 140_000 },
  },
  {
    type: "map with integer keys, `maps: 'map'`",
    python: "{1: 'a', -1: 'b', 2**40: 'c'}",
    js: new Map<number, string>([
      [1, 'a'],
      [-1, 'b'],
      [2 ** 40, 'c'],
    ]),
    hex: '8301a161ffa162cf0000010000000000a163',
    options: { maps: 'map' },
  },
  {
    type: "map with other scalar keys, `maps: 'map'`",
    python: "{None: 1, True: 2, 1.5: 3, b'k': 4}",
    js: new Map<unknown, number>([
      [null, 1],
      [true, 2],
      [1.5, 3],
      [bytes('6b'), 4],
    ]),
    hex: '84c001c302cb3ff800000000000003c4016b04',
    options: { maps: 'map' },
  },
  {
    type: 'nested',
    python: "{'user': {'id': 2**40, 'name': 'ana'}, 'scores': [1.5, -3], 'avatar': b'\\x89PNG'}",
    js: { user: { id: 2 ** 40, name: 'ana' }, scores: [1.5, -3], avatar: bytes('89504e47') },
    hex: '83a47573657282a26964cf0000010000000000a46e616d65a3616e61a673636f72657392cb3ff8000000000000fda6617661746172c40489504e47',
  },
];

/** A value that arrives other than it left: the README's "what changes on the way" table. */
export interface ChangeRow {
  /** The row's first column in the README table, verbatim. */
  readonly type: string;
  /** The bytes received. */
  readonly hex: string;
  /** A `msgpack.packb(...)` argument list that writes `hex`, where Python writes it at all. */
  readonly python?: string;
  /** What sockkit decodes. */
  readonly js: unknown;
  /** What sockkit writes for it. */
  readonly back: string;
  readonly options?: CodecOptions;
}

export const changeRows: readonly ChangeRow[] = [
  {
    type: 'float 64 holding a whole number',
    python: '[1.0, 4294967296.0]',
    hex: '92cb3ff0000000000000cb41f0000000000000',
    js: [1, 2 ** 32],
    back: '9201cf0000000100000000',
  },
  {
    type: 'float 32',
    python: '1.5, use_single_float=True',
    hex: 'ca3fc00000',
    js: 1.5,
    back: 'cb3ff8000000000000',
  },
  { type: 'integer in a wider form than needed', hex: 'd30000000000000005', js: 5, back: '05' },
  {
    type: 'map with integer keys',
    python: "{1: 'a', -1: 'b'}",
    hex: '8201a161ffa162',
    js: { '1': 'a', '-1': 'b' },
    back: '82a131a161a22d31a162',
  },
  {
    type: 'map with integer-like string keys',
    python: "{'b': 1, '1': 2}",
    hex: '82a16201a13102',
    js: { 1: 2, b: 1 },
    back: '82a13102a16201',
  },
];
