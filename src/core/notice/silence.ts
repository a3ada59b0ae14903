import type { CauseId } from '../causes';
import type { GatewayRef } from '../model';
import type { Severity } from './severity';

/**
 * Silences and maintenance windows (`notify.silences`, `appgw-insights silence add`): while one is
 * active and matches a server, that server's transitions are not sent but recorded (decide.ts). Modelled
 * on Alertmanager's silences (matchers + a time window, expired by hand:
 * https://prometheus.io/docs/alerting/latest/alertmanager/#silences) and, for the weekly kind, on its
 * `time_intervals` (weekdays + times + `location`, evaluated on the zone's wall clock:
 * https://prometheus.io/docs/alerting/latest/configuration/#time_interval).
 */
export interface Silence {
  /** Unique among the silences in force; `appgw-insights silence expire ID` names it. */
  readonly id: string;
  readonly matchers: SilenceMatchers;
  /** One-off window, ISO 8601 with a zone; active from `startsAt` (inclusive) to `endsAt` (exclusive). */
  readonly startsAt?: string;
  readonly endsAt?: string;
  /** Recurring window (instead of `startsAt`/`endsAt`). */
  readonly weekly?: WeeklyWindow;
  /** ISO: set by `silence expire`; the silence is inactive from then on, whatever its window says. */
  readonly expiredAt?: string;
  readonly comment?: string;
  readonly createdBy?: string;
}

/**
 * What a silence matches: every matcher given must match (AND, as Alertmanager's); at least one is
 * given (a silence of everything is refused by the schema). Names compare case-insensitively, as ARM
 * names do; `*` (any run of characters) and `?` (one character) are wildcards in the glob fields.
 */
export interface SilenceMatchers {
  /** Subscription id (exact, case-insensitive). */
  readonly subscription?: string;
  /** Resource group name glob. */
  readonly resourceGroup?: string;
  /** Gateway name glob. */
  readonly gateway?: string;
  /** Backend pool name glob. */
  readonly backendPool?: string;
  /** Cause id (causes.ts), exact, e.g. `probe-timeout`. */
  readonly cause?: string;
  /**
   * Gateway tags, every one required: names case-insensitive, values case-sensitive, as ARM treats
   * them (learn.microsoft.com azure/azure-resource-manager/management/tag-resources, "Limitations").
   * Matches only a gateway whose tags are known: a subject without tags never matches a tag matcher.
   */
  readonly tags?: Readonly<Record<string, string>>;
  /** The severity of the server's episode (severity.ts), exact. */
  readonly severity?: Severity;
}

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const DAY_NAMES = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

/** `mon`, `Monday` (any case) → its index in WEEKDAYS; undefined for anything else. */
function dayIndex(word: string): number | undefined {
  const w = word.toLowerCase();
  const index = WEEKDAYS.findIndex((d, i) => w === d || w === DAY_NAMES[i]);
  return index < 0 ? undefined : index;
}

/**
 * The days a typed list names (`silence add --weekly`): days separated by commas or spaces, each a
 * short or full English name in any case (`mon`, `Monday`) or a range `mon-fri` (Alertmanager's
 * `weekdays` take ranges too; one may wrap: `fri-mon` is fri, sat, sun, mon). Every word is read or
 * reported: `invalid` lists the ones that are no day or range, so nothing is dropped silently.
 * Returns the days in the order typed, each once. Pure.
 */
export function expandWeekdays(text: string): {
  readonly days: readonly Weekday[];
  readonly invalid: readonly string[];
} {
  const chosen = new Set<number>();
  const invalid: string[] = [];
  for (const word of text.split(/[\s,]+/).filter((w) => w !== '')) {
    const [first, last, ...rest] = word.split('-');
    const from = dayIndex(first ?? '');
    const to = last === undefined ? from : dayIndex(last);
    if (from === undefined || to === undefined || rest.length > 0) {
      invalid.push(word);
      continue;
    }
    for (let day = from; ; day = (day + 1) % 7) {
      chosen.add(day);
      if (day === to) break;
    }
  }
  return { days: [...chosen].map((i) => WEEKDAYS[i]!), invalid };
}

