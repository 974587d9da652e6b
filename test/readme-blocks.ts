// Reads the fenced code blocks of the READMEs, with the directives written above each block.
//
// A block is TypeScript (or JavaScript) when its fence says ts, typescript, js or javascript; every
// such block is type-checked. HTML comments on the lines right above the fence steer the test and
// stay invisible on a rendered page:
//   <!-- docs-test: fragment -->  not checked: a signature sketch or a piece of a larger program
//   <!-- docs-test: run TEXT -->  runs to completion (exit 0) on loopback; its output contains TEXT
//   <!-- docs-test: serve -->     starts in the background; the next `run` block of the README is its
//                                 client, then the server gets SIGINT and must exit
//   <!-- docs-test: given CODE --> hidden lines put before the block, declaring what the prose says
//                                 the block is given (rustdoc's hidden lines): `declare const conn: …`
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { repoRoot, workspacePackages } from './workspace.ts';

export type BlockMode = 'check' | 'fragment' | 'run' | 'serve';

export interface ReadmeBlock {
  /** README path relative to the repo root. */
  readonly readme: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly language: 'ts' | 'js';
  readonly mode: BlockMode;
  /** For `run`: text the program's output must contain (may be empty). */
  readonly output: string;
  /** Hidden lines from `given` directives. */
  readonly given: string;
  readonly code: string;
}

const languages: Record<string, 'ts' | 'js'> = { ts: 'ts', typescript: 'ts', js: 'js', javascript: 'js' };
const directive = /^<!--\s*docs-test:\s*(fragment|run|serve|given)\b\s*([\s\S]*?)\s*-->$/;

/** The READMEs whose examples users copy: the root one and every workspace package's. */
export function readmePaths(): string[] {
  const packages = workspacePackages().map((pkg) => join(pkg.dir, 'README.md'));
  return [join(repoRoot, 'README.md'), ...packages.filter((path) => existsSync(path))];
}

/** Every TypeScript/JavaScript block of one README, in order. */
export function readmeBlocks(path: string): ReadmeBlock[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  const readme = relative(repoRoot, path);
  const blocks: ReadmeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = /^```(\S*)/.exec(lines[i]!);
    if (!fence) continue;
    const end = lines.findIndex((text, j) => j > i && text.startsWith('```'));
    if (end < 0) throw new Error(`${readme}:${i + 1}: unclosed code fence`);
    const language = languages[fence[1]!];
    if (language) {
      let mode: BlockMode = 'check';
      let output = '';
      const given: string[] = [];
      for (let j = i - 1; j >= 0; j--) {
        const found = directive.exec(lines[j]!.trim());
        if (!found) break;
        if (found[1] === 'given') given.unshift(found[2]!);
        else {
          mode = found[1] as BlockMode;
          if (mode === 'run') output = found[2]!;
        }
      }
      const code = lines.slice(i + 1, end).join('\n');
      blocks.push({ readme, line: i + 1, language, mode, output, given: given.join('\n'), code });
    }
    i = end;
  }
  return blocks;
}
