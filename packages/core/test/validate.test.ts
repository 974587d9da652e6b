import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../src/errors.ts';
import {
  checkBytes,
  checkDelay,
  checkIntegerIn,
  checkMethods,
  checkNumberIn,
  checkOneOf,
  checkOptionalDelay,
  checkOptions,
  checkPositiveInteger,
  checkSignal,
  checkTimeout,
  MAX_TIMEOUT,
} from '../src/validate.ts';

/** The InvalidArgumentError `run` throws, for its message and argument name. */
function refusal(run: () => unknown): InvalidArgumentError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidArgumentError);
    return error as InvalidArgumentError;
  }
  throw new Error('expected an InvalidArgumentError');
}

describe('validators', () => {
  it('checkTimeout takes 0..2^31-1 ms, Infinity and null (both: block), and refuses the rest', () => {
    expect(checkTimeout('t', 0)).toBe(0);
    expect(checkTimeout('t', MAX_TIMEOUT)).toBe(MAX_TIMEOUT);
    expect(checkTimeout('t', null)).toBeNull();
    expect(checkTimeout('t', Number.POSITIVE_INFINITY)).toBeNull();
    for (const bad of [-1, MAX_TIMEOUT + 1, Number.NaN, '5', undefined]) {
      expect(refusal(() => checkTimeout('options.timeout', bad)).message).toMatch(/options\.timeout/);
    }
  });

  it('checkDelay and checkOptionalDelay need a positive delay within the timer cap', () => {
    expect(checkDelay('d', 0.5)).toBe(0.5);
    for (const bad of [0, -1, MAX_TIMEOUT + 1, Number.NaN, null]) refusal(() => checkDelay('d', bad));
    expect(checkOptionalDelay('d', undefined, 30)).toBe(30);
    expect(checkOptionalDelay('d', null, 30)).toBeNull();
    expect(checkOptionalDelay('d', 7, 30)).toBe(7);
    refusal(() => checkOptionalDelay('d', 0, 30));
  });

  it('integer and number ranges are inclusive, and a non-number says what was expected', () => {
    expect(checkIntegerIn('n', 0, 0, 3)).toBe(0);
    expect(checkIntegerIn('n', 3, 0, 3)).toBe(3);
    for (const bad of [-1, 4, 1.5])
      expect(refusal(() => checkIntegerIn('n', bad, 0, 3)).message).toMatch(/0 to 3/);
    expect(refusal(() => checkIntegerIn('n', '1', 0, 3)).message).toMatch(/a number/);
    expect(checkPositiveInteger('n', 1)).toBe(1);
    refusal(() => checkPositiveInteger('n', 0));
    expect(checkNumberIn('x', 0.25, 0, 1)).toBe(0.25);
    refusal(() => checkNumberIn('x', Number.NaN, 0, 1));
  });

  it('checkOptions refuses an unknown key by name, and anything but a plain object', () => {
    expect(checkOptions<{ timeout?: number }>('options', undefined, ['timeout'])).toEqual({});
    const given = { timeout: 1 };
    expect(checkOptions('options', given, ['timeout'])).toBe(given);
    const typo = refusal(() => checkOptions('options', { timeOut: 1 } as never, ['timeout']));
    expect(typo.message).toMatch(/options\.timeOut/);
    expect(typo.message).toMatch(/timeout/);
    for (const bad of [null, [], 'x', 1]) refusal(() => checkOptions('options', bad as never, ['timeout']));
  });

  it('checkOneOf, checkBytes, checkSignal and checkMethods accept exactly what they name', () => {
    expect(checkOneOf('how', 'read', ['read', 'write'])).toBe('read');
    expect(refusal(() => checkOneOf('how', 'both', ['read', 'write'])).message).toMatch(/'read', 'write'/);
    const data = new Uint8Array(2);
    expect(checkBytes('data', data)).toBe(data);
    for (const bad of ['ab', [1, 2], new ArrayBuffer(2)]) refusal(() => checkBytes('data', bad));
    const controller = new AbortController();
    expect(checkSignal('signal', controller.signal)).toBe(controller.signal);
    expect(checkSignal('signal', undefined)).toBeUndefined();
    refusal(() => checkSignal('signal', {}));
    const codec = { encode() {}, decode() {} };
    expect(checkMethods('codec', codec, ['encode', 'decode'], 'a codec')).toBe(codec);
    refusal(() => checkMethods('codec', { encode() {} } as never, ['encode', 'decode'], 'a codec'));
  });
});
