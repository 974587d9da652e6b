import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createCodec } from '../src/codec.ts';
import { changeRows, typeRows } from './type-table.ts';

const hexOf = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/** First-column cells of the README table whose header starts with `heading`. */
function readmeColumn(heading: string): string[] {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const start = readme.indexOf(`| ${heading}`);
  expect(start, `README table "${heading}"`).toBeGreaterThanOrEqual(0);
  const lines = readme.slice(start).split('\n');
  const rows = lines.slice(
    2,
    lines.findIndex((line, index) => index > 0 && !line.startsWith('|')),
  );
  return rows.map((line) =>
    line
      .split(' | ')[0]!
      .replace(/^\|\s*/, '')
      .trim(),
  );
}

describe('the MessagePack type table', () => {
  it.each(typeRows.map((row) => [row.type, row] as const))(
    '%s: decodes and writes back the same bytes',
    (_, row) => {
      const codec = createCodec(z.unknown(), row.options);
      const decoded = codec.decode(Buffer.from(row.hex, 'hex'));
      expect(decoded).toStrictEqual(row.js);
      expect(hexOf(codec.encode(row.js))).toBe(row.hex);
    },
  );

  it('keeps the sign of -0 and tells integers from floats', () => {
    const codec = createCodec(z.unknown());
    expect(Object.is(codec.decode(codec.encode(-0)), -0)).toBe(true);
    expect(hexOf(codec.encode(0))).toBe('00');
  });

  it('has one README row per tested row, in the same order', () => {
    expect(readmeColumn('MessagePack (as Python writes it)')).toEqual(typeRows.map((row) => row.type));
  });
});

describe('what changes on the way', () => {
  it.each(changeRows.map((row) => [row.type, row] as const))('%s', (_, row) => {
    const codec = createCodec(z.unknown(), row.options);
    const decoded = codec.decode(Buffer.from(row.hex, 'hex'));
    expect(decoded).toStrictEqual(row.js);
    expect(hexOf(codec.encode(decoded))).toBe(row.back);
  });

  it('has one README row per tested row, in the same order', () => {
    expect(readmeColumn('received')).toEqual(changeRows.map((row) => row.type));
  });
});
