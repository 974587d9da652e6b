import type { OptionSpec, PositionalSpec } from './command.js';

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

/** `-p, --port <port>`: how an option is written, in help and in messages. */
export function optionSynopsis(name: string, option: OptionSpec): string {
  return `--${name}${option.type === 'string' ? ` <${option.placeholder}>` : ''}`;
}

/** A command's help: summary, lesson, usage, one row per argument and option, examples. */
export function formatHelp(command: {
  readonly name: string;
  readonly summary: string;
  readonly lesson: string;
  readonly usage: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  readonly positionals: readonly PositionalSpec[];
  readonly examples?: readonly string[] | undefined;
}): string {
  const rows: [string, string][] = [
    ...command.positionals.map(({ name, description }): [string, string] => [`<${name}>`, description]),
    ...Object.entries(command.options).map(([name, option]): [string, string] => [
      `${option.short ? `-${option.short}, ` : '    '}${optionSynopsis(name, option)}`,
      `${option.description}${option.type === 'string' && option.default ? ` [default: ${option.default}]` : ''}`,
    ]),
  ];
  const width = Math.max(...rows.map(([left]) => left.length));
  return [
    `sockkit-demo ${command.name}: ${command.summary}`,
    '',
    ...wrap(command.lesson, HELP_WIDTH),
    '',
    `Usage: ${command.usage}`,
    '',
    ...rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`),
    ...(command.examples?.length ? ['', 'Examples:', ...command.examples.map((line) => `  ${line}`)] : []),
  ].join('\n');
}
