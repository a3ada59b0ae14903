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
          message: `"${value}" is not a duration from ${durationText(minInMs)} to ${durationText(maxInMs)}, such as ${examplesWithin(minInMs, maxInMs)}`,
        });
        return z.NEVER;
      }
      return ms;
    }),
  );
}

/** Examples offered in the error, in the order tried; only those the field takes are shown. */
const EXAMPLES = ['30m', '4h', '1h30m', '12h', '7d', '30d'];

/**
 * Up to three examples within [minInMs, maxInMs], quoted: an error that suggests a value the field
 * refuses (retention's "30m" under its 1h floor) sends people round in circles.
 */
function examplesWithin(minInMs: number, maxInMs: number): string {
  const fit = EXAMPLES.filter((e) => {
    const ms = parseDuration(e) ?? 0;
    return ms >= minInMs && ms <= maxInMs;
  })
    .slice(0, 3)
    .map((e) => `"${e}"`);
  if (fit.length === 0) return `"${durationText(minInMs)}"`;
  return fit.length === 1 ? (fit[0] as string) : `${fit.slice(0, -1).join(', ')} or ${fit.at(-1)}`;
}

/** A bound as people write it: the largest unit that divides it (3 600 000 → "1h", 90 000 → "90s"). */
export function durationText(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    const size = UNIT_IN_MS[unit] as number;
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
