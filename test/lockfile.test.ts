// The committed lockfile must be the one npm writes: every installed entry pinned to a version and
// a tarball (resolved or integrity). Placeholder entries broke `npm install` and `npm ci` on a fresh
// clone once; this keeps them from coming back unnoticed.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './workspace.ts';

interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  link?: boolean;
  hasInstallScript?: boolean;
}

const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as {
  lockfileVersion: number;
  packages: Record<string, LockEntry>;
};
const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  allowScripts?: Record<string, boolean>;
};

describe('package-lock.json', () => {
  it('uses lockfile version 3', () => {
    expect(lock.lockfileVersion).toBe(3);
  });

  it('pins every installed package to a version and a tarball', () => {
    const installed = Object.entries(lock.packages).filter(
      ([path, entry]) => path.includes('node_modules/') && !entry.link,
    );
    expect(installed.length).toBeGreaterThan(50);
    const holes = installed
      .filter(([, entry]) => !(entry.version && (entry.resolved || entry.integrity)))
      .map(([path]) => path);
    expect(holes).toEqual([]);
  });

  it('records a decision for every dependency with an install script', () => {
    const withScripts = Object.entries(lock.packages)
      .filter(([path, entry]) => path.includes('node_modules/') && entry.hasInstallScript)
      .map(([path]) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length));
    const undecided = withScripts.filter((name) => !(name in (manifest.allowScripts ?? {})));
    expect(undecided).toEqual([]);
  });
});
