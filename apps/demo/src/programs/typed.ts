import { createConnection, createServer, type StreamSocket } from '@sockkit/core';
import {
  createCodec,
  decodeFrames,
  encodeFrame,
  MessageDecodeError,
  MessageValidationError,
} from '@sockkit/framing';
import { z } from 'zod';

/** What a client may ask: the server checks every message against this before using it. */
const CalculationRequest = z.object({
  id: z.number().int(),
  op: z.enum(['add', 'multiply']),
  numbers: z.array(z.number()).min(1).max(1000),
});
type CalculationRequest = z.infer<typeof CalculationRequest>;

const CalculationReply = z.discriminatedUnion('type', [
  z.object({ type: z.literal('result'), id: z.number().int(), value: z.number() }),
  z.object({ type: z.literal('rejected'), reason: z.string() }),
]);
type CalculationReply = z.infer<typeof CalculationReply>;

const requests = createCodec(CalculationRequest);
const replies = createCodec(CalculationReply);

function calculate({ op, numbers }: CalculationRequest): number {
  return op === 'add'
    ? numbers.reduce((sum, n) => sum + n, 0)
    : numbers.reduce((product, n) => product * n, 1);
}

/**
 * One connection of the calculator: a frame in, a typed reply out. A frame that is not
 * MessagePack or does not match the schema gets a `rejected` reply naming the problem, and
 * the loop goes on: bad input costs that message, not the connection or the server.
 */
async function serveCalculations(conn: StreamSocket): Promise<void> {
  for await (const frame of decodeFrames(conn)) {
    let reply: CalculationReply;
    try {
      const request = requests.decode(frame);
      reply = { type: 'result', id: request.id, value: calculate(request) };
    } catch (error) {
      if (!(error instanceof MessageValidationError || error instanceof MessageDecodeError)) throw error;
      reply = { type: 'rejected', reason: error.message };
    }
    await conn.sendAll(encodeFrame(replies.encode(reply)));
  }
}

/** Any value as MessagePack, unchecked: how a careless (or hostile) client sends. */
const unchecked = createCodec(z.unknown());

export interface TypedResult {
  readonly replies: readonly CalculationReply[];
}

/**
 * Typed request/response over framed TCP: a good request, a malformed one (a string where
 * the schema wants a number), then another good one on the same connection.
 */
export async function runTyped(report: (line: string) => void): Promise<TypedResult> {
  await using server = await createServer({ host: '127.0.0.1', port: 0 }, serveCalculations);
  // The classic settimeout, kept on purpose: 5 s for the connect and for each reply.
  await using conn = await createConnection(server.address, { timeout: 5_000 });
  const incoming = decodeFrames(conn)[Symbol.asyncIterator]();
  /** Sends a frame holding `bytes` (shown as `shown`) and reads the reply frame. */
  const exchange = async (shown: unknown, bytes: Uint8Array) => {
    report(`client sends ${JSON.stringify(shown)}`);
    await conn.sendAll(encodeFrame(bytes));
    const next = await incoming.next();
    if (next.done) throw new Error('the server closed the connection');
    const reply = replies.decode(next.value);
    report(
      reply.type === 'result'
        ? `  server replies: ${reply.value} (request ${reply.id})`
        : `  server rejects it: ${reply.reason}`,
    );
    return reply;
  };
  const good = (request: CalculationRequest) => exchange(request, requests.encode(request));
  // The schema would refuse to encode this, so it goes out as plain MessagePack, as a careless
  // or hostile client would send it.
  const malformed = { id: 2, op: 'add', numbers: [1, 'two', 3] };
  const results = [
    await good({ id: 1, op: 'add', numbers: [1, 2, 3] }),
    await exchange(malformed, unchecked.encode(malformed)),
    await good({ id: 3, op: 'multiply', numbers: [6, 7] }),
  ];
  return { replies: results };
}

/** `undefined` when the good requests were answered and the bad one rejected, else why not. */
export function checkTyped({ replies: [first, bad, last] }: TypedResult): string | undefined {
  if (first?.type !== 'result' || first.value !== 6) return 'the first request was not answered with 6';
  if (bad?.type !== 'rejected' || !bad.reason.includes('numbers'))
    return 'the malformed request was not rejected';
  if (last?.type !== 'result' || last.value !== 42) return 'the request after the bad one was not answered';
  return undefined;
}
