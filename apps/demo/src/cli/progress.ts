import type { GenericBar, MultiBar } from 'cli-progress';
import { formatBytes, formatRate, print, setLineRoute } from './output.js';

/** Reports the bytes of a transfer: a live bar on a terminal, plain lines when piped. */
export interface ProgressReporter {
  update(bytesDone: number): void;
  /** Ends the report with a summary line (bytes, time, throughput). */
  finish(outcome: 'done' | 'failed'): void;
}

/** Plain-line mode prints every time the transfer crosses another 10%. */
const PLAIN_STEP_PERCENT = 10;

/**
 * The bars on the terminal: one cli-progress MultiBar shared by every transfer under way (two
 * transfers into one `recv-file` get a bar each), and every line printed meanwhile goes above
 * the bars through it, so neither overwrites the other. The cursor is hidden and line wrapping
 * off while bars are drawn; both come back when the last bar goes, and on any `process.exit`
 * (a second Ctrl-C, an interrupted send) so the user's terminal is never left without a cursor.
 */
class ProgressBoard {
  #bars: MultiBar | undefined;
  #drawn = 0;

  /** Loaded on the first bar: a piped command (a log, a benchmark) never pays for it. */
  async add(format: string, total: number, payload: object): Promise<GenericBar> {
    const { MultiBar, Presets } = await import('cli-progress');
    if (this.#bars === undefined) {
      this.#bars = new MultiBar(
        {
          stream: process.stdout,
          format,
          hideCursor: true,
          clearOnComplete: true,
          // Lines printed above the bars move them down: every bar must be drawn again, changed or not.
          forceRedraw: true,
        },
        Presets.shades_classic,
      );
      setLineRoute((line) => this.#bars?.log(`${line}\n`));
      process.on('exit', this.#stop);
    }
    this.#drawn += 1;
    return this.#bars.create(total, 0, payload, { format });
  }

  remove(bar: GenericBar): void {
    const bars = this.#bars;
    if (bars === undefined) return;
    if (!bars.remove(bar)) return; // draws the lines logged so far, then the bars left
    this.#drawn -= 1;
    if (this.#drawn === 0) this.#stop();
  }

  readonly #stop = (): void => {
    const bars = this.#bars;
    if (bars === undefined) return;
    this.#bars = undefined;
    this.#drawn = 0;
    setLineRoute(undefined);
    process.off('exit', this.#stop);
    bars.update(); // MultiBar.stop() does not write lines still waiting in its log buffer
    bars.stop(); // shows the cursor, turns wrapping back on
  };
}

const board = new ProgressBoard();

/**
 * A progress reporter for `total` bytes. On a TTY it draws a bar (one per transfer under way);
 * piped (a log, a test), it prints lines like `send-file: 50% 25.0 MiB of 50.0 MiB at 180.3 MiB/s`,
 * which read well in a log and which a program can wait for.
 */
export async function createProgress(
  label: string,
  total: number,
  { indent = '' }: { indent?: string } = {},
): Promise<ProgressReporter> {
  const started = performance.now();
  let done = 0;
  const rate = () => formatRate(done, performance.now() - started);
  const summary = (outcome: 'done' | 'failed') =>
    `${indent}${label}: ${outcome} after ${formatBytes(done)} of ${formatBytes(total)} in ${(
      (performance.now() - started) / 1000
    ).toFixed(2)} s (${rate()})`;

  if (process.stdout.isTTY) {
    const bar = await board.add(
      `${indent}${label} [{bar}] {percentage}% | {doneText} of {totalText} | {rate}`,
      total,
      { doneText: formatBytes(0), totalText: formatBytes(total), rate: '-' },
    );
    let finished = false;
    return {
      update(bytesDone) {
        done = bytesDone;
        bar.update(done, { doneText: formatBytes(done), rate: rate() });
      },
      finish(outcome) {
        if (finished) return;
        finished = true;
        print(summary(outcome)); // above the bars, written when the bar goes
        board.remove(bar);
      },
    };
  }

  let printedStep = -1;
  return {
    update(bytesDone) {
      done = bytesDone;
      const percent = total === 0 ? 100 : Math.floor((done * 100) / total);
      const step = Math.floor(percent / PLAIN_STEP_PERCENT);
      if (step === printedStep) return;
      printedStep = step;
      print(`${indent}${label}: ${percent}% ${formatBytes(done)} of ${formatBytes(total)} at ${rate()}`);
    },
    finish(outcome) {
      print(summary(outcome));
    },
  };
}
