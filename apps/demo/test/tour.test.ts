import { describe, expect, it } from 'vitest';
import { runCli } from './cli-process.ts';

describe('tour (npm start)', () => {
  it('runs every step on loopback and passes', async () => {
    const { code, stdout, stderr } = await runCli(['tour']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout.match(/^ {6}PASS: /gm)).toHaveLength(6);
    expect(stdout).not.toMatch(/FAIL/);
    expect(stdout).toMatch(/tour passed: 6 of 6 steps/);
  });
});
