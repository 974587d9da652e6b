import { createHash, randomBytes } from 'node:crypto';
import { type FileHandle, open, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { createConnection, type StreamSocket } from '@sockkit/core';
import { createCodec, framed } from '@sockkit/framing';
import type { HostPort } from '../cli/args.js';
import { CommandError } from '../cli/explain.js';
import { formatBytes } from '../cli/output.js';
import { createProgress, type ProgressReporter } from '../cli/progress.js';
import { CHUNK_SIZE, type Receipt, safeFileName, TransferMessage } from '../protocols/file-transfer.js';
import { withDeadline } from './deadline.js';
import { saveAs } from './save-as.js';

const codec = createCodec(TransferMessage);

/** How long a receiver waits for the next bytes of a transfer before giving it up. */
const RECEIVE_IDLE_TIMEOUT_MS = 30_000;
/** How long a sender waits for the connection. */
const CONNECT_TIMEOUT_MS = 10_000;
/** How long a sender waits for the receiver to take the next chunk before giving up on it. */
const SEND_STALL_TIMEOUT_MS = 30_000;
/** How long a sender waits for each answer: to its offer, and the receipt (the receiver checks the file first). */
const ANSWER_TIMEOUT_MS = 60_000;
/** The largest file a receiver accepts unless told otherwise: 4 GiB. */
export const DEFAULT_MAX_FILE_SIZE = 4 * 1024 ** 3;

/**
 * A transfer's framed channel (`@sockkit/framing`): typed messages whose `send` waits while
 * the connection's write buffer is full, and whose reader gives up after `idleTimeout` of silence.
 */
function transferChannel(conn: StreamSocket, idleTimeout: number | null) {
  const channel = framed(conn, { codec, idleTimeout });
  const incoming = channel[Symbol.asyncIterator]();
  return {
    send: (message: TransferMessage) => channel.send(message),
    async next(): Promise<TransferMessage> {
      const message = await incoming.next();
      if (message.done) throw new Error('the peer closed the connection before the transfer finished');
      return message.value;
    },
    close: () => channel.close(),
  };
}

export interface SendOptions {
  /** Cap on throughput in bytes per second, like curl's --limit-rate. */
  readonly bytesPerSecond?: number;
  /** Put before each progress line (the tour indents its narration). */
  readonly progressIndent?: string;
  /** Report progress on stdout. Default true. */
  readonly showProgress?: boolean;
  /** Milliseconds to wait for the connection. Default 10 s. */
  readonly connectTimeout?: number;
  /** Milliseconds the receiver may take no bytes before the sender gives up. Default 30 s. */
  readonly stallTimeout?: number;
  /** Milliseconds to wait for each answer of the receiver: to the offer, and the receipt. Default 60 s. */
  readonly answerTimeout?: number;
  /** Cuts the transfer: the connection is reset, so the receiver drops its partial file. */
  readonly signal?: AbortSignal;
}

/**
 * Under a rate cap, chunks small enough for about four a second: a whole 256 KiB chunk at a
 * slow rate would leave the receiver silent for longer than it waits (and the progress frozen).
 */
function chunkSizeFor(bytesPerSecond: number | undefined): number {
  if (bytesPerSecond === undefined) return CHUNK_SIZE;
  return Math.min(CHUNK_SIZE, Math.max(1024, Math.floor(bytesPerSecond / 4)));
}

/** A file opened for sending: checked before any connection is made. */
export interface FileToSend extends AsyncDisposable {
  readonly handle: FileHandle;
  /** The name offered to the receiver: the last segment of the path. */
  readonly name: string;
  readonly size: number;
}

/**
 * Opens `path` for sending, failing with a plain message when it cannot be sent (missing, a
 * directory, unreadable), so a sender says so before it connects, and a receiver never sees
 * a transfer that was doomed from the start.
 */
export async function openFileToSend(path: string): Promise<FileToSend> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CommandError(`no such file: ${path}`, undefined, { cause: error });
    if (code === 'EACCES')
      throw new CommandError(`cannot read ${path}: permission denied`, undefined, { cause: error });
    throw error;
  }
  const stats = await handle.stat();
  if (!stats.isFile()) {
    await handle.close();
    throw new CommandError(
      `${path} is ${stats.isDirectory() ? 'a directory' : 'not a regular file'}: send-file sends one file`,
      stats.isDirectory()
        ? `to send a directory, pack it first: tar -cf ${basename(path)}.tar ${path}`
        : undefined,
    );
  }
  return { handle, name: basename(path), size: stats.size, [Symbol.asyncDispose]: () => handle.close() };
}