/**
 * Every listed day from `from` to `to` (wall-clock `HH:MM` in `timeZone`; `to` may be `24:00`). When
 * `to` is not after `from` the window runs past midnight into the next day (the day listed is the day
 * it starts: `sat 22:00–02:00` covers Saturday night into Sunday). On the wall clock means DST moves
 * it with the zone: a window in a skipped hour does not happen that day, one in a repeated hour lasts
 * both times (Alertmanager's `location` does the same).
 */
export interface WeeklyWindow {
  readonly days: readonly Weekday[];
  /** `HH:MM`, 00:00–23:59. */
  readonly from: string;
  /** `HH:MM`, 00:00–24:00; not equal to `from`. */
  readonly to: string;
  /** IANA zone (`Europe/Berlin`), `UTC`, or a fixed offset (`+02:00`), as Intl reads them. */
  readonly timeZone: string;
}

/** What a silence is matched against: one backend server's transition. */
export interface SilenceSubject {
  readonly gateway: GatewayRef & { readonly tags?: Readonly<Record<string, string>> };
  readonly backendPool: string;
  readonly causeId: CauseId | string;
  readonly severity: Severity;
}

/** Whether `silence` is in force at `now` (its window holds `now` and it was not expired before). */
export function isSilenceActive(silence: Silence, now: Date): boolean {
  const at = now.getTime();
  if (silence.expiredAt !== undefined && at >= Date.parse(silence.expiredAt)) return false;
  if (silence.weekly) return inWeeklyWindow(silence.weekly, now);
  if (silence.startsAt === undefined || silence.endsAt === undefined) return false;
  return at >= Date.parse(silence.startsAt) && at < Date.parse(silence.endsAt);
}

/** Whether a one-off silence is over for good at `now` (`silence list` shows it as expired). */
export function isSilenceOver(silence: Silence, now: Date): boolean {
  const at = now.getTime();
  if (silence.expiredAt !== undefined && at >= Date.parse(silence.expiredAt)) return true;
  return !silence.weekly && silence.endsAt !== undefined && at >= Date.parse(silence.endsAt);
}

/**
 * Whether every matcher of `matchers` matches `subject`: the one matcher of silences and of receivers'
 * `match` rules (receiver-rules.ts), whose values the one validator checks (matcher-schema.ts).
 * `unknownTags`: what a `tags` matcher says of a gateway whose tags were never read: `false` for a
 * silence (unknown tags never hold a notice back), `true` for a route's rule (unknown tags never keep
 * a notice from a receiver that may be the one for it: a pager routed by tag must not miss it).
 */
export function silenceMatches(
  matchers: SilenceMatchers,
  subject: SilenceSubject,
  unknownTags = false,
): boolean {
  const { gateway } = subject;
  if (matchers.subscription !== undefined && !sameName(matchers.subscription, gateway.subscriptionId))
    return false;
  if (matchers.resourceGroup !== undefined && !globMatches(matchers.resourceGroup, gateway.resourceGroup))
    return false;
  if (matchers.gateway !== undefined && !globMatches(matchers.gateway, gateway.name)) return false;
  if (matchers.backendPool !== undefined && !globMatches(matchers.backendPool, subject.backendPool))
    return false;
  if (matchers.cause !== undefined && matchers.cause !== subject.causeId) return false;
  if (matchers.severity !== undefined && matchers.severity !== subject.severity) return false;
  if (
    matchers.tags !== undefined &&
    !(gateway.tags === undefined ? unknownTags : tagsMatch(matchers.tags, gateway.tags))
  )
    return false;
  return true;
}

/** The silences that hold every one of several subjects together (silencedTogether). */
export interface SilencedTogether {
  /** Each silence that holds one of them, once, in the order first met. */
  readonly silenceIds: readonly string[];
  /** ISO: when the first of them is held no more (silencedUntil of each); absent when not known. */
  readonly until?: string;
}

