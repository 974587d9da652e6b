import { constants } from 'node:os';
import { describe, expect, it } from 'vitest';
import {
  AddressInUseError,
  BlockingIOError,
  BrokenPipeError,
  ConnectionRefusedError,
  ConnectionResetError,
  InvalidArgumentError,
  SocketClosedError,
  SocketError,
  SocketTimeoutError,
  SockkitError,
  toSocketError,
  UnsupportedError,
} from '../src/index.ts';

const { errno } = constants;

describe('error classes', () => {
  const table = [
    {
      make: () => new SocketError('EHOSTUNREACH'),
      name: 'SocketError',
      code: 'EHOSTUNREACH',
      errno: errno.EHOSTUNREACH,
      message: /EHOSTUNREACH/,
    },
    {
      make: () => new SocketTimeoutError(),
      name: 'SocketTimeoutError',
      code: 'ETIMEDOUT',
      errno: errno.ETIMEDOUT,
      message: /timed out/,
    },
    {
      make: () => new BlockingIOError(),
      name: 'BlockingIOError',
      code: 'EAGAIN',
      errno: errno.EAGAIN,
      message: /would block/,
    },
    {
      make: () => new ConnectionRefusedError(),
      name: 'ConnectionRefusedError',
      code: 'ECONNREFUSED',
      errno: errno.ECONNREFUSED,
      message: /refused/,
    },
    {
      make: () => new ConnectionResetError(),
      name: 'ConnectionResetError',
      code: 'ECONNRESET',
      errno: errno.ECONNRESET,
      message: /reset/,
    },
    {
      make: () => new BrokenPipeError(),
      name: 'BrokenPipeError',
      code: 'EPIPE',
      errno: errno.EPIPE,
      message: /broken pipe/,
    },
    {
      make: () => new AddressInUseError(),
      name: 'AddressInUseError',
      code: 'EADDRINUSE',
      errno: errno.EADDRINUSE,
      message: /in use/,
    },
    {
      make: () => new SocketClosedError(),
      name: 'SocketClosedError',
      code: 'EBADF',
      errno: errno.EBADF,
      message: /closed/,
    },
    {
      make: () => new UnsupportedError(),
      name: 'UnsupportedError',
      code: 'SOCKKIT_ERR_UNSUPPORTED',
      errno: errno.EOPNOTSUPP,
      message: /not supported/,
    },
  ];

  it.each(table)('$name has its name, literal code, positive errno and a default message', (row) => {
    const error = row.make();
    expect(error.name).toBe(row.name);
    expect(error.code).toBe(row.code);
    expect(error.errno).toBe(row.errno);
    expect(error.errno).toBeGreaterThan(0);
    expect(error.message).toMatch(row.message);
    expect(error).toBeInstanceOf(SocketError);
    expect(error).toBeInstanceOf(SockkitError);
    expect(error).toBeInstanceOf(Error);
  });

  it('keeps the cause and counts bytes a timed-out send already handed over', () => {
    const cause = new Error('root');
    const error = new SocketTimeoutError('sendAll timed out', { cause, bytesSent: 42 });
    expect(error.cause).toBe(cause);
    expect(error.bytesSent).toBe(42);
  });

  it('brands survive a second copy of the module (Symbol.for)', () => {
    const foreign = Object.create(null) as object;
    expect(foreign instanceof ConnectionResetError).toBe(false);
    expect(new ConnectionResetError() instanceof ConnectionRefusedError).toBe(false);
  });
});

describe('toSocketError', () => {
  const nodeError = (code: string, nodeErrno?: number) =>
    Object.assign(new Error(`connect ${code} 127.0.0.1:1`), { code, errno: nodeErrno });

  it.each([
    ['ECONNREFUSED', ConnectionRefusedError],
    ['ECONNRESET', ConnectionResetError],
    ['EPIPE', BrokenPipeError],
    ['ERR_STREAM_WRITE_AFTER_END', BrokenPipeError],
    ['EADDRINUSE', AddressInUseError],
    ['ETIMEDOUT', SocketTimeoutError],
    ['EAGAIN', BlockingIOError],
    ['ERR_SOCKET_CLOSED', SocketClosedError],
  ] as const)('maps %s to %o with the Node error as cause', (code, Class) => {
    const original = nodeError(code);
    const mapped = toSocketError(original);
    expect(mapped).toBeInstanceOf(Class);
    expect((mapped as Error).cause).toBe(original);
  });

  it('maps other errno codes to a SocketError with the positive errno', () => {
    const mapped = toSocketError(nodeError('EHOSTUNREACH', -113)) as SocketError;
    expect(mapped.constructor).toBe(SocketError);
    expect(mapped.code).toBe('EHOSTUNREACH');
    expect(mapped.errno).toBe(errno.EHOSTUNREACH);
  });

  it('passes programming errors and sockkit errors through', () => {
    const typeError = new TypeError('bad');
    expect(toSocketError(typeError)).toBe(typeError);
    const closed = new SocketClosedError();
    expect(toSocketError(closed)).toBe(closed);
  });

  it('wraps every Node.js ERR_* error: bad arguments as InvalidArgumentError, the rest as a SocketError', () => {
    const invalid = Object.assign(
      new TypeError('The "size" argument must be of type number. Received type string (\'1\')'),
      { code: 'ERR_INVALID_ARG_TYPE' },
    );
    const wrapped = toSocketError(invalid);
    expect(wrapped).toBeInstanceOf(InvalidArgumentError);
    expect(wrapped).toMatchObject({ code: 'SOCKKIT_ERR_INVALID_ARGUMENT', argument: 'size', cause: invalid });
    const bufferSize = Object.assign(new Error('Could not get or set buffer size'), {
      code: 'ERR_SOCKET_BUFFER_SIZE',
      info: { code: 'EBADF' },
    });
    expect(toSocketError(bufferSize)).toMatchObject({ name: 'SocketClosedError', code: 'EBADF' });
    const connected = Object.assign(new Error('Already connected'), {
      code: 'ERR_SOCKET_DGRAM_IS_CONNECTED',
    });
    expect(toSocketError(connected)).toMatchObject({
      name: 'SocketError',
      code: 'EISCONN',
      cause: connected,
    });
    const other = Object.assign(new Error('odd'), { code: 'ERR_SOMETHING_NEW' });
    expect(toSocketError(other)).toMatchObject({ name: 'SocketError', code: 'EINVAL', errno: errno.EINVAL });
  });
});