/**
 * Sends `file` to a `recv-file` server: an offer (name, size), which the receiver
 * accepts or refuses; then the bytes in framed chunks (each `send` waits for room in the
 * connection's buffer, so memory stays flat) and the SHA-256 of what was read. Resolves with
 * the receiver's receipt, a `failed` one when it refused the offer.
 */
export async function sendFile(file: FileToSend, to: HostPort, options: SendOptions = {}): Promise<Receipt> {
  const {
    connectTimeout = CONNECT_TIMEOUT_MS,
    stallTimeout = SEND_STALL_TIMEOUT_MS,
    answerTimeout = ANSWER_TIMEOUT_MS,
  } = options;
  const { signal } = options;
  const { name, size } = file;
  await using conn = await createConnection(to, { timeout: connectTimeout, ...(signal ? { signal } : {}) });
  const cut = () => void conn.reset();
  signal?.addEventListener('abort', cut, { once: true });
  // That timeout was for connecting only. Kept, it would bound every later recv, and the sender
  // hears nothing between the answer to its offer and the receipt: any longer transfer would fail.
  conn.setTimeout(null);
  const messages = transferChannel(conn, null); // each phase below has its own deadline
  const send = (message: TransferMessage) =>
    withDeadline(messages.send(message), stallTimeout, `the receiver took no bytes for ${stallTimeout} ms`);
  const answer = async <Type extends TransferMessage['type']>(...expected: Type[]) => {
    const message = await withDeadline(
      messages.next(),
      answerTimeout,
      `no answer from the receiver within ${answerTimeout} ms`,
    );
    if (!expected.some((type) => type === message.type))
      throw new Error(`unexpected ${message.type} message from the receiver`);
    return message as Extract<TransferMessage, { type: Type }>;
  };
  let progress: ProgressReporter | undefined;
  try {
    await send({ type: 'offer', name, size });
    const reply = await answer('accepted', 'failed');
    if (reply.type === 'failed') return reply; // refused: too big, or a name it will not take
    if (options.showProgress !== false)
      progress = createProgress(`send-file ${name}`, size, { indent: options.progressIndent ?? '' });
    const sha256 = await sendChunks(file.handle, send, progress, options.bytesPerSecond, signal);
    await send({ type: 'end', sha256 });
    const receipt = await answer('saved', 'failed');
    progress?.finish(receipt.type === 'saved' ? 'done' : 'failed');
    return receipt;
  } catch (error) {
    progress?.finish('failed');
    await conn.reset(); // a receiver that stopped reading would never take a graceful goodbye
    throw error;
  } finally {
    signal?.removeEventListener('abort', cut);
    await messages.close();
  }
}

/** Streams the file's bytes as chunk messages, at most `bytesPerSecond`; resolves with their SHA-256. */
async function sendChunks(
  file: FileHandle,
  send: (message: TransferMessage) => Promise<void>,
  progress: ProgressReporter | undefined,
  bytesPerSecond: number | undefined,
  signal: AbortSignal | undefined,
): Promise<string> {
  const hash = createHash('sha256');
  const started = performance.now();
  let sent = 0;
  const chunks = file.createReadStream({
    start: 0,
    highWaterMark: chunkSizeFor(bytesPerSecond),
    autoClose: false,
  });
  for await (const chunk of chunks as AsyncIterable<Buffer>) {
    hash.update(chunk);
    await send({ type: 'chunk', data: chunk });
    sent += chunk.length;
    progress?.update(sent);
    if (bytesPerSecond) {
      const due = (sent / bytesPerSecond) * 1000 - (performance.now() - started);
      if (due > 0) await delay(due, undefined, signal ? { signal } : {});
    }
  }
  return hash.digest('hex');
}

