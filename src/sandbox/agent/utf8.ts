// Shell output must never end a message inside a UTF-8 sequence (spec 8.2).

/**
 * Length of the prefix of `buf` that ends on a character boundary. At most 3 trailing
 * bytes (an incomplete sequence) are left for the next chunk; invalid bytes are passed on.
 */
export function completeUtf8Length(buf: Buffer): number {
  const len = buf.length;
  // Walk back over at most 3 continuation bytes to the lead byte of the last sequence.
  for (let back = 1; back <= 4 && back <= len; back++) {
    const b = buf[len - back];
    if ((b & 0xc0) === 0x80) continue; // continuation byte
    const need = b >= 0xf0 && b < 0xf8 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > back ? len - back : len;
  }
  return len;
}

/**
 * Cuts `buf` into pieces of at most `max` bytes that end on character boundaries
 * (a piece may be shorter; a run of invalid bytes is cut at `max`).
 */
export function splitUtf8(buf: Buffer, max: number): Buffer[] {
  const out: Buffer[] = [];
  let off = 0;
  while (buf.length - off > max) {
    let end = off + completeUtf8Length(buf.subarray(off, off + max));
    if (end === off) end = off + max;
    out.push(buf.subarray(off, end));
    off = end;
  }
  if (off < buf.length) out.push(buf.subarray(off));
  return out;
}
