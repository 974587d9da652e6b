/** Splits `data` at the given offsets (sorted, deduplicated, clamped), as a peer's writes might arrive. */
export function chunkAt(data: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((cut) => Math.max(0, Math.min(data.length, cut))))].sort(
    (a, b) => a - b,
  );
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const point of [...points, data.length]) {
    if (point > start) chunks.push(data.subarray(start, point));
    start = Math.max(start, point);
  }
  return chunks;
}

/** One chunk per byte: the worst case for any decoder. */
export function everyByte(data: Uint8Array): Uint8Array[] {
  return Array.from({ length: data.length }, (_, index) => data.subarray(index, index + 1));
}

/** Deterministic pseudo-random cut points (xorshift), so a failing test repeats. */
export function randomCuts(length: number, count: number, seed = 1): number[] {
  let state = seed || 1;
  const cuts: number[] = [];
  for (let index = 0; index < count; index++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    cuts.push(Math.abs(state) % (length + 1));
  }
  return cuts;
}