/**
 * Whether silences active at `now` hold each of `subjects` (each matched by one at least, not
 * necessarily the same): what holds a gateway-level episode whose subject no silence matches, as
 * every server it speaks for is silenced (inhibit.ts at its decision, mute.ts at its send). Undefined
 * when one subject is not held, or there are none. Pure.
 */
export function silencedTogether(
  silences: readonly Silence[],
  subjects: readonly SilenceSubject[],
  now: Date,
): SilencedTogether | undefined {
  if (subjects.length === 0 || silences.length === 0) return undefined;
  const ids = new Set<string>();
  let until: string | undefined;
  for (const subject of subjects) {
    const own = silencesFor(silences, subject, now);
    if (own.length === 0) return undefined;
    for (const id of own) ids.add(id);
    const ends = silencedUntil(silences, own, now);
    if (ends !== undefined && (until === undefined || ends < until)) until = ends;
  }
  return { silenceIds: [...ids], ...(until !== undefined ? { until } : {}) };
}

/** The ids of the silences active at `now` that match `subject`, in their order; empty when none. */
export function silencesFor(
  silences: readonly Silence[],
  subject: SilenceSubject,
  now: Date,
): readonly string[] {
  return silences
    .filter((s) => isSilenceActive(s, now) && silenceMatches(s.matchers, subject))
    .map((s) => s.id);
}

/**
 * Whole-name glob, case-insensitive: `*` any run of characters (also none), `?` exactly one; every
 * other character stands for itself (no classes, no escapes: ARM names hold none of `*?[]\`).
 */
