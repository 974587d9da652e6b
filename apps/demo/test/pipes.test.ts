import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { CLI_PATH } from './cli-process.ts';

interface Ended {
  readonly status: number | null;
  readonly stderr: string;
}

/** Collects a child's stderr and resolves once it ends. */
function ended(child: ReturnType<typeof spawn>): Promise<Ended> {
  return new Promise((resolve, reject) => {
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (text: string) => {
      stderr += text;
    });
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stderr }));
  });
}

describe('output into a pipe whose reader is gone', () => {
  it.each(['sticky', 'typed', 'tour', 'udp-request'])(
    '%s exits 0 without a word when its stdout reader closed first',
    async (name) => {
      const child = spawn(process.execPath, [CLI_PATH, name], { stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.destroy(); // the read end closes before the CLI has written a byte: every write is EPIPE
      const { status, stderr } = await ended(child);
      expect(stderr).toBe('');
      expect(status).toBe(0);
    },
  );

  it('tour | head -1 prints one line, and the tour exits 0 without a word', async () => {
    // pipefail: the pipeline's status is the CLI's unless head fails.
    const pipeline = `set -o pipefail; "${process.execPath}" "${CLI_PATH}" tour | head -1`;
    const shell = spawn('bash', ['-c', pipeline], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    shell.stdout.setEncoding('utf8').on('data', (text: string) => {
      stdout += text;
    });
    const { status, stderr } = await ended(shell);
    expect(stdout).toMatch(/^sockkit tour: .*\n$/);
    expect(stderr).toBe('');
    expect(status).toBe(0);
  });
});
