import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Fifo } from '../src/fifo.ts';

describe('Fifo', () => {
  it('behaves as an array queue under any mix of pushes, shifts and drains', () => {
    const op = fc.oneof(
      fc.record({ push: fc.integer({ min: 1, max: 3000 }) }),
      fc.record({ shift: fc.integer({ min: 1, max: 3000 }) }),
      fc.constant({ drain: true }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 30 }), (ops) => {
        const fifo = new Fifo<number>();
        const model: number[] = [];
        let next = 0;
        for (const step of ops) {
          if ('push' in step) {
            for (let i = 0; i < step.push; i++) {
              fifo.push(next);
              model.push(next++);
            }
          } else if ('shift' in step) {
            // Collected and compared once per step: an expect() per item made this test take 20 s on a loaded machine.
            const shifted = Array.from({ length: step.shift }, () => fifo.shift());
            const expected = Array.from({ length: step.shift }, () => model.shift());
            expect(shifted).toEqual(expected);
          } else {
            expect(fifo.drain()).toEqual(model.splice(0));
          }
          expect(fifo.length).toBe(model.length);
        }
      }),
      { numRuns: 200 },
    );
  });
});
