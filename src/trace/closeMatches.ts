/**
 * "Did you mean ...?" for unknown ops, fields and names: candidates close to a misspelt word by edit distance,
 * or that begin or end with it (`IOAS_MAP` for `IOMMU_IOAS_MAP`, `READ` for `READABLE`).
 */

/** Up to `limit` candidates close to `word`, closest first, ties by name. */
export function closeMatches(word: string, candidates: readonly string[], limit = 3): string[] {
  const w = word.toUpperCase();
  const threshold = Math.max(2, Math.floor(w.length / 3));
  const scored: { name: string; d: number }[] = [];
  for (const name of candidates) {
    const c = name.toUpperCase();
    const affix = w.length >= 3 && (c.startsWith(w) || c.endsWith(w));
    const d = c === w ? 0 : affix ? 1 : editDistance(w, c);
    if (d <= threshold) scored.push({ name, d });
  }
  scored.sort((a, b) => a.d - b.d || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return scored.slice(0, limit).map((s) => s.name);
}

/** `; did you mean A or B?`, or '' when nothing is close. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const m = closeMatches(word, candidates);
  if (m.length === 0) return '';
  const list = m.length === 1 ? m[0] : `${m.slice(0, -1).join(', ')} or ${m[m.length - 1]}`;
  return `; did you mean ${list}?`;
}

/** Levenshtein distance (insert, delete, substitute: cost 1 each). */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const sub = (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      cur.push(Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, sub));
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}
