// docs/errors.md is the one table of every error: each error class a package exports is in it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { publishedPackages, repoRoot } from './workspace.ts';

const table = readFileSync(join(repoRoot, 'docs', 'errors.md'), 'utf8');

describe('docs/errors.md', () => {
  it.each(publishedPackages().map((pkg) => [pkg.manifest.name, pkg.dir] as const))(
    'lists every error class %s exports',
    async (_name, dir) => {
      const exports = (await import(/* @vite-ignore */ join(dir, 'src', 'index.ts'))) as Record<
        string,
        unknown
      >;
      const errors = Object.entries(exports)
        .filter(([, value]) => typeof value === 'function' && value.prototype instanceof Error)
        .map(([name]) => name);
      expect(errors.length).toBeGreaterThan(3);
      expect(errors.filter((name) => !table.includes(`\`${name}\``))).toEqual([]);
    },
  );
});
