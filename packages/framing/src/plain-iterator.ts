/** The result that ends an iteration. */
export const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/**
 * An `AsyncGenerator`-shaped iterator made of a `next` and a `close` (run by `return`, `throw` and
 * `Symbol.asyncDispose`). A plain object instead of an `async *` generator, whose every step costs
 * a generator resumption and several promises: that cost dominates small messages.
 */
export function iteratorOf<T>(
  next: () => Promise<IteratorResult<T, void>>,
  close: () => void | Promise<void>,
): AsyncGenerator<T, void, undefined> {
  const iterator: AsyncGenerator<T, void, undefined> = {
    next,
    async return() {
      await close();
      return DONE;
    },
    async throw(error: unknown) {
      await close();
      throw error;
    },
    [Symbol.asyncIterator]: () => iterator,
    async [Symbol.asyncDispose]() {
      await close();
    },
  };
  return iterator;
}
