/** Marks a field to delete in `withEdits`. */
export const DELETE = Symbol('delete');

/**
 * A deep copy of `base` (a parsed JSON fixture) with each dotted path (`data.essentials.severity`,
 * `data.alertContext.condition.allOf.0.metricName`) set to its value, or deleted for DELETE: the
 * fixture with one thing wrong, for tables of refused inputs.
 */
export function withEdits(base: unknown, edits: Readonly<Record<string, unknown>>): unknown {
  const copy = structuredClone(base);
  for (const [path, value] of Object.entries(edits)) {
    const keys = path.split('.');
    let node = copy as Record<string, unknown>;
    for (const key of keys.slice(0, -1)) node = node[key] as Record<string, unknown>;
    const last = keys[keys.length - 1] ?? '';
    if (value === DELETE) delete node[last];
    else node[last] = value;
  }
  return copy;
}
