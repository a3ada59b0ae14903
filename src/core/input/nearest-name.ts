/**
 * The known name nearest to `name` (a mistyped setting: `APPGW_TARGET` → `APPGW_TARGETS`), or
 * undefined when none is near enough to be a likely typo. First the one name it begins, when it is 3
 * characters or more and at least half of that name (`--conf` → config, `ren` → render; several
 * such names: none of them, `APPGW_NOTIFY` begins a dozen). Else the name within the fewest edits
 * (insertions, deletions, substitutions, swaps of neighbours: editDistance), at most a third of the
 * name's length, at least 2, but 1 for a name of up to 4 characters (break trials: `up` → run, `end` →
 * add, `url` → arm), and at most half of the rest past the start the two share, at least 1
 * (`APPGW_NOTIFY_WAIT` → APPGW_NOTIFY_FOR, a break trial).
 * Case is ignored (a setting typed in lower case is its known name). Ties go to the name listed first.
 */
export function nearestName(name: string, known: readonly string[]): string | undefined {
  const wanted = name.toUpperCase();
  const begun = known.filter((candidate) => {
    const upper = candidate.toUpperCase();
    return wanted.length >= 3 && upper.startsWith(wanted) && wanted.length * 2 >= upper.length;
  });
  if (begun.length === 1) return begun[0];
  const ambiguous = new Set(begun);
  const limit = wanted.length <= 4 ? 1 : Math.max(2, Math.floor(wanted.length / 3));
  let best: { name: string; distance: number } | undefined;
  for (const candidate of known) {
    if (ambiguous.has(candidate)) continue;
    // And at most half of what differs past the start the two share: a prefix every setting has
    // (`APPGW_NOTIFY_`) counted toward the allowance, and `APPGW_NOTIFY_WAIT` was told "did you mean
    // APPGW_NOTIFY_FOR?", its rest changed whole (a break trial).
    const upper = candidate.toUpperCase();
    const shared = sharedStart(wanted, upper);
    const rest = Math.max(wanted.length, upper.length) - shared;
    const distance = editDistance(wanted.slice(shared), upper.slice(shared));
    if (distance <= Math.min(limit, Math.max(1, Math.floor(rest / 2))) && (!best || distance < best.distance))
      best = { name: candidate, distance };
  }
  return best?.name;
}

/** How many characters `a` and `b` share at their start. */
function sharedStart(a: string, b: string): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

/**
 * ` (did you mean "targets"?)`: the name nearest `name` (nearestName) as an error message's tail,
 * written by `shown` (`--config` for an option); empty when none is near. One wording for verbs,
 * sub-verbs, options and configuration keys.
 */
export function didYouMean(
  name: string,
  known: readonly string[],
  shown: (name: string) => string = (near) => `"${near}"`,
): string {
  const near = nearestName(name, known);
  return near === undefined ? '' : ` (did you mean ${shown(near)}?)`;
}

/**
 * Edit distance with a swap of two neighbouring letters as one edit (optimal string alignment: `rnu` is
 * 1 from `run`, where Levenshtein's 2 put a short verb's commonest typo past its limit of 1; a final
 * break trial). Rows of the table kept: O(a × b) time, O(b) memory.
 */
export function editDistance(a: string, b: string): number {
  let beforePrevious: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      let distance = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        distance = Math.min(distance, (beforePrevious[j - 2] ?? 0) + 1);
      current[j] = distance;
    }
    beforePrevious = previous;
    previous = current;
  }
  return previous[b.length] ?? 0;
}
