import { parseArgs } from 'node:util';
import type { z } from 'zod';
import { print, printError } from './output.js';

/** One `--option` of a command, as `node:util` parseArgs takes it, plus its help text. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  /** May be given more than once; the command gets an array. */
  readonly multiple?: boolean;
  /** Shown in help as `--port <placeholder>`; string options only. */
  readonly placeholder?: string;
  readonly default?: string;
  readonly description: string;
}

/** A positional argument (all are required). */
export interface PositionalSpec {
  readonly name: string;
  readonly description: string;
}

export interface CommandSpec<Args> {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** The classic lesson the command is, and what sockkit adds to it. */
  readonly lesson: string;
  readonly options?: Readonly<Record<string, OptionSpec>>;
  readonly positionals?: readonly PositionalSpec[];
  readonly examples?: readonly string[];
  /**
   * Validates the parsed strings (options by name, positionals by their `name`) into typed
   * arguments; every issue becomes a usage error that names the argument.
   */
  readonly args: z.ZodType<Args>;
  /** Runs the command; a rejection prints its message and exits 1. */
  run(args: Args): Promise<void>;
}

/** A command with its argument types erased, ready for the dispatcher. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  help(): string;
  /** Parses `argv` (after the command name), runs, and resolves with the exit code. */
  main(argv: readonly string[]): Promise<number>;
}

/** Exit code for bad arguments, as in most Unix tools. */
export const EXIT_USAGE = 2;

/** Exit code after an interruption (Ctrl-C), as a shell reports death by SIGINT: 128 + 2. */
export const EXIT_INTERRUPTED = 130;

/** Arguments that cannot work; printed with the usage line, exit code 2. */
class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A command stopped by the user (Ctrl-C) before it was done: one line, exit code 130. */
export class InterruptedError extends Error {
  override readonly name = 'InterruptedError';
}

const helpOption: OptionSpec = { type: 'boolean', short: 'h', description: 'show this help' };

/** Help text is wrapped to this many columns. */
const HELP_WIDTH = 100;

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  return [...lines, line];
}

export function defineCommand<Args>(spec: CommandSpec<Args>): Command {
  const options = { ...spec.options, help: helpOption };
  const positionals = spec.positionals ?? [];
  const usage = `sockkit-demo ${spec.name}${Object.keys(options).length > 1 ? ' [options]' : ''}${positionals
    .map(({ name }) => ` <${name}>`)
    .join('')}`;

  function help(): string {
    const rows: [string, string][] = [
      ...positionals.map(({ name, description }): [string, string] => [`<${name}>`, description]),
      ...Object.entries(options).map(([name, option]): [string, string] => {
        const flag = `${option.short ? `-${option.short}, ` : '    '}--${name}${
          option.type === 'string' ? ` <${option.placeholder ?? name}>` : ''
        }`;
        return [flag, `${option.description}${option.default ? ` [default: ${option.default}]` : ''}`];
      }),
    ];
    const width = Math.max(...rows.map(([left]) => left.length));
    return [
      `sockkit-demo ${spec.name}: ${spec.summary}`,
      '',
      ...wrap(spec.lesson, HELP_WIDTH),
      '',
      `Usage: ${usage}`,
      '',
      ...rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`),
      ...(spec.examples?.length ? ['', 'Examples:', ...spec.examples.map((line) => `  ${line}`)] : []),
    ].join('\n');
  }

  function parse(argv: readonly string[]): Args | 'help' {
    let parsed: ReturnType<typeof parseArgs>;
    try {
      parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
    } catch (error) {
      // parseArgs' messages already name the option ("Unknown option '--x'").
      throw new UsageError((error as Error).message.split('. ')[0] ?? String(error));
    }
    if (parsed.values.help) return 'help';
    const given = parsed.positionals;
    if (given.length > positionals.length)
      throw new UsageError(`unexpected argument '${given[positionals.length]}'`);
    const raw: Record<string, unknown> = { ...parsed.values };
    positionals.forEach(({ name }, index) => {
      if (given[index] === undefined) throw new UsageError(`missing <${name}>`);
      raw[name] = given[index];
    });
    const result = spec.args.safeParse(raw);
    if (result.success) return result.data;
    const issue = result.error.issues[0];
    const key = String(issue?.path[0] ?? '');
    const label = positionals.some(({ name }) => name === key) ? `<${key}>` : key ? `--${key}` : 'arguments';
    throw new UsageError(`${label}: ${issue?.message ?? 'invalid'}`);
  }

  return {
    name: spec.name,
    summary: spec.summary,
    help,
    async main(argv) {
      let args: Args | 'help';
      try {
        args = parse(argv);
      } catch (error) {
        if (!(error instanceof UsageError)) throw error;
        printError(`sockkit-demo ${spec.name}: ${error.message}`);
        printError(`Usage: ${usage}`);
        printError(`Run 'sockkit-demo ${spec.name} --help' for more.`);
        return EXIT_USAGE;
      }
      if (args === 'help') {
        print(help());
        return 0;
      }
      try {
        await spec.run(args);
        return 0;
      } catch (error) {
        if (error instanceof InterruptedError) {
          printError(`sockkit-demo ${spec.name}: ${error.message}`);
          return EXIT_INTERRUPTED;
        }
        printError(`sockkit-demo ${spec.name}: ${describeError(error)}`);
        return 1;
      }
    },
  };
}

/** `Name: message (CODE)` plus its causes: what a user needs to see, without a stack trace. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  const text = `${error.name}: ${error.message}${typeof code === 'string' ? ` (${code})` : ''}`;
  const { cause } = error;
  // Wrappers often repeat their cause's message; show a cause only when it adds something.
  return cause instanceof Error && cause.message !== error.message
    ? `${text}\n  caused by ${describeError(cause)}`
    : text;
}
