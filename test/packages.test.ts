// Checks what npm would publish, not the workspace: each package is packed, linted by publint
// and attw, installed from its tarball into a clean project and loaded from plain Node.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishedPackages, repoRoot, run } from './workspace.ts';

const packages = publishedPackages();
const bin = (name: string) => join(repoRoot, 'node_modules', '.bin', name);
let scratch = '';
const tarballs = new Map<string, string>();
const packedFiles = new Map<string, string[]>();

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'sockkit-pack-'));
  for (const pkg of packages) {
    const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', scratch], { cwd: pkg.dir });
    const [packed] = JSON.parse(stdout) as [{ filename: string; files: { path: string }[] }];
    tarballs.set(pkg.manifest.name, join(scratch, packed.filename));
    packedFiles.set(
      pkg.manifest.name,
      packed.files.map((file) => file.path),
    );
  }
  const project = join(scratch, 'project');
  await run('mkdir', ['-p', project]);
  await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
  await run(
    'npm',
    ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', ...tarballs.values()],
    {
      cwd: project,
    },
  );
});

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe.each(packages.map((pkg) => [pkg.manifest.name, pkg] as const))('%s', (name, pkg) => {
  it('packs its LICENSE (MIT, as package.json says) and README', () => {
    expect(pkg.manifest).toMatchObject({ license: 'MIT' });
    expect(packedFiles.get(name)).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'dist/index.js']));
  });

  it('passes publint on the packed tarball', async () => {
    const { stdout } = await run(bin('publint'), [
      'run',
      tarballs.get(name)!,
      '--strict',
      '--level',
      'warning',
    ]);
    expect(stdout).toContain('All good');
  });

  it('passes attw on the packed tarball (ESM only)', async () => {
    await run(bin('attw'), [tarballs.get(name)!, '--profile', 'esm-only', '--format', 'ascii']);
  });

  it('installs from the tarball and loads with import and require, exporting what src exports', async () => {
    const project = join(scratch, 'project');
    const source = (await import(/* @vite-ignore */ join(pkg.dir, 'src', 'index.ts'))) as object;
    const expected = Object.keys(source).sort();
    expect(expected.length).toBeGreaterThan(0);
    const listExports = (loader: string) =>
      run(process.execPath, ['--no-warnings', '--input-type=module', '-e', loader], { cwd: project }).then(
        ({ stdout }) => JSON.parse(stdout) as string[],
      );
    const imported = await listExports(
      `const m = await import(${JSON.stringify(name)}); console.log(JSON.stringify(Object.keys(m).sort()))`,
    );
    const required = await listExports(
      `import { createRequire } from 'node:module'; const m = createRequire(process.cwd() + '/')(${JSON.stringify(name)}); console.log(JSON.stringify(Object.keys(m).filter((k) => k !== '__esModule' && k !== 'module.exports').sort()))`,
    );
    expect(imported).toEqual(expected);
    expect(required).toEqual(expected);
  });
});
