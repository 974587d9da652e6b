import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

export const repoRoot = join(import.meta.dirname, '..');
export const run = promisify(execFile);

export interface WorkspacePackage {
  readonly dir: string;
  readonly manifest: {
    name: string;
    version: string;
    private?: boolean;
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
  };
}

/** Every workspace package under packages/ and apps/, read from disk. */
export function workspacePackages(): WorkspacePackage[] {
  return ['packages', 'apps'].flatMap((group) =>
    readdirSync(join(repoRoot, group)).map((name) => {
      const dir = join(repoRoot, group, name);
      return { dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) };
    }),
  );
}

/** The packages that are published to npm. */
export const publishedPackages = (): WorkspacePackage[] =>
  workspacePackages().filter((pkg) => pkg.manifest.private !== true);

/** A port that was free a moment ago on 127.0.0.1, for programs that must be told one. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
