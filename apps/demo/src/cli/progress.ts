import { Presets, SingleBar } from 'cli-progress';
import { formatBytes, formatRate, print } from './output.js';

/** Reports the bytes of a transfer: a live bar on a terminal, plain lines when piped. */
export interface ProgressReporter {
  update(bytesDone: number): void;
  /** Ends the report with a summary line (bytes, time, throughput). */
  finish(outcome: 'done' | 'failed'): void;
}

/** Plain-line mode prints every time the transfer crosses another 10%. */
const PLAIN_STEP_PERCENT = 10;

/**
 * A progress reporter for `total` bytes. On a TTY it draws a cli-progress bar; piped (a log,
 * a test), it prints lines like `send-file: 50% 25.0 MiB of 50.0 MiB at 180.3 MiB/s`, which
 * read well in a log and which a program can wait for.
 */
export function createProgress(
  label: string,
  total: number,
  { indent = '', stream = process.stdout }: { indent?: string; stream?: NodeJS.WriteStream } = {},
): ProgressReporter {
  const started = performance.now();
  let done = 0;
  const rate = () => formatRate(done, performance.now() - started);
  const summary = (outcome: 'done' | 'failed') =>
    `${indent}${label}: ${outcome} after ${formatBytes(done)} of ${formatBytes(total)} in ${(
      (performance.now() - started) / 1000
    ).toFixed(2)} s (${rate()})`;

  if (stream.isTTY) {
    const bar = new SingleBar(
      {
        stream,
        format: `${indent}${label} [{bar}] {percentage}% | {doneText} of {totalText} | {rate}`,
        hideCursor: true,
        clearOnComplete: true,
      },
      Presets.shades_classic,
    );
    bar.start(total, 0, { doneText: formatBytes(0), totalText: formatBytes(total), rate: '-' });
    return {
      update(bytesDone) {
        done = bytesDone;
        bar.update(done, { doneText: formatBytes(done), rate: rate() });
      },
      finish(outcome) {
        bar.stop();
        print(summary(outcome));
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
