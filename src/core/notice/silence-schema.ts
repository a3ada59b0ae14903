import * as z from '../input/zod';
import { CAUSE_IDS, isCauseId } from '../causes';
import { isKnownTimeZone, readClockTime, WEEKDAYS, type Silence } from './silence';

/**
 * The one schema of a silence (silence.ts), for the config (`notify.silences`, app setting
 * `APPGW_NOTIFY_SILENCES`) and the silences `appgw-insights silence add` stores with the notify state.
 * Strict: a misspelt matcher would otherwise silence more than meant.
 */
const isoTime = z
  .string()
  .check(
    z.refine(
      (value) => /(Z|[+-]\d\d:\d\d)$/i.test(value) && !Number.isNaN(Date.parse(value)),
      'must be an ISO 8601 date-time with a zone (Z or ±HH:MM), e.g. "2026-12-01T22:00:00Z"',
    ),
  );
const name = z.string().check(z.minLength(1), z.maxLength(90));

/**
 * The matchers a silence and a receiver's routing rule (receiver-rules-schema.ts) share, one field
 * each. Name globs here take any name: stored silences (`silence add`) must stay readable, so the
 * stricter glob check (`nameGlob`) is the routing rules' (a new key, with no stored values to keep).
 */
export const silenceMatcherShape = {
  subscription: z.optional(name),
  resourceGroup: z.optional(name),
  gateway: z.optional(name),
  backendPool: z.optional(name),
  cause: z.optional(z.string().check(z.refine(isCauseId, `must be one of ${CAUSE_IDS.join(', ')}`))),
  tags: z.optional(z.record(z.string().check(z.minLength(1)), z.string())),
};

/**
 * A name glob (silence.ts, globMatches): `*` and `?` are its only wildcards. Characters no Azure name
 * of these kinds can hold are refused, so a pattern written as a regular expression (`prod-.+`,
 * `^web$`), a character class (`web[12]`) or a brace list (`{a,b}`) is named instead of never matching:
 * gateway and pool names take letters, digits, `_`, `.`, `-`; resource group names also `(` `)`
 * (learn.microsoft.com azure/azure-resource-manager/management/resource-name-rules,
 * Microsoft.Network/applicationGateways and Microsoft.Resources/resourcegroups).
 */
const GLOB_REFUSED = /[[\]{}\\^$+|!,/\s<>"'=;:#%&@~`]/u;
export const nameGlob = name.check(
  z.refine(
    (value) => !GLOB_REFUSED.test(value),
    'is not a name glob: use letters, digits, "_", ".", "-", "(", ")" and the wildcards "*" (any run) and "?" (one character); no regular expressions, classes or lists',
  ),
);

const matchersSchema = z
  .strictObject(silenceMatcherShape)
  .check(
    z.refine(
      (m) => Object.values(m).some((v) => v !== undefined),
      'must hold at least one matcher (subscription, resourceGroup, gateway, backendPool, cause, tags)',
    ),
  );

const weeklySchema = z
  .strictObject({
    days: z.array(z.enum(WEEKDAYS)).check(z.minLength(1)),
    from: z.string().check(z.refine((v) => readClockTime(v) !== undefined, 'must be HH:MM, 00:00–23:59')),
    to: z.string().check(z.refine((v) => readClockTime(v, true) !== undefined, 'must be HH:MM, 00:00–24:00')),
    timeZone: z
      .string()
      .check(
        z.refine(
          isKnownTimeZone,
          'must be an IANA time zone ("Europe/Berlin"), "UTC" or an offset ("+02:00")',
        ),
      ),
  })
  .check(z.refine((w) => readClockTime(w.from) !== readClockTime(w.to, true), 'from and to must differ'));

export const silenceSchema = z
  .strictObject({
    id: z.string().check(z.regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1–64 letters, digits, "_", "." or "-"')),
    matchers: matchersSchema,
    startsAt: z.optional(isoTime),
    endsAt: z.optional(isoTime),
    weekly: z.optional(weeklySchema),
    expiredAt: z.optional(isoTime),
    comment: z.optional(z.string().check(z.maxLength(500))),
    createdBy: z.optional(z.string().check(z.maxLength(200))),
  })
  .check(
    z.refine(
      (s) =>
        s.weekly !== undefined
          ? s.startsAt === undefined && s.endsAt === undefined
          : s.startsAt !== undefined &&
            s.endsAt !== undefined &&
            Date.parse(s.endsAt) > Date.parse(s.startsAt),
      'needs either startsAt and endsAt (endsAt after startsAt) or weekly, not both',
    ),
  );

/** A list of silences whose ids are unique. */
export const silencesSchema = z
  .array(silenceSchema)
  .check(
    z.refine((list) => new Set(list.map((s) => s.id)).size === list.length, 'silence ids must be unique'),
  );

/** Compile-time check that the schema's output is a Silence. */
export type SilenceInput = z.infer<typeof silenceSchema>;
const _isSilence = (s: SilenceInput): Silence => s;
void _isSilence;
