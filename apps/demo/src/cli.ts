#!/usr/bin/env node
// sockkit-demo <command>: the classic socket programs, written with sockkit.
import { createRequire } from 'node:module';
import { EXIT_USAGE } from './cli/command.js';
import { print, printError } from './cli/output.js';
import { didYouMean } from './cli/suggest.js';
import { takeVerbose, watchSockkit } from './cli/verbose.js';
import { commandLoaders, loadCommand } from './commands/index.js';

async function overview(): Promise<string> {
  const commands = await Promise.all(Object.values(commandLoaders).map((load) => load()));
  const width = Math.max(...commands.map(({ name }) => name.length));
  return [
    'sockkit-demo: the classic socket programs, made real with sockkit.',
    '',
    'Usage: sockkit-demo <command> [options]',
    '       sockkit-demo help <command>',
    '       sockkit-demo --version',
    '',
    'Commands:',
    ...commands.map(({ name, summary }) => `  ${name.padEnd(width)}  ${summary}`),
    '',
    "Run 'sockkit-demo help <command>' for a command's options, or 'sockkit-demo tour' to see them all at work.",
    'Add --verbose to any command to print what sockkit reports on its diagnostics channels.',
  ].join('\n');
}

/** The demo's version and the versions of the sockkit packages it runs on: what a bug report needs. */
function version(): string {
  const require = createRequire(import.meta.url);
  const versionOf = (name: string) => (require(`${name}/package.json`) as { version: string }).version;
  const packages = ['@sockkit/core', '@sockkit/framing', '@sockkit/udp'].map(
    (name) => `${name} ${versionOf(name)}`,
  );
  const demo = (require('../package.json') as { version: string }).version;
  return `sockkit-demo ${demo} (${packages.join(', ')}; Node.js ${process.version})`;
}

/** Says that `name` is no command, and which ones it may have meant. */
function unknownCommand(name: string): number {
  const names = Object.keys(commandLoaders);
  printError(`sockkit-demo: unknown command '${name}'${didYouMean(name, names)}`);
  printError("Run 'sockkit-demo --help' for the list of commands.");
  return EXIT_USAGE;
}

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    printError(await overview());
    return EXIT_USAGE;
  }
  if (name === '--help' || name === '-h' || (name === 'help' && rest.length === 0)) {
    print(await overview());
    return 0;
  }
  if (name === '--version' || name === '-V') {
    print(version());
    return 0;
  }
  const wanted = name === 'help' ? rest[0]! : name;
  const command = await loadCommand(wanted);
  if (!command) return unknownCommand(wanted);
  if (name === 'help') {
    print(command.help());
    return 0;
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
const { verbose, rest } = takeVerbose(process.argv.slice(2));
if (verbose) watchSockkit(printError);
process.exit(await main(rest));
