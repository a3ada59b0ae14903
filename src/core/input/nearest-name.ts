/**
 * The known name nearest to `name` (a mistyped setting: `APPGW_TARGET` → `APPGW_TARGETS`), or
 * undefined when none is near enough to be a likely typo: at most a third of the name's length in
 * edits (insertions, deletions, substitutions; Levenshtein), at least 2, but 1 for a name of up to 4
 * characters (a break trial: `up` → run, `end` → add, `url` → arm); or a name it begins, from 3
 * characters (`--conf` → config). Case is ignored (a setting typed in lower case is its known name).
 * Ties go to the name listed first.
 */
export function nearestName(name: string, known: readonly string[]): string | undefined {
  const wanted = name.toUpperCase();
  const limit = wanted.length <= 4 ? 1 : Math.max(2, Math.floor(wanted.length / 3));
  let best: { name: string; distance: number } | undefined;
  for (const candidate of known) {
    const upper = candidate.toUpperCase();
    const distance = wanted.length >= 3 && upper.startsWith(wanted) ? 1 : editDistance(wanted, upper);
    if (distance <= limit && (!best || distance < best.distance)) best = { name: candidate, distance };
  }
  return best?.name;
}

/** Levenshtein distance, one row at a time: O(a × b) time, O(b) memory. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
