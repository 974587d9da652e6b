import { expect } from 'vitest';

type ErrorClass = abstract new (...args: never[]) => Error;

/** What a hostile input must fail with: the class, its stable code, and the kind it belongs to. */
export interface ExpectedFailure {
  readonly type: ErrorClass;
  readonly code: string | number;
  /** A shared kind (`TimeoutError`, `ClosedError`) the error must also be. */
  readonly kind?: ErrorClass;
}

/** The error `run` throws or rejects with; a test failure if it succeeds. */
export async function failureOf(run: () => unknown): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure, got none');
}

/** Asserts the error's class, code and kind. */
export function expectTyped(error: unknown, { type, code, kind }: ExpectedFailure): void {
  expect(error).toBeInstanceOf(type);
  expect(error).toMatchObject({ code });
  if (kind !== undefined) expect(error).toBeInstanceOf(kind);
}
