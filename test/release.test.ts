// The release flow on a scratch copy of the workspace manifests: a changeset for one package
// bumps it, moves the ranges of its dependents as changesets does, and leaves the rest alone.
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { publishedPackages, repoRoot, run, workspacePackages } from './workspace.ts';

const changesetBin = join(repoRoot, 'node_modules', '.bin', 'changeset');
let scratch = '';

afterEach(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

async function scratchWorkspace(): Promise<string> {
  scratch = await mkdtemp(join(tmpdir(), 'sockkit-release-'));
  await cp(join(repoRoot, 'package.json'), join(scratch, 'package.json'));
  await cp(join(repoRoot, '.changeset', 'config.json'), join(scratch, '.changeset', 'config.json'));
  for (const pkg of workspacePackages()) {
    const dir = join(scratch, relative(repoRoot, pkg.dir));
    await mkdir(dir, { recursive: true });
    await cp(join(pkg.dir, 'package.json'), join(dir, 'package.json'));
  }
  const git = (...args: string[]) => run('git', args, { cwd: scratch });
  await git('init', '-q', '-b', 'main');
  await git('-c', 'user.name=t', '-c', 'user.email=t@example.invalid', 'add', '.');
  await git('-c', 'user.name=t', '-c', 'user.email=t@example.invalid', 'commit', '-qm', 'base');
  return scratch;
}

async function manifests(root: string) {
  const entries = await Promise.all(
    workspacePackages().map(async (pkg) => {
      const text = await readFile(join(root, relative(repoRoot, pkg.dir), 'package.json'), 'utf8');
      return [pkg.manifest.name, JSON.parse(text)] as const;
    }),
  );
  return new Map(entries);
}

async function versionWith(bumps: Record<string, 'patch' | 'minor' | 'major'>) {
  const root = await scratchWorkspace();
  const front = Object.entries(bumps)
    .map(([name, bump]) => `"${name}": ${bump}`)
    .join('\n');
  await writeFile(join(root, '.changeset', 'test-change.md'), `---\n${front}\n---\n\nA test change.\n`);
  const status = await run(changesetBin, ['status'], { cwd: root });
  expect(status.stdout + status.stderr).toMatch(/minor|patch|major/);
  await run(changesetBin, ['version'], { cwd: root });
  return { before: await manifestsOfRepo(), after: await manifests(root) };
}

const manifestsOfRepo = () => manifests(repoRoot);

describe('changesets release flow', () => {
  it('bumps a leaf package alone and leaves every other version untouched', async () => {
    const { before, after } = await versionWith({ '@sockkit/udp': 'minor' });
    for (const [name, manifest] of after) {
      if (name === '@sockkit/udp') expect(manifest.version).not.toBe(before.get(name).version);
      else expect(manifest.version).toBe(before.get(name).version);
    }
  });

  it('bumps core and moves the @sockkit/core range of every published dependent', async () => {
    const { before, after } = await versionWith({ '@sockkit/core': 'minor' });
    const core = after.get('@sockkit/core');
    expect(core.version).not.toBe(before.get('@sockkit/core').version);
    for (const pkg of publishedPackages()) {
      const range = after.get(pkg.manifest.name).dependencies?.['@sockkit/core'];
      if (range) expect(range).toBe(`^${core.version}`);
    }
  });

  it('never versions the private demo', async () => {
    const { before, after } = await versionWith({ '@sockkit/core': 'major' });
    expect(after.get('@sockkit/demo').version).toBe(before.get('@sockkit/demo').version);
  });
});
