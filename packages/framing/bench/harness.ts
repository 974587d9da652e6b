/**
 * A small benchmark harness: every contender of a case runs once per round, in an order that
 * rotates from round to round (so drift on a noisy machine hits all of them alike), and the
 * median of the rounds is reported.
 */

export interface Contender {
  readonly name: string;
  /** One timed run; returns the number of units it processed, checked against the case's count. */
  readonly run: () => number | Promise<number>;
}

export interface CaseResult {
  readonly title: string;
  readonly unit: string;
  readonly units: number;
  readonly medians: ReadonlyMap<string, number>;
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

export async function runCase(
  title: string,
  unit: string,
  units: number,
  contenders: readonly Contender[],
  rounds: number,
): Promise<CaseResult> {
  const times = new Map<string, number[]>(contenders.map((contender) => [contender.name, []]));
  for (const contender of contenders) await check(contender, units); // warm-up, and proof each does the work
  for (let round = 0; round < rounds; round++) {
    for (let turn = 0; turn < contenders.length; turn++) {
      const contender = contenders[(round + turn) % contenders.length]!;
      const start = process.hrtime.bigint();
      await contender.run();
      times.get(contender.name)!.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
  }
  const medians = new Map([...times].map(([name, samples]) => [name, median(samples)]));
  return { title, unit, units, medians };
}

async function check(contender: Contender, units: number): Promise<void> {
  const done = await contender.run();
  if (done !== units) throw new Error(`${contender.name} processed ${done} units, expected ${units}`);
}

/** One row per contender: median time, throughput, and speed relative to `baseline`. */
export function formatCase(result: CaseResult, baseline: string): string[] {
  const base = result.medians.get(baseline)!;
  return [...result.medians].map(([name, ms]) => {
    const rate = result.units / (ms / 1000);
    return `| ${result.title} | ${name} | ${ms.toFixed(1)} | ${formatRate(rate)} ${result.unit}/s | ${(base / ms).toFixed(2)}x |`;
  });
}

function formatRate(rate: number): string {
  if (rate >= 1e6) return `${(rate / 1e6).toFixed(2)} M`;
  if (rate >= 1e3) return `${(rate / 1e3).toFixed(1)} k`;
  return rate.toFixed(1);
}
