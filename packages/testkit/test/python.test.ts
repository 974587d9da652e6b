import { afterEach, describe, expect, it, vi } from 'vitest';
import { pythonWith, requirePython, startPython } from '../src/index.ts';

class Skipped extends Error {}
const context = {
  skip: (note?: string): never => {
    throw new Skipped(note);
  },
};

describe('pythonWith / requirePython', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('finds a python3 for a standard module, and none for a module that does not exist', () => {
    expect(pythonWith('json')).toBe('python3');
    expect(pythonWith('sockkit_no_such_module')).toBeNull();
    expect(() => pythonWith('os; import sys')).toThrow(TypeError);
  });

  it('skips outside CI with how to install the module, and fails in CI', () => {
    vi.stubEnv('CI', '');
    expect(() => requirePython(context, 'sockkit_no_such_module')).toThrow(
      new Skipped(
        "needs Python's sockkit_no_such_module module; install it as root: apt-get update && apt-get install -y python3-sockkit_no_such_module",
      ),
    );
    vi.stubEnv('CI', 'true');
    expect(() => requirePython(context, 'sockkit_no_such_module', 'python3-nothing')).toThrow(
      /\.ci\/run should have installed it \(as root: apt-get update && apt-get install -y python3-nothing\)/,
    );
  });

  it('runs a script with the interpreter it found', async () => {
    const python = requirePython(context, 'json');
    await using peer = startPython('import json; print(json.dumps([1]))', [], { python });
    expect(await peer.nextLine()).toBe('[1]');
    expect(await peer.exited()).toBe(0);
  });
});
