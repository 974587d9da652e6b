// The release flow end to end against a real registry (Verdaccio on loopback): on a scratch copy
// of the repository, `changeset version` then `npm run release` (build + changeset publish); a
// clean project installs @sockkit/udp from that registry and runs a program using all three
// packages. Then a changeset for one package republishes only what changesets bumped.
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRegistry, startRegistry } from './registry.ts';
import { publishedPackages, repoRoot, run, workspacePackages } from './workspace.ts';

const published = publishedPackages().map((pkg) => pkg.manifest.name);
const unpublished = workspacePackages()
  .filter((pkg) => pkg.manifest.private === true)
  .map((pkg) => pkg.manifest.name);

let scratch = '';
let registry: LocalRegistry | undefined;
let repo = '';
let env: NodeJS.ProcessEnv = {};

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'sockkit-publish-'));
  await mkdir(join(scratch, 'registry'));
  registry = await startRegistry(join(scratch, 'registry'));
  repo = await copyRepository(join(scratch, 'repo'));
  const npmrc = join(scratch, 'npmrc');
  const host = registry.url.replace(/^http:/, '');
  await writeFile(npmrc, `registry=${registry.url}\n${host}:_authToken=${registry.token}\n`);
  // Only this registry, whatever the machine's npm config says; no provenance outside CI.
  env = { ...process.env, npm_config_userconfig: npmrc, npm_config_registry: registry.url };
  env.npm_config_provenance = 'false';
  await publishThirdParty();
});

/**
 * What a consumer of @sockkit/* installs besides them (msgpackr, and zod as framing's peer),
 * packed from this workspace's node_modules into the local registry, so no install in this test
 * leaves loopback. msgpackr's native extension is optional and left out (`--omit=optional`).
 */
async function publishThirdParty(): Promise<void> {
  for (const name of ['msgpackr', 'zod']) {
    const dir = join(repoRoot, 'node_modules', name);
    const { stdout } = await run(
      'npm',
      ['pack', '--ignore-scripts', '--json', '--pack-destination', scratch, dir],
      {
        cwd: scratch,
        env,
      },
    );
    const [packed] = JSON.parse(stdout) as [{ filename: string }];
    await run('npm', ['publish', '--ignore-scripts', join(scratch, packed.filename)], { cwd: scratch, env });
  }
}