export function globMatches(pattern: string, name: string): boolean {
  const p = [...pattern.toLowerCase()];
  const n = [...name.toLowerCase()];
  // Iterative wildcard match with one backtrack point: linear-ish, no regex built from input.
  let pi = 0;
  let ni = 0;
  let star = -1;
  let mark = 0;
  while (ni < n.length) {
    if (pi < p.length && (p[pi] === '?' || p[pi] === n[ni])) {
      pi++;
      ni++;
    } else if (pi < p.length && p[pi] === '*') {
      star = pi++;
      mark = ni;
    } else if (star >= 0) {
      pi = star + 1;
      ni = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === '*') pi++;
  return pi === p.length;
}

function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function tagsMatch(
  wanted: Readonly<Record<string, string>>,
  tags: Readonly<Record<string, string>> | undefined,
): boolean {
  if (tags === undefined) return false;
  const byName = new Map(Object.entries(tags).map(([name, value]) => [name.toLowerCase(), value]));
  return Object.entries(wanted).every(([name, value]) => byName.get(name.toLowerCase()) === value);
}

/** `HH:MM` as minutes since midnight, or undefined when it is not one (24:00 allowed when `end`). */
export function readClockTime(text: string, end = false): number | undefined {
  const match = /^([01]\d|2[0-4]):([0-5]\d)$/.exec(text);
  if (!match) return undefined;
  const minutes = Number(match[1]) * 60 + Number(match[2]);
  if (minutes > 24 * 60 || (minutes === 24 * 60 && !end)) return undefined;
  return minutes;
}

/** Whether Intl knows `timeZone` (an IANA name, `UTC`, or a `±HH:MM` offset). */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** Whether `now` falls in `window` on its zone's wall clock. */
export function inWeeklyWindow(window: WeeklyWindow, now: Date): boolean {
  const from = readClockTime(window.from);
  const to = readClockTime(window.to, true);
  if (from === undefined || to === undefined || from === to) return false;
  const { day, minutes } = wallClock(now, window.timeZone);
  const days = new Set(window.days);
  if (from < to) return days.has(WEEKDAYS[day]!) && minutes >= from && minutes < to;
  // Past midnight: the evening part on a listed day, the morning part on the day after one.
  const yesterday = WEEKDAYS[(day + 6) % 7]!;
  return (days.has(WEEKDAYS[day]!) && minutes >= from) || (days.has(yesterday) && minutes < to);
}

/** Minutes looked at by nextWeeklyStart: a week and a day (a DST change moves a window by an hour). */
const WEEK_AND_A_DAY_IN_MINUTES = 8 * 24 * 60;

/**
 * When `window` next begins after `now` (the first whole minute of its zone's wall clock in it), for
 * `silence list` to say of a pending weekly silence (a new-user trial: "pending" said not when).
 * `now` itself when the window holds `now`; undefined when it never holds any minute of the coming
 * week and a day (no day listed, `from` equal to `to`). Pure; at most WEEK_AND_A_DAY_IN_MINUTES looks.
 */
export function nextWeeklyStart(window: WeeklyWindow, now: Date): Date | undefined {
  if (inWeeklyWindow(window, now)) return now;
  const first = now.getTime() - (now.getTime() % 60_000) + 60_000;
  for (let i = 0; i < WEEK_AND_A_DAY_IN_MINUTES; i++) {
    const at = new Date(first + i * 60_000);
    if (inWeeklyWindow(window, at)) return at;
  }
  return undefined;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Day of week (0 = Sunday) and minutes since midnight of `now` on `timeZone`'s wall clock. */
function wallClock(now: Date, timeZone: string): { day: number; minutes: number } {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(now).map((p) => [p.type, p.value]));
  const day = WEEKDAYS.indexOf(String(parts.weekday).toLowerCase() as Weekday);
  return { day, minutes: Number(parts.hour) * 60 + Number(parts.minute) };
}

/** Windows followed by silencedUntil before it gives up (a silence that never ends: each day, all day). */
const UNTIL_STEPS = 16;

/**
 * Until when the silences named by `ids` hold a transition that they hold at `now` (ISO), for the
 * report and the run summary ("held until …"): the latest end of the windows they are in at `now`,
 * followed while one of them is active at that end (overlapping silences, or a weekly window that
 * ends at 24:00 where the next day's starts at 00:00, hold on); an expiry (`expiredAt`) ends a window
 * early. A weekly window's end is counted in whole minutes of its zone's wall clock, so a DST change
 * inside the window moves it by that hour. The first run from then sends the transition if the
 * server is still bad. Undefined when none of them is active at `now`. Pure.
 */
export function silencedUntil(
  silences: readonly Silence[],
  ids: readonly string[],
  now: Date,
): string | undefined {
  const holding = silences.filter((s) => ids.includes(s.id));
  let at = now;
  for (let step = 0; step < UNTIL_STEPS; step++) {
    const ends = holding.filter((s) => isSilenceActive(s, at)).map((s) => windowEnd(s, at));
    if (ends.length === 0) return step === 0 ? undefined : at.toISOString();
    const next = Math.max(...ends);
    if (!(next > at.getTime())) break;
    at = new Date(next);
  }
  return at.toISOString();
}

/** When the window `silence` is in at `at` ends (ms), its expiry counted. */
function windowEnd(silence: Silence, at: Date): number {
  const expired = silence.expiredAt !== undefined ? Date.parse(silence.expiredAt) : Infinity;
  const end = silence.weekly ? weeklyWindowEnd(silence.weekly, at) : Date.parse(silence.endsAt ?? '');
  return Math.min(Number.isNaN(end) ? at.getTime() : end, expired);
}

/** The end (ms) of the occurrence of `window` that holds `at`, in whole minutes of its wall clock. */
function weeklyWindowEnd(window: WeeklyWindow, at: Date): number {
  const from = readClockTime(window.from) ?? 0;
  const to = readClockTime(window.to, true) ?? 0;
  const { minutes } = wallClock(at, window.timeZone);
  const left = from < to || minutes < to ? to - minutes : 24 * 60 - minutes + to;
  const minuteStart = at.getTime() - (at.getTime() % 60_000);
  return minuteStart + left * 60_000;
}
