import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { bufferView } from '../src/buffer-view.ts';

describe('bufferView', () => {
  const chunk = Buffer.from('00112233445566778899', 'hex');

  it('makes a real Buffer that shares the chunk memory', () => {
    const view = bufferView(chunk, 2, 6) as Buffer;
    expect(Object.getPrototypeOf(view)).toBe(Object.getPrototypeOf(chunk.subarray(2, 6)));
    expect(Buffer.isBuffer(view)).toBe(true);
    expect(view).toBeInstanceOf(Buffer);
    expect(view.constructor).toBe(Buffer);
    expect(view.buffer).toBe(chunk.buffer);
    expect(view.byteOffset).toBe(chunk.byteOffset + 2);
    expect(view.toString('hex')).toBe('22334455');
    expect(view.equals(Buffer.from('22334455', 'hex'))).toBe(true);
    expect(inspect(view)).toBe('<Buffer 22 33 44 55>');
    expect(view).toEqual(Buffer.from('22334455', 'hex'));
    expect(view).toStrictEqual(Buffer.from('22334455', 'hex'));
    expect(view.readUInt16BE(1)).toBe(0x3344);
    const copy = Buffer.from(chunk);
    const written = bufferView(copy, 0, 2) as Buffer;
    written.writeUInt16BE(0xabcd, 0);
    expect(copy.subarray(0, 2).toString('hex')).toBe('abcd');
  });

  it('subarray and slice of a view are plain Buffers over the same memory', () => {
    const view = bufferView(chunk, 2, 6) as Buffer;
    for (const part of [view.subarray(1, 3), view.slice(1, 3)]) {
      expect(Object.getPrototypeOf(part)).toBe(Buffer.prototype);
      expect(part.toString('hex')).toBe('3344');
      expect(part.buffer).toBe(chunk.buffer);
    }
    expect(Buffer.isBuffer(bufferView(view, 1, 2))).toBe(true);
  });

  it('leaves a plain Uint8Array one', () => {
    const bytes = Uint8Array.of(1, 2, 3, 4);
    const view = bufferView(bytes, 1, 3);
    expect(Buffer.isBuffer(view)).toBe(false);
    expect(Object.getPrototypeOf(view)).toBe(Uint8Array.prototype);
    expect(view).toEqual(Uint8Array.of(2, 3));
    expect(view.buffer).toBe(bytes.buffer);
  });
});
