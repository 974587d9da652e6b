import { describe, expect, it } from 'vitest';
import {
  BlockingIOError,
  ClosedError,
  InvalidArgumentError,
  InvalidStateError,
  SocketClosedError,
  SocketError,
  SocketTimeoutError,
  TimeoutError,
} from '../src/index.ts';
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

describe('shared kinds', () => {
  function defineKindCopy() {
    // A kind and a class that belongs to it through `kinds`, outside its prototype chain, as
    // SocketTimeoutError belongs to TimeoutError: evaluated twice, as two installed copies would be.
    abstract class KindError extends SockkitError {
      static override readonly brand: symbol = Symbol.for('@sockkit/test/KindError');
    }
    class BaseError extends SockkitError {
      static override readonly brand: symbol = Symbol.for('@sockkit/test/BaseError');
      override readonly name: string = 'BaseError';
      readonly code = 'SOCKKIT_ERR_BASE';
    }
    class MemberError extends BaseError {
      static override readonly brand: symbol = Symbol.for('@sockkit/test/MemberError');
      static readonly kinds: readonly symbol[] = [KindError.brand];
    }
    return { KindError, BaseError, MemberError };
  }

  it('makes a class an instance of a kind outside its prototype chain, across two copies', () => {
    const one = defineKindCopy();
    const two = defineKindCopy();
    const member = new one.MemberError('x');
    expect(member).toBeInstanceOf(two.KindError);
    expect(member).toBeInstanceOf(two.BaseError);
    expect(member).toBeInstanceOf(two.MemberError);
    expect(new one.BaseError('x')).not.toBeInstanceOf(two.KindError);
  });
});

describe('core kinds', () => {
  it('SocketTimeoutError is a SocketError and a TimeoutError; SocketClosedError a SocketError and a ClosedError', () => {
    expect(new SocketTimeoutError()).toBeInstanceOf(SocketError);
    expect(new SocketTimeoutError()).toBeInstanceOf(TimeoutError);
    expect(new SocketTimeoutError()).not.toBeInstanceOf(ClosedError);
    expect(new SocketClosedError()).toBeInstanceOf(SocketError);
    expect(new SocketClosedError()).toBeInstanceOf(ClosedError);
    expect(new SocketClosedError()).not.toBeInstanceOf(TimeoutError);
    expect(new BlockingIOError()).not.toBeInstanceOf(TimeoutError);
  });

  it('InvalidArgumentError names the argument, what it must be and a short form of the value', () => {
    const error = new InvalidArgumentError('options.timeout', 'a number', 'x'.repeat(1000));
    expect(error).toMatchObject({
      name: 'InvalidArgumentError',
      code: 'SOCKKIT_ERR_INVALID_ARGUMENT',
      argument: 'options.timeout',
      expected: 'a number',
    });
    expect(error.received.length).toBeLessThan(100);
    expect(error.message).toMatch(/^options\.timeout must be a number, got "x+"\.\.\. \(1000 characters\)$/);
    expect(new InvalidArgumentError('data', 'bytes', new Uint16Array(3)).received).toBe(
      'Uint16Array(6 bytes)',
    );
    expect(new InvalidStateError('busy')).toMatchObject({
      name: 'InvalidStateError',
      code: 'SOCKKIT_ERR_INVALID_STATE',
    });
  });
});
