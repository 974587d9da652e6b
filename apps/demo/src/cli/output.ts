/** Output helpers: plain lines for programs, narration for the tour. */

/** Where lines go instead while progress bars are drawn on the terminal (above the bars: see progress.ts). */
let lineRoute: ((line: string) => void) | undefined;

/** @internal Set by the progress bars while they are drawn, unset when they go. */
export function setLineRoute(route: ((line: string) => void) | undefined): void {
  lineRoute = route;
}

export function print(line = ''): void {
  if (lineRoute) lineRoute(line);
  else process.stdout.write(`${line}\n`);
}

/** Errors go to stderr; while bars are drawn on the same terminal, above them like any line. */
export function printError(line: string): void {
  if (lineRoute && process.stderr.isTTY) lineRoute(line);
  else process.stderr.write(`${line}\n`);
}

const units = ['B', 'KiB', 'MiB', 'GiB'] as const;

/** 16777216 -> "16.0 MiB". */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** Bytes over elapsed milliseconds as "123.4 MiB/s". */
export function formatRate(bytes: number, elapsedMs: number): string {
  return `${formatBytes(Math.round((bytes * 1000) / Math.max(elapsedMs, 1)))}/s`;
}

/** Shows bytes as readable text: `"hello"`, with control characters escaped. */
export function quote(bytes: Uint8Array): string {
  return JSON.stringify(Buffer.from(bytes).toString('utf8'));
}

/**
 * The tour's voice: a numbered step says what it shows, details say what happened, and
 * the verdict says what that proves (or why the step failed).
 */
export class Narrator {
  #step = 0;
  readonly #total: number;

  constructor(total: number) {
    this.#total = total;
  }

  step(title: string, shows: string): void {
    this.#step += 1;
    print();
    print(`[${this.#step}/${this.#total}] ${title}`);
    print(`      ${shows}`);
  }

  /** A line of what happened; lines a program indented are shown as part of the one above. */
  detail(line: string): void {
    const nested = line.startsWith('  ');
    print(`${nested ? '          ' : '      - '}${line.trim().replaceAll('\n', '\n            ')}`);
  }

  proved(line: string): void {
    print(`      PASS: ${line}`);
  }

  failed(error: string): void {
    print(`      FAIL: ${error}`);
  }
}
