import { describe, expect, it } from 'vitest';
import { chunkAt, everyByte, randomCuts } from '../src/index.ts';

describe('chunkAt', () => {
  it('splits at the given offsets and rejoins to the input', () => {
    const data = Uint8Array.from([1, 2, 3, 4, 5]);
    const chunks = chunkAt(data, [3, 1, 1, 9]);
    expect(chunks.map((chunk) => [...chunk])).toEqual([[1], [2, 3], [4, 5]]);
    expect(everyByte(data)).toHaveLength(5);
    expect(randomCuts(10, 4, 7)).toEqual(randomCuts(10, 4, 7));
  });
});
