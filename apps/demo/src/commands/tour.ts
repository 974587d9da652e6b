import { z } from 'zod';
import { defineCommand } from '../cli/command.js';
import { describeError } from '../cli/explain.js';
import { Narrator, print } from '../cli/output.js';
import { withDeadline } from '../programs/deadline.js';
import { tourSteps } from '../programs/tour-steps.js';

/** A step that takes longer than this has hung: fail it rather than the whole tour. */
const STEP_TIMEOUT_MS = 30_000;

export const tourCommand = defineCommand({
  name: 'tour',
  summary: 'run every lesson in one process on loopback, with narration (npm start)',
  lesson:
    'The tour: echo, echo over TLS with a throwaway certificate, sticky packets raw then framed, typed messages with a rejected bad message, UDP request/response surviving loss, and a 16 MiB file transfer with a checksum, all in this process on 127.0.0.1 with ephemeral ports. It exits non-zero if any step fails.',
  args: z.object({}),
  async run() {
    print('sockkit tour: the classic socket lessons, each run for real on 127.0.0.1');
    const narrator = new Narrator(tourSteps.length);
    const started = performance.now();
    const failed: string[] = [];
    for (const step of tourSteps) {
      narrator.step(step.title, step.shows);
      try {
        narrator.proved(
          await withDeadline(
            step.run(narrator),
            STEP_TIMEOUT_MS,
            `${step.title} did not finish within ${STEP_TIMEOUT_MS} ms`,
          ),
        );
      } catch (error) {
        narrator.failed(describeError(error));
        failed.push(step.title);
      }
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    print();
    if (failed.length > 0)
      throw new Error(`tour failed: ${failed.length} of ${tourSteps.length} steps (${failed.join('; ')})`);
    print(`tour passed: ${tourSteps.length} of ${tourSteps.length} steps in ${seconds} s`);
  },
});
