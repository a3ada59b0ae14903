/**
 * Counts said in words for people: `1 notice`, `2 notices`, never `2 notice(s)`. Pure.
 */

/**
 * `n` and the noun agreeing with it: `counted(1, 'notice')` → `1 notice`, `counted(3, 'notice')` →
 * `3 notices`; `plural` for a noun not made with `s` (`counted(2, 'reply', 'replies')`).
 */
export function counted(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}

/**
 * The items named, at most `shown` of them, then `and N more`: `a, b and c`, `a, b, c and 2 more`.
 * Empty for none. The caller clips each item (a count alone would hide what it counts).
 */
export function namedList(items: readonly string[], shown = 3): string {
  if (items.length === 0) return '';
  if (items.length > shown) return `${items.slice(0, shown).join(', ')} and ${items.length - shown} more`;
  if (items.length === 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1) ?? ''}`;
}
