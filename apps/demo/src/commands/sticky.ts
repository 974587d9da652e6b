import { z } from 'zod';
import { defineCommand } from '../cli/command.js';
import { print } from '../cli/output.js';
import { checkSticky, runSticky } from '../programs/sticky.js';

export const stickyCommand = defineCommand({
  name: 'sticky',
  summary: 'the sticky-packet problem on raw TCP, then solved by framing',
  lesson:
    'Lesson: what the tutorials leave out: TCP is a byte stream, so two sends may arrive in one recv and one message may arrive in pieces ("sticky packets"). sockkit adds: a length prefix and a FrameDecoder that gives back exactly the messages sent, however the bytes are cut.',
  args: z.object({}),
  async run() {
    const problem = checkSticky(await runSticky(print));
    if (problem) throw new Error(problem);
    print('framing delivered every message whole and in order');
  },
});
