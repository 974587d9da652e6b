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

/** What semver makes of `version` under `bump` (no prereleases here). */
function bumped(version: string, bump: 'patch' | 'minor' | 'major'): string {
  const [major = 0, minor = 0, patch = 0] = version.split('.').map(Number);
  if (bump === 'major') return `${major + 1}.0.0`;
  if (bump === 'minor') return `${major}.${minor + 1}.0`;
  return `${major}.${minor}.${patch + 1}`;
}

describe('changesets release flow', () => {
  it('bumps a leaf package alone and leaves every other version untouched', async () => {
    const { before, after } = await versionWith({ '@sockkit/udp': 'minor' });
    for (const [name, manifest] of after) {
      if (name === '@sockkit/udp') expect(manifest.version).toBe(bumped(before.get(name).version, 'minor'));
      else expect(manifest.version).toBe(before.get(name).version);
    }
  });

  it('bumps core, moves the @sockkit/core range of every dependent and patches them', async () => {
    const { before, after } = await versionWith({ '@sockkit/core': 'minor' });
    const core = after.get('@sockkit/core');
    expect(core.version).toBe(bumped(before.get('@sockkit/core').version, 'minor'));
    const dependents = publishedPackages().filter((pkg) => pkg.manifest.dependencies?.['@sockkit/core']);
    expect(dependents.map((pkg) => pkg.manifest.name).sort()).toEqual(['@sockkit/framing', '@sockkit/udp']);
    for (const pkg of dependents) {
      const manifest = after.get(pkg.manifest.name);
      expect(manifest.dependencies['@sockkit/core']).toBe(`^${core.version}`);
      expect(manifest.version).toBe(bumped(before.get(pkg.manifest.name).version, 'patch'));
    }
  });

  it('never versions the private demo nor rewrites its workspace ranges', async () => {
    const { before, after } = await versionWith({ '@sockkit/core': 'major', '@sockkit/framing': 'minor' });
    const demoBefore = before.get('@sockkit/demo');
    const demoAfter = after.get('@sockkit/demo');
    expect(demoAfter.version).toBe(demoBefore.version);
    expect(demoAfter.dependencies).toEqual(demoBefore.dependencies);
    expect(after.get('@sockkit/core').version).toBe(bumped(before.get('@sockkit/core').version, 'major'));
  });
});
