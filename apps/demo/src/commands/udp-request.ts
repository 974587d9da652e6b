import { z } from 'zod';
import { countArg } from '../cli/args.js';
import { defineCommand } from '../cli/command.js';
import { print } from '../cli/output.js';
import { checkUdpRequest, runUdpRequest } from '../programs/udp-request.js';

export const udpRequestCommand = defineCommand({
  name: 'udp-request',
  summary: 'UDP request/response over a lossy path: retries, and a reply cache so nothing runs twice',
  lesson:
    'Lesson: sendto/recvfrom, and "UDP does not guarantee delivery". sockkit adds: request ids, retransmission with backoff, replies checked against the address asked, and a server-side reply cache so a retried request is answered without running again. The loss is injected in this process by a relay that drops datagrams.',
  options: {
    requests: { type: 'string', placeholder: 'n', default: '5', description: 'deposits to make' },
    loss: {
      type: 'string',
      placeholder: 'percent',
      default: '30',
      description: 'chance that the relay loses each datagram (0-90)',
    },
  },
  args: z.object({ requests: countArg(1, 1000), loss: countArg(0, 90) }),
  examples: ['sockkit-demo udp-request --requests 10 --loss 40'],
  async run({ requests, loss }) {
    const result = await runUdpRequest({
      deposits: requests,
      drop: () => Math.random() * 100 < loss,
      report: print,
    });
    const problem = checkUdpRequest(result);
    if (problem) throw new Error(problem);
    const { deposits, timeouts, handlerRuns, finalBalance } = result;
    print(
      `${deposits - timeouts} of ${deposits} deposits confirmed; the server executed ${handlerRuns}, none twice (balance ${finalBalance})`,
    );
    if (timeouts > 0) {
      print('a deposit that timed out may still have run (only its reply was lost): the client cannot tell');
    }
  },
});
