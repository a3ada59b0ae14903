import { datableTime } from '../datable-time';
import * as z from '../input/zod';
import { formatPath } from '../input/format-issues';
import { terminalSafe } from '../input/json-text';
import { matcherObject, matcherShape, MATCHER_KEYS } from './matcher-schema';
import { isKnownTimeZone, readClockTime, WEEKDAYS, type Silence } from './silence';

/**
 * The one schema of a silence (silence.ts), for the config (`notify.silences`, app setting
 * `APPGW_NOTIFY_SILENCES`) and the silences `appgw-insights silence add` stores with the notify state.
 * Its matchers are the one matcher validator (matcher-schema.ts), shared with receivers' `match`.
 * Every problem of an entry is reported in one round: the checks of the whole entry (a window, ends
 * after starts, at least one matcher) run on what parsed even when a field was refused (issue 15).
 */
const ISO_EXAMPLE = '"2026-12-01T22:00:00Z"';
const isoTime = z
  .string({ error: `must be an ISO 8601 date-time with a zone (text), e.g. ${ISO_EXAMPLE}` })
  .check(
    z.refine(
      (value) => isoMs(value) !== undefined,
      `must be an ISO 8601 date-time with a zone (Z or ±HH:MM) of the years 0000 to 9999, e.g. ${ISO_EXAMPLE}`,
    ),
  );

/**
 * `value` as ms since the epoch when it is an ISO date-time with a zone of the years 0000 to 9999
 * (datableTime: one at the end of JavaScript's dates was stored, a break trial), else undefined.
 */
function isoMs(value: unknown): number | undefined {
  if (typeof value !== 'string' || !/(Z|[+-]\d\d:\d\d)$/i.test(value)) return undefined;
  return datableTime(value);
}

const ALWAYS = { when: () => true } as const;

const weeklySchema = z
  .strictObject(
    {
      days: z
        .array(z.enum(WEEKDAYS, { error: `must be a day: ${WEEKDAYS.join(', ')}` }), {
          error: `must be a list of days, e.g. ["sat", "sun"] (${WEEKDAYS.join(', ')})`,
        })
        .check(z.minLength(1, `must list at least one day (${WEEKDAYS.join(', ')})`)),
      from: z
        .string({ error: 'must be "HH:MM", 00:00–23:59' })
        .check(z.refine((v) => readClockTime(v) !== undefined, 'must be "HH:MM", 00:00–23:59')),
      to: z
        .string({ error: 'must be "HH:MM", 00:00–24:00' })
        .check(z.refine((v) => readClockTime(v, true) !== undefined, 'must be "HH:MM", 00:00–24:00')),
      timeZone: z
        .string({ error: 'must be an IANA time zone ("Europe/Berlin"), "UTC" or an offset ("+02:00")' })
        .check(
          z.refine(
            isKnownTimeZone,
            'must be an IANA time zone ("Europe/Berlin"), "UTC" or an offset ("+02:00")',
          ),
        ),
    },
    { error: 'must be {"days": [...], "from": "HH:MM", "to": "HH:MM", "timeZone": "..."}' },
  )
  .check(
    z.superRefine((w: unknown, ctx) => {
      const { from, to } = (typeof w === 'object' && w !== null ? w : {}) as Record<string, unknown>;
      if (typeof from !== 'string' || typeof to !== 'string') return;
      const start = readClockTime(from);
      if (start !== undefined && start === readClockTime(to, true))
        ctx.addIssue({
          code: 'custom',
          input: to,
          path: ['to'],
          message: `is the same time as "from" (${from}): a window from a time to itself is empty; for a whole day write "from": "00:00", "to": "24:00"`,
        });
    }, ALWAYS),
  );

/** What a silence id is: also what `silence expire` can be given, in an entry otherwise invalid. */
const SILENCE_ID = /^[A-Za-z0-9_.-]{1,64}$/;

const silenceShape = {
  id: z
    .string({ error: 'must be text: 1–64 letters, digits, "_", "." or "-"' })
    .check(z.regex(SILENCE_ID, 'must be 1–64 letters, digits, "_", "." or "-"')),
  matchers: matcherObject(
    matcherShape,
    `must hold at least one matcher (${MATCHER_KEYS.join(', ')}): a silence of everything is refused`,
  ),
  startsAt: z.optional(isoTime),
  endsAt: z.optional(isoTime),
  weekly: z.optional(weeklySchema),
  expiredAt: z.optional(isoTime),
  comment: z.optional(z.string().check(z.maxLength(500, 'must be at most 500 characters'))),
  createdBy: z.optional(z.string().check(z.maxLength(200, 'must be at most 200 characters'))),
};

