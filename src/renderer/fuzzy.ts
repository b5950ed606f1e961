// Fuzzy matching for the palette: the query's characters in order, anywhere in the text,
// scored so that what a person means ranks first — a whole-word or prefix match, then
// matches at word starts and in runs, then scattered ones. Pure, and cheap enough for a
// few thousand items per keystroke (no regex, one pass per item).

/** A score > 0 when every character of `query` appears in `text` in order; 0 otherwise. */
export function fuzzyScore(query: string, text: string): number {
  const q = query.trim().toLowerCase();
  if (!q) return 1;
  const t = text.toLowerCase();
  const direct = t.indexOf(q);
  if (direct >= 0) {
    // A substring: best at the start, then at a word start, then anywhere.
    const atWord = direct === 0 || isBoundary(t, direct);
    return 1000 - direct + (direct === 0 ? 500 : atWord ? 300 : 0) + (t.length === q.length ? 200 : 0);
  }
  let score = 0;
  let ti = 0;
  let run = 0;
  for (let qi = 0; qi < q.length; qi++) {
    const ch = q[qi];
    if (ch === ' ') continue; // words of the query may match apart
    let found = -1;
    for (let i = ti; i < t.length; i++) {
      if (t[i] === ch) {
        found = i;
        break;
      }
    }
    if (found < 0) return 0;
    run = found === ti && qi > 0 ? run + 1 : 0;
    score += 10 + run * 8 + (isBoundary(t, found) ? 15 : 0) - Math.min(found - ti, 10);
    ti = found + 1;
  }
  return Math.max(1, score);
}

function isBoundary(text: string, index: number): boolean {
  if (index === 0) return true;
  const before = text[index - 1];
  return before === ' ' || before === '-' || before === '_' || before === '.' || before === ':' || before === '/' || before === '→';
}
