import { describe, expect, it } from 'vitest';
import { sizeArg, sizeText } from '../src/cli/args.ts';
import { didYouMean } from '../src/cli/suggest.ts';

describe('sizeArg', () => {
  const size = sizeArg(1, 1024 ** 4);

  it.each([
    ['65536', 65536],
    ['64KiB', 64 * 1024],
    ['64K', 64 * 1024],
    ['64k', 64 * 1024],
    ['16MiB', 16 * 1024 ** 2],
    ['1.5MiB', 1.5 * 1024 ** 2],
    ['4GiB', 4 * 1024 ** 3],
    ['4 GiB', 4 * 1024 ** 3],
    ['100B', 100],
  ])('reads %j as %d bytes', (text, bytes) => {
    expect(size.parse(text)).toBe(bytes);
  });

  it.each(['1KB', '1MB', 'lots', '-1', '', '1 2'])('refuses %j', (text) => {
    expect(size.safeParse(text).error?.issues[0]?.message).toMatch(
      /^must be a size such as 65536, 64KiB or 16MiB/,
    );
  });

  it('names the range in the units people read', () => {
    expect(sizeArg(1024, 1024 ** 3).safeParse('512').error?.issues[0]?.message).toBe(
      'must be between 1.0 KiB and 1.0 GiB',
    );
  });

  it.each([
    [1024 ** 2, '1MiB'],
    [4 * 1024 ** 3, '4GiB'],
    [1536, '1536'],
    [64 * 1024, '64KiB'],
  ])('writes %d back as %j, which it reads again', (bytes, text) => {
    expect(sizeText(bytes)).toBe(text);
    expect(size.parse(sizeText(bytes))).toBe(bytes);
  });
});

describe('didYouMean', () => {
  const commands = ['echo-server', 'echo-client', 'sticky', 'udp-chat'];

  it.each([
    ['ecko-server', "; did you mean 'echo-server'?"],
    ['stikcy', "; did you mean 'sticky'?"],
    ['echo', "; did you mean 'echo-server' or 'echo-client'?"],
    ['tour-de-france', ''],
  ])('%j -> %j', (word, suggestion) => {
    expect(didYouMean(word, commands)).toBe(suggestion);
  });
});