/**
 * The window of a silence as a whole, checked on what was given even when a field was refused: one-off
 * (`startsAt` and `endsAt`, ends after it starts) or weekly, not both, not neither.
 */
function windowProblems(value: unknown, ctx: z.core.$RefinementCtx<unknown>): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return;
  const s = value as Record<string, unknown>;
  const add = (path: string[], message: string) =>
    ctx.addIssue({ code: 'custom', input: value, path, message });
  const oneOff = s['startsAt'] !== undefined || s['endsAt'] !== undefined;
  if (s['weekly'] !== undefined) {
    if (oneOff)
      add([], 'give either "startsAt" and "endsAt" (one window) or "weekly" (a recurring one), not both');
    return;
  }
  if (s['startsAt'] === undefined && s['endsAt'] === undefined) {
    add([], `needs a window: "startsAt" and "endsAt" (ISO date-times, e.g. ${ISO_EXAMPLE}) or "weekly"`);
    return;
  }
  if (s['startsAt'] === undefined)
    add(['startsAt'], `is missing: when the silence starts, e.g. ${ISO_EXAMPLE}`);
  if (s['endsAt'] === undefined)
    add(['endsAt'], `is missing: when the silence ends (after "startsAt"), e.g. ${ISO_EXAMPLE}`);
  const starts = isoMs(s['startsAt']);
  const ends = isoMs(s['endsAt']);
  if (starts !== undefined && ends !== undefined && ends <= starts)
    add(
      ['endsAt'],
      `${ends === starts ? 'is the same as' : 'is before'} "startsAt" (${String(s['startsAt'])}): a silence ends after it starts; give an "endsAt" later than "startsAt"`,
    );
}

export const silenceSchema = z
  .strictObject(silenceShape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}; a silence has ${Object.keys(silenceShape).join(', ')}`
        : 'must be a silence: {"id", "matchers", "startsAt" and "endsAt" or "weekly", "comment"}',
  })
  .check(z.superRefine(windowProblems, ALWAYS));

/** A list of silences whose ids are unique (checked even when an entry was refused). */
export const silencesSchema = z.array(silenceSchema, { error: 'must be a list of silences' }).check(
  z.superRefine((list: unknown, ctx) => {
    if (!Array.isArray(list)) return;
    const seen = new Set<string>();
    list.forEach((s: unknown, index) => {
      const id = typeof s === 'object' && s !== null ? (s as Record<string, unknown>)['id'] : undefined;
      if (typeof id !== 'string') return;
      if (seen.has(id))
        ctx.addIssue({
          code: 'custom',
          input: id,
          path: [index, 'id'],
          message: `"${id}" is the id of an earlier silence; silence ids must be unique`,
        });
      seen.add(id);
    });
  }, ALWAYS),
);

/** One entry of a stored silence list, checked on its own: the silence, or why it is not one. */
export type StoredSilenceEntry =
  | { readonly raw: unknown; readonly silence: Silence; readonly id: string }
  | {
      readonly raw: unknown;
      readonly silence?: undefined;
      /** Its id when it is a usable one (text `silence expire` can be given), else undefined. */
      readonly id: string | undefined;
      /** `field: problem` lines (terminal-safe: a stored document may hold anything). */
      readonly problems: readonly string[];
    };

/**
 * Each entry of a stored silence list (`silence add`'s document) checked on its own with
 * `silenceSchema`, so one a later release refuses (a glob an earlier one took) is not applied without
 * the others being lost. An id used by an earlier entry makes the later entry invalid (ids are unique).
 * `raw` is the entry as stored, to be written back unchanged.
 */
export function readStoredSilenceEntries(list: readonly unknown[]): StoredSilenceEntry[] {
  const seen = new Set<string>();
  return list.map((raw) => {
    const rawId =
      typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>)['id'] : undefined;
    const id = typeof rawId === 'string' && SILENCE_ID.test(rawId) ? rawId : undefined;
    const parsed = silenceSchema.safeParse(raw);
    const problems = parsed.success
      ? []
      : parsed.error.issues.map((i) => terminalSafe(`${formatPath(i.path) || '(entry)'}: ${i.message}`));
    if (id !== undefined && seen.has(id))
      problems.push(`id: "${id}" is the id of an earlier silence; silence ids must be unique`);
    if (id !== undefined) seen.add(id);
    return parsed.success && problems.length === 0
      ? { raw, silence: parsed.data as Silence, id: parsed.data.id }
      : { raw, id, problems };
  });
}

/** Compile-time check that the schema's output is a Silence. */
export type SilenceInput = z.infer<typeof silenceSchema>;
const _isSilence = (s: SilenceInput): Silence => s;
void _isSilence;
