import { encodeFrame, FrameDecoder } from '@sockkit/framing';
import { quote } from '../cli/output.js';
import { loopbackPair } from './loopback.js';

const text = (value: string) => new TextEncoder().encode(value);
const decodeText = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

export interface StickyResult {
  /** How many messages the raw side's first recv(1024) held (2: glued together). */
  readonly rawGluedMessages: number;
  /** What the raw side's first recv(1024) returned of the long message. */
  readonly rawFirstPart: string;
  /** Messages the framed side produced, in order: exactly what was sent. */
  readonly framedMessages: readonly string[];
}

const SHORT = ['hello', 'world'] as const;
const LONG = 'one message, sent in two parts';

/**
 * The sticky-packet problem shown twice over one loopback connection: raw TCP, where two
 * sends come out of one recv and one message comes out in pieces, then the same traffic
 * with a length prefix, where a FrameDecoder hands back exactly the messages sent.
 *
 * Made deterministic: the two sends happen back to back before the reader runs (as they
 * do on any busy server), and the long message's second part is sent only after the
 * reader received the first (as on any slow network).
 */
export async function runSticky(report: (line: string) => void): Promise<StickyResult> {
  await using pair = await loopbackPair();
  const { client, server } = pair;

  report(`raw TCP: the client calls send(${quote(text(SHORT[0]))}) and send(${quote(text(SHORT[1]))})`);
  await Promise.all(SHORT.map((message) => client.send(text(message))));
  const glued = decodeText(await server.recv(1024));
  const rawGluedMessages = SHORT.filter((message) => glued.includes(message)).length;
  report(`  server recv(1024) -> ${JSON.stringify(glued)}: ${rawGluedMessages} messages in one recv`);

  const cut = Math.floor(LONG.length / 2);
  report(`raw TCP: the client sends ${JSON.stringify(LONG)} in two parts`);
  await client.sendAll(text(LONG.slice(0, cut)));
  const rawFirstPart = decodeText(await server.recv(1024));
  report(`  server recv(1024) -> ${JSON.stringify(rawFirstPart)}: half a message, and nothing says so`);
  await client.sendAll(text(LONG.slice(cut)));
  report(`  server recv(1024) -> ${JSON.stringify(decodeText(await server.recv(1024)))}: the rest, later`);

  report('framed: the same traffic, each message behind a 4-byte length prefix');
  const decoder = new FrameDecoder();
  const framedMessages: string[] = [];
  // Reads until `count` messages came out: however the bytes were cut, none is lost or glued.
  const receiveUntil = async (count: number) => {
    do {
      const chunk = await server.recv(1024);
      const frames = [...decoder.push(chunk)].map(decodeText);
      framedMessages.push(...frames);
      const got =
        frames.length > 0 ? frames.map((frame) => JSON.stringify(frame)).join(', ') : 'no message yet';
      report(`  server recv(1024) -> ${chunk.length} bytes -> decoder gives ${got}`);
    } while (framedMessages.length < count);
  };
  await Promise.all(SHORT.map((message) => client.send(encodeFrame(text(message)))));
  await receiveUntil(SHORT.length);
  const frame = encodeFrame(text(LONG));
  // Cut inside the length prefix itself: the hardest case for a hand-written reader.
  await client.sendAll(frame.subarray(0, 2));
  await receiveUntil(0);
  await client.sendAll(frame.subarray(2));
  await receiveUntil(SHORT.length + 1);
  return { rawGluedMessages, rawFirstPart, framedMessages };
}

/** Whether the run showed the problem and its cure; `undefined` when it did, else why not. */
export function checkSticky(result: StickyResult): string | undefined {
  if (result.rawGluedMessages !== 2) return 'the two raw sends did not arrive in one recv';
  if (result.rawFirstPart === LONG) return 'the raw long message arrived whole';
  const expected = [...SHORT, LONG];
  if (JSON.stringify(result.framedMessages) !== JSON.stringify(expected)) {
    return `framing gave ${JSON.stringify(result.framedMessages)}, expected ${JSON.stringify(expected)}`;
  }
  return undefined;
}
