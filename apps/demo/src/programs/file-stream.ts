import type { Hash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import type { ProgressReporter } from '../cli/progress.js';

/**
 * The file's bytes between disk and socket, on the hot path of a transfer. Measured on 256 MiB
 * over loopback (apps/demo/bench): reads go into a few reused buffers (a fresh buffer per chunk
 * drove most of the sender's garbage collection), the next read is under way while a chunk is
 * sent and hashed, and the receiver writes many received chunks with one `writev` while the
 * next ones arrive, so disk, socket and SHA-256 overlap instead of taking turns.
 */

/** Bytes per file read: big enough to amortise a thread-pool round trip, small enough to keep progress smooth. */
export const READ_SIZE = 1024 * 1024;
/** Read buffers in use at once: one being read into, the others being sent. */
const READ_BUFFERS = 3;
/** Received bytes gathered into one `writev`, or this many chunks, whichever comes first. */
const WRITE_BATCH_BYTES = 1024 * 1024;
const WRITE_BATCH_CHUNKS = 64;
/** `writev`s under way at once; past this, the receiver stops reading the socket until one finishes. */
const WRITES_IN_FLIGHT = 4;

export interface StreamFileOptions {
  readonly hash: Hash;
  readonly progress?: ProgressReporter | undefined;
  /** Cap on throughput, like curl's --limit-rate. */
  readonly bytesPerSecond?: number | undefined;
  readonly signal?: AbortSignal | undefined;
}

/**
 * Under a rate cap, reads small enough for about four a second: a whole megabyte at a slow rate
 * would leave the receiver silent for longer than it waits (and the progress frozen).
 */
function readSizeFor(bytesPerSecond: number | undefined): number {
  if (bytesPerSecond === undefined) return READ_SIZE;
  return Math.min(READ_SIZE, Math.max(1024, Math.floor(bytesPerSecond / 4)));
}

/**
 * Reads `size` bytes from `file` (from where it stands: a pipe works too) and hands them to
 * `send` in order, hashing them; resolves when the last `send` resolved. A buffer is read into
 * again only once the `send` of its bytes resolved (the kernel has them).
 */
export async function streamFile(
  file: FileHandle,
  size: number,
  send: (bytes: Uint8Array) => Promise<void>,
  { hash, progress, bytesPerSecond, signal }: StreamFileOptions,
): Promise<void> {
  const readSize = readSizeFor(bytesPerSecond);
  const buffers = Array.from({ length: READ_BUFFERS }, () => Buffer.allocUnsafe(readSize));
  const sending: Promise<void>[] = [];
  const started = performance.now();
  const readInto = (index: number, offset: number) =>
    file.read(buffers[index % READ_BUFFERS]!, 0, Math.min(readSize, size - offset), null);
  let sent = 0;
  let reading = size > 0 ? readInto(0, 0) : undefined;
  for (let index = 0; reading !== undefined; index += 1) {
    const { bytesRead, buffer } = await reading;
    if (bytesRead === 0) throw new Error(`the file ended after ${sent} of the ${size} bytes offered`);
    const bytes = buffer.subarray(0, bytesRead);
    sent += bytesRead;
    // The next read goes into the buffer whose bytes went out longest ago.
    await sending[(index + 1) % READ_BUFFERS];
    reading = sent < size ? readInto(index + 1, sent) : undefined;
    // One send at a time: two sendAll calls under way at once may interleave their slices on the wire.
    const sendingThis = (sending[(index + READ_BUFFERS - 1) % READ_BUFFERS] ?? Promise.resolve()).then(() =>
      send(bytes),
    );
    sending[index % READ_BUFFERS] = sendingThis;
    sendingThis.catch(() => {}); // awaited below or when its buffer comes round again
    hash.update(bytes); // while the kernel sends and the thread pool reads
    progress?.update(sent);
    if (bytesPerSecond) {
      const due = (sent / bytesPerSecond) * 1000 - (performance.now() - started);
      if (due > 0) await delay(due, undefined, signal ? { signal } : {});
    }
  }
  await Promise.all(sending);
}

/**
 * Writes received chunks at increasing positions of `file`: gathered into batches, each written
 * by one `writev` while the next batch fills. `write` returns a promise only when too many
 * writes are under way; awaiting it before the next `recv` is the backpressure that, through
 * TCP, slows the sender to the disk's pace.
 */
export class FileWriter {
  readonly #file: FileHandle;
  #batch: Uint8Array[] = [];
  #batchBytes = 0;
  #position = 0;
  readonly #writing: Promise<unknown>[] = [];
  #failure: unknown;

  constructor(file: FileHandle) {
    this.#file = file;
  }

  write(chunk: Uint8Array): Promise<void> | undefined {
    if (this.#failure !== undefined) throw this.#failure;
    this.#batch.push(chunk);
    this.#batchBytes += chunk.length;
    if (this.#batchBytes < WRITE_BATCH_BYTES && this.#batch.length < WRITE_BATCH_CHUNKS) return undefined;
    this.#writeBatch();
    return this.#writing.length >= WRITES_IN_FLIGHT ? this.#settleOldest() : undefined;
  }

  /** Writes what is left and waits for every write; rejects with the first that failed. */
  async flush(): Promise<void> {
    if (this.#batchBytes > 0) this.#writeBatch();
    while (this.#writing.length > 0) await this.#settleOldest();
  }

  #writeBatch(): void {
    const bytes = this.#batchBytes;
    const written = this.#file
      .writev(this.#batch, this.#position)
      .then(({ bytesWritten }) => {
        if (bytesWritten !== bytes)
          throw new Error(`the disk took ${bytesWritten} of ${bytes} bytes (full?)`);
      })
      .catch((error: unknown) => {
        this.#failure ??= error;
      });
    this.#writing.push(written);
    this.#position += this.#batchBytes;
    this.#batch = [];
    this.#batchBytes = 0;
  }

  async #settleOldest(): Promise<void> {
    await this.#writing.shift();
    if (this.#failure !== undefined) throw this.#failure;
  }
}
