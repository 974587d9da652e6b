import { parseArgs } from 'node:util';
import type { z } from 'zod';
import { describeError } from './explain.js';
import { formatHelp, optionSynopsis } from './help.js';
import { print, printError } from './output.js';
import { didYouMean } from './suggest.js';

interface OptionBase {
  /** One letter; across commands a letter always means the same option (a test checks). */
  readonly short?: string;
  readonly description: string;
}

/** One `--option` of a command, as `node:util` parseArgs takes it, plus its help text. */
export type OptionSpec =
  | (OptionBase & { readonly type: 'boolean' })
  | (OptionBase & {
      readonly type: 'string';
      /** Shown in help as `--port <placeholder>`: what kind of value, not the option's name again. */
      readonly placeholder: string;
      /** May be given more than once; the command gets an array. */
      readonly multiple?: boolean;
      readonly default?: string;
    });

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
  /** Runs the command; a rejection prints its message and exits 1 (a {@link UsageError} 2). */
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

/** Arguments that cannot work (also found while running, like `--out` naming a file): exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A command stopped by the user (Ctrl-C) before it was done: one line, exit code 130. */
export class InterruptedError extends Error {
  override readonly name = 'InterruptedError';
}

const helpOption: OptionSpec = { type: 'boolean', short: 'h', description: 'show this help' };

/** `--port -1`: a negative number after an option that takes a value is that value, not an option. */
const NEGATIVE_NUMBER = /^-\d/;

/** parseArgs' errors, told in the words of this CLI; the option they name is quoted in their message. */
function usageErrorOf(error: unknown, options: Readonly<Record<string, OptionSpec>>): UsageError {
  const { code, message } = error as { code?: string; message: string };
  // "Option '-p, --port <value>' argument missing", "Unknown option '--prot'", "Unknown option '-x'"
  const named = /'[^']*?(--[\w-]+)/.exec(message)?.[1] ?? /'(-\w)/.exec(message)?.[1] ?? '';
  const name = Object.entries(options).find(
    ([long, option]) => `--${long}` === named || `-${option.short}` === named,
  )?.[0];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION')
    return new UsageError(
      `unknown option '${named}'${didYouMean(
        named,
        Object.keys(options).map((long) => `--${long}`),
      )}`,
    );
  const option = name === undefined ? undefined : options[name];
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && name !== undefined && option !== undefined) {
    return new UsageError(
      option.type === 'boolean'
        ? `--${name} takes no value`
        : `--${name} needs a value: ${optionSynopsis(name, option)}`,
    );
  }
  return new UsageError(message.split('\n')[0] ?? String(error));
}

export function defineCommand<Args>(spec: CommandSpec<Args>): Command {
  const options: Readonly<Record<string, OptionSpec>> = { ...spec.options, help: helpOption };
  const positionals = spec.positionals ?? [];
  const usage = `sockkit-demo ${spec.name}${Object.keys(options).length > 1 ? ' [options]' : ''}${positionals
    .map(({ name }) => ` <${name}>`)
    .join('')}`;
  const help = () => formatHelp({ ...spec, usage, options, positionals });
  const takesValue = new Set(
    Object.entries(options).flatMap(([long, option]) =>
      option.type === 'string' ? [`--${long}`, ...(option.short ? [`-${option.short}`] : [])] : [],
    ),
  );
  const longName = (flag: string) =>
    flag.startsWith('--')
      ? flag
      : `--${Object.entries(options).find(([, option]) => `-${option.short}` === flag)?.[0]}`;

  function parse(argv: readonly string[]): Args | 'help' {
    // parseArgs calls `--port -1` ambiguous; glued as `--port=-1` it reaches the validator, which says what is wrong.
    const args: string[] = [];
    for (let index = 0; index < argv.length; index += 1) {
      const token = argv[index]!;
      const next = argv[index + 1];
      if (takesValue.has(token) && next !== undefined && NEGATIVE_NUMBER.test(next)) {
        args.push(`${longName(token)}=${next}`);
        index += 1;
      } else {
        args.push(token);
      }
    }
    let parsed: ReturnType<typeof parseArgs>;
    try {
      parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
    } catch (error) {
      throw usageErrorOf(error, options);
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

  const usageFailure = (error: UsageError) => {
    printError(`sockkit-demo ${spec.name}: ${error.message}`);
    printError(`Usage: ${usage}; see 'sockkit-demo help ${spec.name}'`);
    return EXIT_USAGE;
  };

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
        return usageFailure(error);
      }
      if (args === 'help') {
        print(help());
        return 0;
      }
      try {
        await spec.run(args);
        return 0;
      } catch (error) {
        if (error instanceof UsageError) return usageFailure(error);
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
