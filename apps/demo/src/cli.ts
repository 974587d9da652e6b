#!/usr/bin/env node
import { EXIT_USAGE } from './cli/command.js';
import { print, printError } from './cli/output.js';
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

// A reader that went away (`sockkit-demo tour | head`) is not a failure: stop quietly, as
// `yes | head` does, instead of dying of an unhandled EPIPE with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(0);
  });
}

// Exit explicitly: a command is done when main resolves, even if a handle (stdin, a
// cluster channel) would keep the loop alive. stdout is synchronous for files, pipes and
// TTYs on POSIX, so nothing printed is lost.
process.exit(await main(process.argv.slice(2)));
