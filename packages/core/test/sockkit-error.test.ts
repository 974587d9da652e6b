import { describe, expect, it } from 'vitest';
import { SockkitError } from '../src/sockkit-error.ts';

function defineCopy() {
  // Two evaluations of the same class body, as two installed copies of a package would give.
  class ExampleError extends SockkitError {
    static override readonly brand: symbol = Symbol.for('@sockkit/test/ExampleError');
    override readonly name: string = 'ExampleError';
    readonly code = 'SOCKKIT_ERR_EXAMPLE';
  }
  class ChildError extends ExampleError {
    static override readonly brand: symbol = Symbol.for('@sockkit/test/ChildError');
    override readonly name: string = 'ChildError';
  }
  return { ExampleError, ChildError };
}

describe('SockkitError brands', () => {
  it('makes instanceof work across two copies of the same classes', () => {
    const one = defineCopy();
    const two = defineCopy();
    expect(one.ExampleError).not.toBe(two.ExampleError);
    const error = new one.ChildError('boom', { cause: new Error('root') });
    expect(error).toBeInstanceOf(two.ChildError);
    expect(error).toBeInstanceOf(two.ExampleError);
    expect(error).toBeInstanceOf(SockkitError);
    expect(error).toBeInstanceOf(Error);
    expect(new one.ExampleError('x')).not.toBeInstanceOf(two.ChildError);
    expect(error.cause).toBeInstanceOf(Error);
    expect(error.code).toBe('SOCKKIT_ERR_EXAMPLE');
    expect(error.name).toBe('ChildError');
  });

  it('refuses values that are not errors', () => {
    const { ExampleError } = defineCopy();
    expect((null as unknown as object) instanceof ExampleError).toBe(false);
    expect({} instanceof ExampleError).toBe(false);
    expect(new Error('plain') instanceof ExampleError).toBe(false);
  });
});
