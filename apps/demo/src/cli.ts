#!/usr/bin/env node
import { EXIT_USAGE } from './cli/command.js';
import { print, printError } from './cli/output.js';
import { takeVerbose, watchSockkit } from './cli/verbose.js';
// sockkit-demo <command>: the classic socket programs, written with sockkit.
import { commands } from './commands/index.js';

function overview(): string {
  const width = Math.max(...commands.map(({ name }) => name.length));
  return [
    'sockkit-demo: the classic socket programs, made real with sockkit.',
    '',
    'Usage: sockkit-demo <command> [options]',
    '',
    'Commands:',
    ...commands.map(({ name, summary }) => `  ${name.padEnd(width)}  ${summary}`),
    '',
    "Run 'sockkit-demo <command> --help' for a command's options, or 'sockkit-demo tour' to see them all at work.",
    'Add --verbose to any command to print what sockkit reports on its diagnostics channels.',
  ].join('\n');
}

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? printError : print)(overview());
    return name === undefined ? EXIT_USAGE : 0;
  }
  const command = commands.find((candidate) => candidate.name === name);
  if (!command) {
    printError(`sockkit-demo: unknown command '${name}'\n`);
    printError(overview());
    return EXIT_USAGE;
  }
  return command.main(rest);
}

// Exit explicitly: a command is done when main resolves, even if a handle (stdin, a
// cluster channel) would keep the loop alive. stdout is synchronous for files, pipes and
// TTYs on POSIX, so nothing printed is lost.
const { verbose, rest } = takeVerbose(process.argv.slice(2));
if (verbose) watchSockkit(printError);
process.exit(await main(rest));
