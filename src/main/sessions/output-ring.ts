// The recent output of one session, kept in main so that a reloaded (or newly opened)
// window can repaint the screen and some scrollback. Positions are absolute character
// counts since the session began, so viewers and flow control can name "everything up to
// here" without copying text.

export class OutputRing {
  private chunks: string[] = [];
  /** Index in `chunks` of the first chunk still held (dropped ones are compacted away lazily). */
  private head = 0;
  private startPos = 0;
  private endPos = 0;
  /** The character just before `start` (dropped) ended a line. */
  private startsLine = true;

  /** `capacity`: characters kept once they may be dropped (see append's `keepFrom`). */
  constructor(readonly capacity: number) {}

  /** Position of the oldest character held. */
  get start(): number {
    return this.startPos;
  }

  /** Position just after the newest character: every character ever appended. */
  get end(): number {
    return this.endPos;
  }

  get length(): number {
    return this.endPos - this.startPos;
  }

  /**
   * Add output. Past the capacity the oldest text is dropped, but never text at or after
   * `keepFrom` (output no window has shown yet): the ring then grows beyond its capacity and
   * the owner's flow control must stop the producer.
   */
  append(text: string, keepFrom = Number.POSITIVE_INFINITY): void {
    if (text.length === 0) return;
    this.chunks.push(text);
    this.endPos += text.length;
    const dropTo = Math.min(this.endPos - this.capacity, keepFrom);
    if (dropTo > this.startPos) this.dropBefore(dropTo);
  }

  /** The text from `from` (clamped to what is held) to the end, as the chunks it is stored in. */
  since(from: number): string[] {
    let pos = this.startPos;
    let i = this.head;
    const out: string[] = [];
    // Skip whole chunks before `from`, cut the one it falls in.
    for (; i < this.chunks.length; i++) {
      const chunk = this.chunks[i];
      if (pos + chunk.length > from) {
        out.push(from > pos ? chunk.slice(from - pos) : chunk);
        i++;
        break;
      }
      pos += chunk.length;
    }
    for (; i < this.chunks.length; i++) out.push(this.chunks[i]);
    return out;
  }

  /**
   * Where a replay should begin: the ring's start, or — when older output was dropped in
   * the middle of a line — the next line, so a window never starts inside an escape
   * sequence or a line. Never skips past `keepFrom` (output no window has shown), and looks
   * at most `limit` characters ahead.
   */
  replayStart(keepFrom = Number.POSITIVE_INFINITY, limit = 4096): number {
    if (this.startPos === 0 || this.startsLine || this.length === 0) return this.startPos;
    const newline = this.chunks[this.head].slice(0, limit).indexOf('\n');
    if (newline < 0 || this.startPos + newline + 1 > keepFrom) return this.startPos;
    return this.startPos + newline + 1;
  }

  private dropBefore(position: number): void {
    while (this.head < this.chunks.length) {
      const chunk = this.chunks[this.head];
      if (this.startPos + chunk.length <= position) {
        this.startPos += chunk.length;
        this.startsLine = chunk.endsWith('\n');
        this.head++;
        continue;
      }
      if (position > this.startPos) {
        const cut = position - this.startPos;
        this.startsLine = chunk.charCodeAt(cut - 1) === 10;
        this.chunks[this.head] = chunk.slice(cut);
        this.startPos = position;
      }
      break;
    }
    // Compact once the dropped prefix is as long as what is kept (amortised O(1) per chunk).
    if (this.head > 64 && this.head * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
  }
}