afterAll(async () => {
  await registry?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** The repository's own files, as a fresh clone has them, with the workspace's node_modules. */
async function copyRepository(target: string): Promise<string> {
  const { stdout } = await run('git', ['ls-files', '-co', '--exclude-standard'], { cwd: repoRoot });
  for (const file of stdout.split('\n').filter(Boolean)) {
    await cp(join(repoRoot, file), join(target, file), { recursive: true }).catch(
      (error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error; // deleted but not yet committed
      },
    );
  }
  await symlink(join(repoRoot, 'node_modules'), join(target, 'node_modules'), 'dir');
  const git = (...args: string[]) =>
    run('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', ...args], { cwd: target });
  await git('init', '-q', '-b', 'main');
  await git('add', '.');
  await git('commit', '-qm', 'scratch copy');
  return target;
}

async function versions(): Promise<Map<string, string>> {
  const entries = await Promise.all(
    workspacePackages().map(async (pkg) => {
      const file = join(repo, relative(repoRoot, pkg.dir), 'package.json');
      return [
        pkg.manifest.name,
        (JSON.parse(await readFile(file, 'utf8')) as { version: string }).version,
      ] as const;
    }),
  );
  return new Map(entries);
}

async function publishedVersions(name: string): Promise<string[]> {
  const doc = await registry!.packument(name);
  return doc ? Object.keys(doc.versions).sort() : [];
}

const userFiles = ['LICENSE', 'README.md', 'CHANGELOG.md', 'package.json'];

describe('the release flow against a registry on loopback', () => {
  it('versions with changesets, then packs only what a user needs', async () => {
    await run('npx', ['changeset', 'version'], { cwd: repo, env });
    await run('node', ['scripts/turbo.mjs', 'run', 'build', '--filter=./packages/*'], { cwd: repo, env });
    for (const pkg of publishedPackages()) {
      const dir = join(repo, relative(repoRoot, pkg.dir));
      const { stdout } = await run('npm', ['publish', '--dry-run', '--json'], { cwd: dir, env });
      const report = (JSON.parse(stdout) as Record<string, { files: { path: string }[] }>)[
        pkg.manifest.name
      ]!;
      const files = report.files.map((file) => file.path);
      expect(files).toEqual(expect.arrayContaining([...userFiles, 'dist/index.js', 'dist/index.d.ts']));
      // src/ ships too: the declaration and source maps point into it (go to definition lands in
      // real code), and the @sockkit/source export condition names it.
      expect(files.filter((file) => !/^(dist|src)\//.test(file) && !userFiles.includes(file))).toEqual([]);
      expect(files.filter((file) => /(^|\/)(test|bench)\/|\.test\.|\.tsbuildinfo$/.test(file))).toEqual([]);
    }
  });

  it('publishes every public package at its new version, and no private one', async () => {
    await run('npm', ['run', 'release'], { cwd: repo, env, maxBuffer: 64 << 20 });
    const now = await versions();
    for (const name of published) expect(await publishedVersions(name)).toEqual([now.get(name)]);
    for (const name of unpublished) expect(await registry!.packument(name)).toBeUndefined();
  });

  it('installs @sockkit/udp from that registry into a clean project, which runs on all three', async () => {
    const project = join(scratch, 'consumer');
    const installed = await installFromRegistry(project);
    const now = await versions();
    for (const name of published) expect(installed.get(name)).toBe(now.get(name));
    await writeFile(join(project, 'main.js'), consumerProgram);
    const { stdout } = await run(process.execPath, ['main.js'], { cwd: project, timeout: 20_000 });
    expect(stdout.trim()).toBe('core: PING | framing: hi | udp: 42');
  });

  it('republishes only the packages a one-package changeset bumps', async () => {
    const before = await versions();
    await writeFile(
      join(repo, '.changeset', 'framing-fix.md'),
      '---\n"@sockkit/framing": patch\n---\n\nA framing fix.\n',
    );
    await run('npx', ['changeset', 'version'], { cwd: repo, env });
    const after = await versions();
    const bumped = [...after].filter(([name, version]) => before.get(name) !== version).map(([name]) => name);
    expect(bumped).toContain('@sockkit/framing');
    expect(bumped).not.toContain('@sockkit/core');
    await run('npm', ['run', 'release'], { cwd: repo, env, maxBuffer: 64 << 20 });
    for (const name of published) {
      const expected = bumped.includes(name) ? [before.get(name), after.get(name)] : [before.get(name)];
      expect(await publishedVersions(name)).toEqual(expected.sort());
    }
    for (const name of unpublished) expect(await registry!.packument(name)).toBeUndefined();
    // A fresh install of @sockkit/udp now gets the fixed framing, whether or not udp itself moved.
    const project = join(scratch, 'consumer-after-fix');
    const installed = await installFromRegistry(project);
    expect(installed.get('@sockkit/framing')).toBe(after.get('@sockkit/framing'));
    expect(installed.get('@sockkit/udp')).toBe(after.get('@sockkit/udp'));
  });
});

/**
 * `npm install @sockkit/udp` in a new project whose npmrc takes every package from the local
 * registry. Returns the installed versions, each checked to be the very tarball it holds.
 */
async function installFromRegistry(project: string): Promise<Map<string, string>> {
  await mkdir(project);
  const manifest = { name: 'consumer', private: true, type: 'module' };
  await writeFile(join(project, 'package.json'), JSON.stringify(manifest));
  await writeFile(join(project, '.npmrc'), `registry=${registry!.url}\n`);
  await run('npm', ['install', '--omit=optional', '--no-audit', '--no-fund', '@sockkit/udp'], {
    cwd: project,
    env: { ...process.env, npm_config_userconfig: join(project, '.npmrc') },
  });
  const lock = JSON.parse(await readFile(join(project, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version: string; integrity: string }>;
  };
  const installed = new Map<string, string>();
  for (const name of published) {
    const entry = lock.packages[`node_modules/${name}`]!;
    const doc = (await registry!.packument(name))!;
    expect(entry.integrity).toBe(doc.versions[entry.version]!.dist.integrity);
    installed.set(name, entry.version);
  }
  return installed;
}

/** A user's program: a core echo, a framed typed round trip and a udp request, on loopback. */
const consumerProgram = `
import { createConnection, createServer } from '@sockkit/core';
import { createCodec, framed } from '@sockkit/framing';
import { udpEndpoint } from '@sockkit/udp';
import { z } from 'zod';

const upper = await createServer({ host: '127.0.0.1', port: 0 }, async (conn) => {
  for await (const chunk of conn) await conn.sendAll(Buffer.from(chunk.toString().toUpperCase()));
});
const conn = await createConnection(upper.address, { timeout: 5000 });
await conn.sendAll(Buffer.from('ping'));
const core = Buffer.from(await conn.recv(1024)).toString();
await conn.close();
await upper.close();

const codec = createCodec(z.object({ text: z.string() }));
const echo = await createServer({ host: '127.0.0.1', port: 0 }, async (socket) => {
  const channel = framed(socket, { codec });
  for await (const message of channel) await channel.send(message);
});
const channel = framed(await createConnection(echo.address, { timeout: 5000 }), { codec });
await channel.send({ text: 'hi' });
const iterator = channel[Symbol.asyncIterator]();
const framedReply = (await iterator.next()).value;
await channel.close();
await echo.close();

const numbers = createCodec(z.object({ a: z.number(), b: z.number() }).or(z.object({ sum: z.number() })));
const server = await udpEndpoint({ codec: numbers });
server.serve((message) => ('a' in message ? { sum: message.a + message.b } : undefined));
const client = await udpEndpoint({ codec: numbers });
const sum = await client.request({ a: 2, b: 40 }, server.address);
await client.close();
await server.close();

console.log(\`core: \${core} | framing: \${framedReply.text} | udp: \${sum.sum}\`);
`;
