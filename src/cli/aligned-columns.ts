/**
 * The rows' leading columns padded to the widest of the rows, each at most `limit` characters (a
 * longer value is left as it is; COLUMN_LIMIT by default), then the rest
 * of the row, two spaces between: `notify list` (status, receiver, notice id, type, severity) and
 * `silence list` (id, state, source). New-user trials: a list with `still-degraded`, `(warning)` and
 * `(critical)`, `webhook[ops]` and `webhook[chat]` had its servers at a different place on every line;
 * a silence list's windows began wherever its ids and states ended.
 */
export function alignedColumns(
  rows: ReadonlyArray<{ readonly columns: readonly string[]; readonly rest: string }>,
  limit = COLUMN_LIMIT,
): string[] {
  const widths: number[] = [];
  for (const { columns } of rows)
    columns.forEach((c, i) => (widths[i] = Math.min(limit, Math.max(widths[i] ?? 0, c.length))));
  return rows.map(({ columns, rest }) =>
    [...columns.map((c, i) => c.padEnd(widths[i] ?? 0)), rest].join('  '),
  );
}

/** The widest a padded column gets: a longer value (a long receiver name) is left as it is. */
export const COLUMN_LIMIT = 40;
