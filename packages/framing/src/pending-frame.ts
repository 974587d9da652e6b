import { smallBuffer } from '@sockkit/core/internals';

/** Chunks smaller than this are copied into a growing buffer rather than kept as views, so one-byte writes cannot pile up view objects. */
const SMALL_CHUNK = 1024;
/** Capacity of each buffer that collects small chunks; it bounds memory beyond the bytes received. */
const COLLECT_CAPACITY = 64 * 1024;

/**
 * The one frame a decoder is collecting across chunks: its bytes are copied exactly once into
 * the frame's own buffer. The pieces of a large frame's first half are kept as they arrive (so
 * memory follows bytes received, not bytes declared), and once half of it is here the buffer is
 * allocated and the rest is copied in while still hot in cache. Or, begun `inPieces`, it is not
 * copied at all: it completes as the list of its pieces (views of the chunks it arrived in).
 */
export class PendingFrame {
  /** Bytes of the frame being collected; -1 when none is. */
  length = -1;
  /** Header bytes before it (counted in `bufferedBytes`, not part of the frame). */
  headerLength = 0;
  /** It completes as its pieces, uncopied ({@link appendPiece}), not as one buffer ({@link append}). */
  inPieces = false;

  #pieces: Uint8Array[] = [];
  #piecesBytes = 0;
  #collect: Uint8Array | null = null;
  #collectUsed = 0;
  /** The frame's own buffer, once allocated (see #append). */
  #frame: Uint8Array | null = null;
  #frameUsed = 0;

  /** Bytes of the frame received so far. */
  get received(): number {
    return this.#piecesBytes + this.#collectUsed + this.#frameUsed;
  }

  /** Starts collecting a frame of `length` bytes after a header of `headerLength`, as one buffer or `inPieces`. */
  begin(length: number, headerLength: number, inPieces: boolean): void {
    this.length = length;
    this.headerLength = headerLength;
    this.inPieces = inPieces;
  }

  /**
   * {@link append} for a frame begun `inPieces`: keeps `chunk[from, to)` as a view (chunks under
   * 1 KiB are gathered by copying, so one-byte writes cannot pile up views); returns the pieces,
   * in order, once they complete the frame, else `null`.
   */
  appendPiece(chunk: Uint8Array, from: number, to: number): Uint8Array[] | null {
    this.#keep(chunk, from, to);
    if (this.received < this.length) return null;
    this.#sealCollect();
    const pieces = this.#pieces;
    this.clear();
    return pieces;
  }

  /**
   * Adds `chunk[from, to)` to the frame; returns the completed frame once this fills it (`to`
   * must not pass its end), else `null`. Until half of a large frame has arrived, its bytes are
   * kept as pieces; from then on, and for frames up to 64 KiB from the start, they are copied
   * straight into its own buffer. Either way each byte is copied once.
   */
  append(chunk: Uint8Array, from: number, to: number): Uint8Array | null {
    const length = to - from;
    let frame = this.#frame;
    if (frame === null) {
      const received = this.#piecesBytes + this.#collectUsed;
      if (this.length > COLLECT_CAPACITY && 2 * (received + length) < this.length) {
        this.#keep(chunk, from, to);
        return null;
      }
      frame = this.#allocate();
    }
    copyInto(frame, this.#frameUsed, chunk, from, length);
    this.#frameUsed += length;
    if (this.#frameUsed < this.length) return null;
    this.length = -1;
    this.#frame = null;
    this.#frameUsed = 0;
    return frame;
  }

  /** Drops what was collected (the decoder failed). */
  clear(): void {
    this.length = -1;
    this.#pieces = [];
    this.#piecesBytes = 0;
    this.#collect = null;
    this.#collectUsed = 0;
    this.#frame = null;
    this.#frameUsed = 0;
  }

  /** Allocates the frame's buffer and moves the pieces kept so far into it. */
  #allocate(): Uint8Array {
    const frame = allocateFrame(this.length);
    let at = 0;
    for (const piece of this.#pieces) {
      frame.set(piece, at);
      at += piece.length;
    }
    if (this.#collect !== null) {
      copyInto(frame, at, this.#collect, 0, this.#collectUsed);
      at += this.#collectUsed;
    }
    this.#pieces = [];
    this.#piecesBytes = 0;
    this.#collect = null;
    this.#collectUsed = 0;
    this.#frame = frame;
    this.#frameUsed = at;
    return frame;
  }

  /** Keeps bytes of the first half of a large frame: big chunks as views, small ones copied into 64 KiB buffers. */
  #keep(chunk: Uint8Array, from: number, to: number): void {
    if (to - from >= SMALL_CHUNK) {
      this.#sealCollect();
      this.#pieces.push(chunk.subarray(from, to));
      this.#piecesBytes += to - from;
      return;
    }
    while (from < to) {
      let collect = this.#collect;
      if (collect === null || this.#collectUsed === collect.length) {
        this.#sealCollect();
        collect = this.#collect = new Uint8Array(COLLECT_CAPACITY);
      }
      const take = Math.min(collect.length - this.#collectUsed, to - from);
      copyInto(collect, this.#collectUsed, chunk, from, take);
      this.#collectUsed += take;
      from += take;
    }
  }

  /** Moves the collecting buffer into the piece list, trimmed so unused capacity is not retained. */
  #sealCollect(): void {
    const collect = this.#collect;
    if (collect === null || this.#collectUsed === 0) return;
    const used = this.#collectUsed;
    this.#pieces.push(used === collect.length ? collect : collect.slice(0, used));
    this.#piecesBytes += used;
    this.#collect = null;
    this.#collectUsed = 0;
  }
}

/**
 * A `Buffer` for a payload of which every byte gets written, so all but the tiny ones skip
 * zero-filling: tiny ones on V8's heap (zeroed, as cheap at that size); below 4 KiB carved from Node's shared 8 KiB pool (one allocation per pool, not per
 * frame: 2-3x faster for small frames split across chunks); larger ones in their own memory, so a
 * kept frame never pins more than a pool. `Buffer.allocUnsafe` makes that choice itself.
 */
function allocateFrame(length: number): Uint8Array {
  return length <= 64 ? smallBuffer(length) : Buffer.allocUnsafe(length);
}

/** Copies `length` bytes; a plain loop for the few bytes of one-byte writes, where `subarray` + `set` cost more than the copy. */
export function copyInto(
  target: Uint8Array,
  at: number,
  source: Uint8Array,
  from: number,
  length: number,
): void {
  if (length < 16) {
    for (let index = 0; index < length; index++) target[at + index] = source[from + index]!;
  } else {
    target.set(source.subarray(from, from + length), at);
  }
}