export interface ReceiveOptions {
  /** Report progress on stdout. Default true. */
  readonly showProgress?: boolean;
  /** Offers of more bytes are refused before any is sent. Default {@link DEFAULT_MAX_FILE_SIZE}. */
  readonly maxSize?: number;
  /** Replace a file of the same name; by default a received file takes the next free `name (1).ext`. */
  readonly overwrite?: boolean;
}

/**
 * Receives one file on `conn` into `outDir`. The bytes go to a hidden temp name and are
 * renamed to the final name only when size and SHA-256 match; on any failure (a dropped
 * connection, a stall, a bad message, a wrong checksum) the partial file is removed, so a
 * file under its final name is always whole. Every outcome is reported; resolves with the
 * receipt sent back, rejects when the transfer failed.
 */
export async function receiveFile(
  conn: StreamSocket,
  outDir: string,
  report: (line: string) => void,
  { showProgress = true, maxSize = DEFAULT_MAX_FILE_SIZE, overwrite = false }: ReceiveOptions = {},
): Promise<Receipt> {
  const messages = transferChannel(conn, RECEIVE_IDLE_TIMEOUT_MS);
  let name = 'a file';
  let partPath: string | undefined;
  let progress: ProgressReporter | undefined;
  try {
    const offer = await messages.next();
    if (offer.type !== 'offer') throw new Error(`expected an offer, got ${offer.type}`);
    const safeName = safeFileName(offer.name);
    if (safeName === undefined) throw new Error(`refused the file name ${JSON.stringify(offer.name)}`);
    name = safeName;
    if (offer.size > maxSize)
      throw new Error(
        `${name} is ${formatBytes(offer.size)}, over the ${formatBytes(maxSize)} this receiver accepts`,
      );
    await messages.send({ type: 'accepted' });
    partPath = join(outDir, `.${name}.${randomBytes(6).toString('hex')}.part`);
    progress = showProgress ? createProgress(`recv-file ${name}`, offer.size) : undefined;
    const digest = await receiveInto(partPath, offer.size, messages, progress);
    const savedAs = await saveAs(partPath, outDir, name, { overwrite });
    partPath = undefined;
    progress?.finish('done');
    const renamed = savedAs === name ? '' : `, as ${name} was taken`;
    report(`recv-file: saved ${savedAs} (${offer.size} bytes, sha256 ${digest}${renamed})`);
    const receipt: Receipt = { type: 'saved', name: savedAs, sha256: digest };
    await messages.send(receipt);
    return receipt;
  } catch (error) {
    progress?.finish('failed');
    const reason = (error as Error).message;
    if (partPath) await rm(partPath, { force: true });
    report(`recv-file: transfer of ${name} failed: ${reason}${partPath ? '; partial file removed' : ''}`);
    await messages.send({ type: 'failed', reason }).catch(() => {});
    throw error;
  } finally {
    await messages.close();
  }
}

/** Writes the chunks that follow an offer of `size` bytes to `path`; resolves with their SHA-256 once the end matches. */
async function receiveInto(
  path: string,
  size: number,
  messages: ReturnType<typeof transferChannel>,
  progress: ProgressReporter | undefined,
): Promise<string> {
  await using file = await open(path, 'wx');
  const hash = createHash('sha256');
  let received = 0;
  for (;;) {
    const message = await messages.next();
    if (message.type === 'end') {
      const digest = hash.digest('hex');
      if (received !== size) throw new Error(`got ${received} bytes, the offer said ${size}`);
      if (digest !== message.sha256)
        throw new Error(`checksum mismatch: sender ${message.sha256}, got ${digest}`);
      return digest;
    }
    if (message.type !== 'chunk') throw new Error(`expected a chunk, got ${message.type}`);
    received += message.data.length;
    if (received > size) throw new Error(`more bytes than the ${size} offered`);
    hash.update(message.data);
    await file.write(message.data);
    progress?.update(received);
  }
}
