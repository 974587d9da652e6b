import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IntegerMap, SlotIndex } from '../src/integer-map.ts';

describe('IntegerMap', () => {
  it('behaves as a Map under any mix of sets, deletes and lookups, through growth and collisions', () => {
    const key = fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 2 ** 31 - 1 }));
    const op = fc.oneof(
      fc.record({ set: key, value: fc.integer() }),
      fc.record({ delete: key }),
      fc.record({ get: key }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
        const map = new IntegerMap<number>(4);
        const model = new Map<number, number>();
        const results: unknown[] = [];
        const expected: unknown[] = [];
        for (const step of ops) {
          if ('set' in step) {
            map.set(step.set, step.value);
            model.set(step.set, step.value);
          } else if ('delete' in step) {
            results.push(map.delete(step.delete));
            expected.push(model.delete(step.delete));
          } else {
            results.push(map.get(step.get), map.has(step.get));
            expected.push(model.get(step.get), model.has(step.get));
          }
        }
        expect(results).toEqual(expected);
        expect(map.size).toBe(model.size);
        expect(map.values().sort()).toEqual([...model.values()].sort());
      }),
      { numRuns: 300 },
    );
  });

  it('forgets everything on clear', () => {
    const map = new IntegerMap<string>();
    for (let key = 0; key < 100; key++) map.set(key * 7919, `v${key}`);
    map.clear();
    expect([map.size, map.get(7919), map.values()]).toEqual([0, undefined, []]);
  });
});

describe('SlotIndex', () => {
  it('keeps small integer keys and any other keys apart, each found again', () => {
    const index = new SlotIndex<string | number>(8);
    index.set(7, 1);
    index.set('7', 2);
    index.set(-1, 3);
    index.set(1.5, 4);
    expect([index.get(7), index.get('7'), index.get(-1), index.get(1.5), index.size]).toEqual([
      1, 2, 3, 4, 4,
    ]);
    index.delete(7);
    expect([index.has(7), index.has('7'), index.size]).toEqual([false, true, 3]);
  });
});
