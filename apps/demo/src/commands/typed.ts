import { z } from 'zod';
import { defineCommand } from '../cli/command.js';
import { print } from '../cli/output.js';
import { checkTyped, runTyped } from '../programs/typed.js';

export const typedCommand = defineCommand({
  name: 'typed',
  summary: 'typed request/response over framed TCP; a malformed message is rejected, the server goes on',
  lesson:
    "Lesson: encode before sending, decode after receiving ('hello'.encode()). sockkit adds: messages as MessagePack checked by a zod schema on arrival, so a malformed message gets a readable validation error and costs only itself, never the connection or the server.",
  args: z.object({}),
  async run() {
    const problem = checkTyped(await runTyped(print));
    if (problem) throw new Error(problem);
    print('the bad message was rejected with a reason; the connection and the server went on');
  },
});
