const brandsKey = Symbol.for('@sockkit/error-brands');

type Branded = { readonly [brandsKey]?: ReadonlySet<symbol> };
type BrandedClass = { readonly brand?: symbol; readonly kinds?: readonly symbol[] };

/**
 * Base of every sockkit error, in every package.
 *
 * `instanceof` is decided by brands made with `Symbol.for`, not by prototype identity, so an
 * error thrown by one installed copy of a sockkit package is still `instanceof` the class of
 * another copy (independently versioned packages let an app load two). Each subclass declares
 * its own `static readonly brand = Symbol.for('@sockkit/<package>/<ClassName>')`; a class without
 * its own brand falls back to ordinary prototype checks.
 *
 * A class can also belong to a shared kind outside its prototype chain by listing that kind's
 * brand in `static readonly kinds`: `SocketTimeoutError` is a `SocketError` (as Python's
 * `TimeoutError` is an `OSError`) and also of the `TimeoutError` kind, so one `instanceof` catches
 * every timeout of every package.
 *
 * @example
 * ```ts
 * export class FrameTooLargeError extends SockkitError {
 *   static override readonly brand: symbol = Symbol.for('@sockkit/framing/FrameTooLargeError');
 *   override readonly name: string = 'FrameTooLargeError';
 *   readonly code = 'SOCKKIT_ERR_FRAME_TOO_LARGE' as const;
 * }
 * ```
 */
export abstract class SockkitError extends Error {
  static readonly brand: symbol = Symbol.for('@sockkit/core/SockkitError');
  /** A stable, literal identifier to program against; narrowed by each subclass. */
  abstract readonly code: string;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    const brands = new Set<symbol>();
    for (let klass: unknown = new.target; klass !== Error && typeof klass === 'function'; ) {
      const branded = klass as BrandedClass;
      if (Object.hasOwn(klass, 'brand')) brands.add(branded.brand!);
      if (Object.hasOwn(klass, 'kinds')) for (const kind of branded.kinds!) brands.add(kind);
      klass = Object.getPrototypeOf(klass);
    }
    Object.defineProperty(this, brandsKey, { value: brands });
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class on the right of `instanceof`, often a subclass.
    return isBrandedInstance(this, value);
  }
}

function isBrandedInstance(
  klass: (abstract new (...args: never[]) => unknown) & BrandedClass,
  value: unknown,
): boolean {
  if (Object.hasOwn(klass, 'brand') && typeof value === 'object' && value !== null) {
    const brands = (value as Branded)[brandsKey];
    if (brands instanceof Set) return brands.has(klass.brand!);
  }
  return Function.prototype[Symbol.hasInstance].call(klass, value);
}
