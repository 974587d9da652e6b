import { createHash, randomBytes } from 'node:crypto';
import { type FileHandle, open, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { createConnection, type StreamSocket } from '@sockkit/core';
import type { HostPort } from '../cli/args.js';
import { CommandError } from '../cli/explain.js';
import { formatBytes } from '../cli/output.js';
import { createProgress, type ProgressReporter } from '../cli/progress.js';
import { type Receipt, safeFileName, type TransferMessage } from '../protocols/file-transfer.js';
import { isForeignBytes } from '../protocols/foreign.js';
import { withDeadline } from './deadline.js';
import { FileWriter, streamFile } from './file-stream.js';
import { saveAs } from './save-as.js';
import { TransferChannel } from './transfer-channel.js';

/** How long a receiver waits for the next bytes of a transfer before giving it up. */
const RECEIVE_IDLE_TIMEOUT_MS = 30_000;
/** How long a sender waits for the connection. */
const CONNECT_TIMEOUT_MS = 10_000;
/** How long a sender waits for the receiver to take more bytes before giving up on it. */
const SEND_STALL_TIMEOUT_MS = 30_000;
/** How long a sender waits for each answer: to its offer, and the receipt (the receiver checks the file first). */
const ANSWER_TIMEOUT_MS = 60_000;
/** The largest file a receiver accepts unless told otherwise: 4 GiB. */
export const DEFAULT_MAX_FILE_SIZE = 4 * 1024 ** 3;
/**
 * Read-side high-water mark of a receiving connection. At the default 64 KiB, every 64 KiB read
 * from the kernel would pause and resume the socket while the chunk is hashed.
 */
const RECEIVE_HIGH_WATER_MARK = 4 * 1024 * 1024;

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

/** What a sender says when the peer's answer to its offer is no answer a recv-file gives. */
function notAReceiver(to: HostPort, cause?: unknown): CommandError {
  return new CommandError(
    `${to.host}:${to.port} is not a sockkit recv-file receiver: it did not answer the offer`,
    'recv-file listens on 9000 unless given --port: is this port some other program?',
    { cause },
  );
}

/**
 * Sends `file` to a `recv-file` server: an offer (name, size), which the receiver accepts or
 * refuses; then the file's bytes (each send waits until the kernel took the previous ones, so
 * memory stays flat) and the SHA-256 of what was read. Resolves with the receiver's receipt, a
 * `failed` one when it refused the offer.
 */
export async function sendFile(file: FileToSend, to: HostPort, options: SendOptions = {}): Promise<Receipt> {
  const {
    connectTimeout = CONNECT_TIMEOUT_MS,
    stallTimeout = SEND_STALL_TIMEOUT_MS,
    answerTimeout = ANSWER_TIMEOUT_MS,
    signal,
  } = options;
  const { name, size } = file;
  await using conn = await createConnection(to, { timeout: connectTimeout, ...(signal ? { signal } : {}) });
  // That timeout was for connecting only. Kept, it would bound every later recv, and the sender
  // hears nothing between the answer to its offer and the receipt: any longer transfer would fail.
  conn.setTimeout(null);
  const cut = () => void conn.reset();
  signal?.addEventListener('abort', cut, { once: true });
  const channel = new TransferChannel(conn);
  let answered = false;
  /** The receiver's next message, one of `expected`; before its first answer, anything else means it is no recv-file. */
  const answer = async <Type extends TransferMessage['type']>(...expected: Type[]) => {
    let message: TransferMessage;
    try {
      message = await withDeadline(
        channel.next(null),
        answerTimeout,
        `no answer from the receiver within ${answerTimeout} ms`,
      );
    } catch (error) {
      throw !answered && isForeignBytes(error) ? notAReceiver(to, error) : error;
    }
    if (!expected.some((type) => type === message.type)) {
      if (!answered) throw notAReceiver(to);
      throw new Error(`unexpected ${message.type} message from the receiver`);
    }
    answered = true;
    return message as Extract<TransferMessage, { type: Type }>;
  };
  let progress: ProgressReporter | undefined;
  try {
    await channel.send({ type: 'offer', name, size });
    const reply = await answer('accepted', 'failed');
    if (reply.type === 'failed') return reply; // refused: too big, or a name it will not take
    if (options.showProgress !== false)
      progress = await createProgress(`send-file ${name}`, size, { indent: options.progressIndent ?? '' });
    const hash = createHash('sha256');
    await streamFile(file.handle, size, (bytes) => sendWatched(channel, bytes, stallTimeout, conn), {
      hash,
      progress,
      bytesPerSecond: options.bytesPerSecond,
      signal,
    });
    await channel.send({ type: 'end', sha256: hash.digest('hex') });
    const receipt = await answer('saved', 'failed');
    progress?.finish(receipt.type === 'saved' ? 'done' : 'failed');
    return receipt;
  } catch (error) {
    progress?.finish('failed');
    await conn.reset(); // a receiver that stopped reading would never take a graceful goodbye
    throw error;
  } finally {
    signal?.removeEventListener('abort', cut);
  }
}

/**
 * Sends raw bytes, giving up on a receiver that takes none of them for `stallTimeout` ms: the
 * connection is reset and the send fails with a message that says so.
 */
async function sendWatched(
  channel: TransferChannel,
  bytes: Uint8Array,
  stallTimeout: number,
  conn: StreamSocket,
): Promise<void> {
  let stalled = false;
  const watchdog = setTimeout(() => {
    stalled = true;
    void conn.reset();
  }, stallTimeout);
  try {
    await channel.sendBytes(bytes);
  } catch (error) {
    throw stalled ? new Error(`the receiver took no bytes for ${stallTimeout} ms`) : error;
  } finally {
    clearTimeout(watchdog);
  }
}

export interface ReceiveOptions {
  /** Report progress on stdout. Default true. */
  readonly showProgress?: boolean;
  /** Offers of more bytes are refused before any is sent. Default {@link DEFAULT_MAX_FILE_SIZE}. */
  readonly maxSize?: number;
  /** Replace a file of the same name; by default a received file takes the next free `name (1).ext`. */
  readonly overwrite?: boolean;
  /** Milliseconds the sender may send nothing before the transfer is given up. Default 30 s. */
  readonly idleTimeout?: number;
}

/** Options of the server a receiver runs: what {@link receiveFile} reads best from. */
export const RECEIVER_SERVER_OPTIONS = { highWaterMark: RECEIVE_HIGH_WATER_MARK } as const;

/**
 * Receives one file on `conn` into `outDir`. The bytes go to a hidden temp name and get their
 * name only when size and SHA-256 match; on any failure (a dropped connection, a stall, a bad
 * message, a wrong checksum) the partial file is removed, so a file under its final name is
 * always whole. Every outcome is reported; resolves with the receipt sent back, rejects when
 * the transfer failed.
 */
export async function receiveFile(
  conn: StreamSocket,
  outDir: string,
  report: (line: string) => void,
  {
    showProgress = true,
    maxSize = DEFAULT_MAX_FILE_SIZE,
    overwrite = false,
    idleTimeout = RECEIVE_IDLE_TIMEOUT_MS,
  }: ReceiveOptions = {},
): Promise<Receipt> {
  const channel = new TransferChannel(conn);
  let name = 'a file';
  let partPath: string | undefined;
  let progress: ProgressReporter | undefined;
  try {
    const offer = await channel.next(idleTimeout);
    if (offer.type !== 'offer') throw new Error(`expected an offer, got ${offer.type}`);
    const safeName = safeFileName(offer.name);
    if (safeName === undefined) throw new Error(`refused the file name ${JSON.stringify(offer.name)}`);
    name = safeName;
    if (offer.size > maxSize)
      throw new Error(
        `${name} is ${formatBytes(offer.size)}, over the ${formatBytes(maxSize)} this receiver accepts`,
      );
    partPath = join(outDir, `.${name}.${randomBytes(6).toString('hex')}.part`);
    const digest = await receiveInto(partPath, offer.size, channel, idleTimeout, async () => {
      await channel.send({ type: 'accepted' });
      progress = showProgress ? await createProgress(`recv-file ${name}`, offer.size) : undefined;
      return progress;
    });
    const savedAs = await saveAs(partPath, outDir, name, { overwrite });
    partPath = undefined;
    progress?.finish('done');
    const renamed = savedAs === name ? '' : `, as ${name} was taken`;
    report(`recv-file: saved ${savedAs} (${offer.size} bytes, sha256 ${digest}${renamed})`);
    const receipt: Receipt = { type: 'saved', name: savedAs, sha256: digest };
    await channel.send(receipt).catch(() => {}); // saved is saved, whether the sender hears it or not
    return receipt;
  } catch (error) {
    progress?.finish('failed');
    const reason = (error as Error).message;
    if (partPath) await rm(partPath, { force: true });
    report(`recv-file: transfer of ${name} failed: ${reason}${partPath ? '; partial file removed' : ''}`);
    await channel.send({ type: 'failed', reason }).catch(() => {});
    throw error;
  } finally {
    await conn.close();
  }
}

/**
 * Creates `path`, accepts the offer (`accept`, once the file exists), writes the `size` bytes
 * that follow to it, and checks them against the sender's `end`; resolves with their SHA-256.
 */
async function receiveInto(
  path: string,
  size: number,
  channel: TransferChannel,
  idleTimeout: number,
  accept: () => Promise<ProgressReporter | undefined>,
): Promise<string> {
  await using file = await open(path, 'wx');
  const progress = await accept();
  const writer = new FileWriter(file);
  const hash = createHash('sha256');
  let received = 0;
  await channel.receiveBytes(size, idleTimeout, (bytes) => {
    hash.update(bytes);
    received += bytes.length;
    progress?.update(received);
    return writer.write(bytes);
  });
  await writer.flush();
  const end = await channel.next(idleTimeout);
  if (end.type !== 'end') throw new Error(`expected the end of the file, got ${end.type}`);
  const digest = hash.digest('hex');
  if (digest !== end.sha256) throw new Error(`checksum mismatch: sender ${end.sha256}, got ${digest}`);
  return digest;
}
