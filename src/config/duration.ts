import * as z from '../core/input/zod';

const UNIT_IN_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** "4h", "90m", "1h30m", "45s", "2d" → milliseconds; undefined when it is not such a duration. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^(\d+(ms|s|m|h|d))+$/.test(trimmed)) return undefined;
  let total = 0;
  for (const [, amount, unit] of trimmed.matchAll(/(\d+)(ms|s|m|h|d)/g))
    total += Number(amount) * (UNIT_IN_MS[unit ?? ''] ?? 0);
  return total;
}

/**
 * A zod field for durations written as text ("4h") and normalised to milliseconds, from `minInMs` to
 * `maxInMs` (past a bound a date computed from it is no date: 10^16 days overflow JavaScript's Date).
 */
export function durationInMs(minInMs: number, maxInMs: number) {
  return z.pipe(
    z.string(),
    z.transform((value: string, ctx) => {
      const ms = parseDuration(value);
      if (ms === undefined || ms < minInMs || ms > maxInMs) {
        ctx.issues.push({
          code: 'custom',
          input: value,
          message: `"${value}" is not a duration from ${minInMs / 1000}s to ${maxInMs / 86_400_000}d, such as "30m", "4h" or "1h30m"`,
        });
        return z.NEVER;
      }
      return ms;
    }),
  );
}
