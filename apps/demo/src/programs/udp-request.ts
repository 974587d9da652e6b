import { AF_INET, SOCK_DGRAM, socket } from '@sockkit/core';
import { createCodec } from '@sockkit/framing';
import { type Destination, udpEndpoint } from '@sockkit/udp';
import { z } from 'zod';
import { hostPortOf } from '../cli/args.js';

/** A request that must not run twice: a deposit repeated would credit twice. */
const BankMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('deposit'), amount: z.number().int().positive() }),
  z.object({ type: z.literal('balance'), balance: z.number().int() }),
]);
const codec = createCodec(BankMessage);

/** Decides the fate of each datagram crossing the relay: `index` counts per direction from 1. */
export type DropPolicy = (direction: 'request' | 'reply', index: number) => boolean;

/**
 * A UDP relay between client and server that loses datagrams on purpose, in this process:
 * the lossy network of the lesson, made repeatable. It is the tutorial's loop (recvfrom,
 * sendto) on a core datagram socket; the server sees the relay as its client. A datagram
 * from the server's address is a reply, any other a request (whose sender is the client).
 * A datagram it cannot forward is one more lost; if the relay itself breaks, `broken` aborts
 * with the error at once.
 */
async function lossyRelay(server: Destination, drop: DropPolicy, report: (line: string) => void) {
  const relay = socket(AF_INET, SOCK_DGRAM);
  await relay.bind({ host: '127.0.0.1', port: 0 });
  const counts = { request: 0, reply: 0 };
  const breaker = new AbortController();
  let client: Destination | undefined;
  const forwarding = (async () => {
    for await (const [data, address] of relay) {
      const from = hostPortOf(address);
      const fromServer = from.port === server.port && from.host === server.host;
      const direction = fromServer ? 'reply' : 'request';
      counts[direction] += 1;
      const index = counts[direction];
      if (!fromServer) client = from;
      const to = fromServer ? client : server;
      if (drop(direction, index)) report(`  network: lost ${direction} datagram #${index}`);
      else if (to)
        await relay.sendTo(data, to).catch((error: Error) => {
          report(`  network: could not forward ${direction} datagram #${index}: ${error.message}`);
        });
    }
  })().catch((error: unknown) => breaker.abort(error)); // handled now, not when disposed
  return {
    address: hostPortOf(relay.getSockName()),
    broken: breaker.signal,
    async [Symbol.asyncDispose]() {
      await relay.close();
      await forwarding;
    },
  };
}

/** Quick retries for a demo on loopback: 100 ms first wait, doubling up to 800 ms, 5 retransmissions. */
const RETRANSMISSION = { timeout: 100, retries: 5, backoff: { maxTimeout: 800 } } as const;

export interface UdpRequestResult {
  readonly deposits: number;
  readonly finalBalance: number;
  readonly handlerRuns: number;
  readonly retransmissions: number;
  readonly cachedReplies: number;
  readonly timeouts: number;
}

/**
 * Request/response over a lossy path: the client retries what gets no reply (with backoff),
 * and the server's reply cache answers a retried request without running it again, so each
 * deposit is credited once however many copies arrive.
 */
export async function runUdpRequest({
  deposits,
  drop,
  report,
}: {
  deposits: number;
  drop: DropPolicy;
  report: (line: string) => void;
}): Promise<UdpRequestResult> {
  await using server = await udpEndpoint({ bind: { host: '127.0.0.1', port: 0 }, codec });
  let balance = 0;
  let handlerRuns = 0;
  server.serve((message) => {
    if (message.type !== 'deposit') return undefined;
    handlerRuns += 1;
    balance += message.amount;
    report(`  server: deposit of ${message.amount} executed, balance now ${balance}`);
    return { type: 'balance', balance };
  });
  await using relay = await lossyRelay(server.address, drop, report);
  await using client = await udpEndpoint({ bind: { host: '127.0.0.1', port: 0 }, codec });
  let timeouts = 0;
  for (let n = 1; n <= deposits; n += 1) {
    report(`client: deposit 10 (request ${n})`);
    const before = { sent: client.stats.retransmissions, cached: server.stats.cachedReplies };
    try {
      const reply = await client.request({ type: 'deposit', amount: 10 }, relay.address, {
        ...RETRANSMISSION,
        signal: relay.broken,
      });
      const attempts = client.stats.retransmissions - before.sent + 1;
      const cached = server.stats.cachedReplies - before.cached;
      if (reply.type === 'balance') {
        report(
          `client: reply says balance ${reply.balance} (${attempts} attempt${attempts > 1 ? 's' : ''}${
            cached > 0
              ? `; ${cached} retransmission${cached > 1 ? 's' : ''} answered from the server's reply cache`
              : ''
          })`,
        );
      }
    } catch (error) {
      if (relay.broken.aborted) throw relay.broken.reason; // no request can get through now
      timeouts += 1;
      report(`client: gave up: ${(error as Error).message}`);
    }
  }
  const { retransmissions } = client.stats;
  const { cachedReplies } = server.stats;
  report(
    `client retransmitted ${retransmissions} time(s); the server ran the handler ${handlerRuns} time(s) and answered ${cachedReplies} retransmission(s) from its reply cache`,
  );
  return { deposits, finalBalance: balance, handlerRuns, retransmissions, cachedReplies, timeouts };
}

/** The tour's loss: the first request and the first reply vanish. */
export const LOSE_FIRST_REQUEST_AND_REPLY: DropPolicy = (_direction, index) => index === 1;

/** `undefined` when every answered deposit was credited exactly once, else why not. */
export function checkUdpRequest(result: UdpRequestResult): string | undefined {
  const answered = result.deposits - result.timeouts;
  if (result.handlerRuns < answered)
    return `${answered} deposits answered but only ${result.handlerRuns} executed`;
  if (result.finalBalance !== result.handlerRuns * 10)
    return 'the balance does not match the deposits executed';
  if (result.handlerRuns > result.deposits) return `a retried deposit ran twice (${result.handlerRuns} runs)`;
  return undefined;
}
