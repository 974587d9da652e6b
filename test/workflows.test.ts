// The GitHub workflows cannot run here, so this keeps them in step with what does run: .ci/run's
// Node versions and commands, the README's test command and the package.json scripts they call.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './workspace.ts';

const read = (file: string) => readFileSync(join(repoRoot, file), 'utf8');
const ciRun = read('.ci/run');
const ciWorkflow = read('.github/workflows/ci.yml');
const releaseWorkflow = read('.github/workflows/release.yml');
const manifest = JSON.parse(read('package.json')) as {
  scripts: Record<string, string>;
  engines: { node: string };
};

/** The commands of a workflow's `- run:` steps, in order. */
const runSteps = (workflow: string) =>
  [...workflow.matchAll(/^\s*- run: (.+)$/gm)].map((match) => match[1]!.trim());
/** The npm commands .ci/run runs in the project (not the temp Node installs). */
const ciRunCommands = [...ciRun.matchAll(/^\s*(?:PATH="[^"]*" )?(npm (?:ci|test)\b.*)$/gm)].map((m) =>
  m[1]!.trim(),
);

describe('.github/workflows/ci.yml and .ci/run', () => {
  it('test the same Node versions', () => {
    const matrix = /^\s*node: \[([^\]]+)\]/m
      .exec(ciWorkflow)![1]!
      .split(',')
      .map((v) => v.trim());
    const pinned = [...ciRun.matchAll(/^NODE\d+=(\S+)$/gm)].map((m) => m[1]!);
    expect(pinned.length).toBeGreaterThanOrEqual(2);
    // .ci/run tests the machine's Node 20 first, then the pinned newer lines.
    expect(matrix.filter((version) => !version.startsWith('20.'))).toEqual(pinned);
    const [node20] = matrix.filter((version) => version.startsWith('20.'));
    expect(node20).toBeDefined();
    const [, minor] = node20!.split('.').map(Number);
    expect(minor).toBeGreaterThanOrEqual(Number(/>=20\.(\d+)/.exec(manifest.engines.node)![1]));
  });

  it('run the same commands: install from the lockfile, then the README test command', () => {
    const readmeTest = /^npm test\b/m.test(read('README.md').split('## Quick start')[1]!.split('\n## ')[0]!);
    expect(readmeTest).toBe(true);
    const workflowCommands = runSteps(ciWorkflow).filter((command) => /^npm (ci|test)\b/.test(command));
    expect(workflowCommands).toEqual(['npm ci --no-audit --no-fund', 'npm test']);
    expect([...new Set(ciRunCommands)]).toEqual(workflowCommands);
  });

  it.each(['python3-msgpack', 'openssl'])(
    'both install %s (the live msgpack interop tests; the TLS tests make certificates with openssl)',
    (name) => {
      expect(ciRun).toMatch(/apt-get .*install[^\n]*\n?[^\n]*"\$1"/);
      expect(ciRun).toMatch(new RegExp(`^\\s*install_apt_package ${name} `, 'm'));
      expect(
        runSteps(ciWorkflow).some((command) => new RegExp(`apt-get install .*\\b${name}\\b`).test(command)),
      ).toBe(true);
    },
  );
});

describe('.github/workflows/release.yml', () => {
  it('versions and publishes with the package.json scripts the release test runs', () => {
    const version = /^\s*version: (.+)$/m.exec(releaseWorkflow)![1]!.trim();
    const publish = /^\s*publish: (.+)$/m.exec(releaseWorkflow)![1]!.trim();
    expect(version).toBe('npm run version-packages');
    expect(publish).toBe('npm run release');
    expect(manifest.scripts['version-packages']).toBe('changeset version');
    expect(manifest.scripts.release).toMatch(/changeset publish$/);
    expect(releaseWorkflow).toMatch(/NPM_CONFIG_PROVENANCE: true/);
    expect(releaseWorkflow).toMatch(/id-token: write/);
  });
});
