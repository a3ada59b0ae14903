import { alignedColumns } from '../aligned-columns';
import { buildSilenceStore } from '../../app/build-adapters';
import { configSource, silencesConfig, stateAdviceOf } from '../verb-config';
import { systemClock } from '../../adapters/clock/system-clock';
import { parseDuration } from '../../config/duration';
import { followUpCommand } from '../../core/follow-up-command';
import { formatPath } from '../../core/input/format-issues';
import {
  expandWeekdays,
  isSilenceActive,
  isSilenceOver,
  nextWeeklyStart,
  type Silence,
} from '../../core/notice/silence';
import { silenceSchema } from '../../core/notice/silence-schema';
import { reportedError } from '../../core/reported-error';
import { toError, UsageError } from '../../errors';
import { typedStateStore } from '../../pipeline/notify/typed-stores';
import {
  addSilence,
  expireSilence,
  readStoredSilences,
  type StoredEntryNotValid,
  type StoredSilencesRead,
} from '../../pipeline/notify/silence-store';
import { EXIT_FAILED, EXIT_OK } from '../exit-codes';
import { terminalField, terminalJson } from '../terminal-text';
import { adviceForCommand } from '../command-advice';
import { parseVerbArgs } from '../verb-args';
import { SILENCE, SILENCE_ADD, SILENCE_EXPIRE, SILENCE_LIST } from '../verb-specs';

/**
 * `silence add|list|expire`: the silences kept with the notify state (silence-store.ts). `add` checks
 * the silence with the config's schema (silence-schema.ts) before storing it; `list` shows the config's
 * (`notify.silences`) and the stored ones; `expire` ends a stored one now.
 */
export async function silenceVerb(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  if (action === 'add') return addVerb(rest);
  if (action === 'list') return listVerb(rest);
  if (action === 'expire') return expireVerb(rest);
  throw new UsageError([`after "silence", say "add", "list" or "expire"`], SILENCE.name);
}

async function addVerb(args: string[]): Promise<number> {
  // --config and --id are required (verb-specs.ts): parseVerbArgs refused their absence.
  const { values } = parseVerbArgs(SILENCE_ADD, args);
  const now = systemClock.now();
  const issues: string[] = [];
  const tags: Record<string, string> = {};
  let tagRefused = false;
  for (const tag of values.tag ?? []) {
    const at = tag.indexOf('=');
    if (at <= 0) {
      tagRefused = true;
      issues.push(`--tag ${JSON.stringify(terminalField(tag, 60))}: give NAME=VALUE, e.g. --tag env=prod`);
    } else tags[tag.slice(0, at)] = tag.slice(at + 1);
  }
  const matchers = {
    ...(values.subscription ? { subscription: values.subscription } : {}),
    ...(values['resource-group'] ? { resourceGroup: values['resource-group'] } : {}),
    ...(values.gateway ? { gateway: values.gateway } : {}),
    ...(values.pool ? { backendPool: values.pool } : {}),
    ...(values.cause ? { cause: values.cause } : {}),
    ...(values.severity ? { severity: values.severity } : {}),
    ...(Object.keys(tags).length ? { tags } : {}),
  };
  // Options of the other kind of window would be dropped without a word: said instead.
  const oneOff = (['starts', 'ends', 'for'] as const).filter((o) => values[o] !== undefined);
  const weekly = (['from', 'to', 'time-zone'] as const).filter((o) => values[o] !== undefined);
  if (values.weekly !== undefined && oneOff.length)
    issues.push(
      `${oneOff.map((o) => `--${o}`).join(', ')}: not with --weekly: give --starts/--ends/--for (one window) or --weekly with --from, --to and --time-zone (a recurring one)`,
    );
  // A new-user trial: without it the window was quietly UTC's, an hour off for an operator in Berlin.
  if (values.weekly !== undefined && values['time-zone'] === undefined)
    issues.push(
      '--time-zone: required with --weekly: the zone whose wall clock --from and --to are on, e.g. --time-zone Europe/Berlin, or UTC',
    );
  if (values.weekly === undefined && weekly.length)
    issues.push(`${weekly.map((o) => `--${o}`).join(', ')}: only with --weekly DAYS (a recurring window)`);
  if (values.ends !== undefined && values.for !== undefined)
    issues.push(
      '--ends, --for: give one of them: when it ends (--ends ISO) or how long it lasts (--for DURATION)',
    );
  let window: Record<string, unknown>;
  // An end in the past is said as that (not as "before --starts", which defaults to now).
  let endsInPast = false;
  let weeklyRefused = false;
  if (values.weekly !== undefined) {
    const { days, invalid } = expandWeekdays(values.weekly);
    weeklyRefused = invalid.length > 0 || days.length === 0;
    if (weeklyRefused)
      issues.push(
        `--weekly ${JSON.stringify(terminalField(values.weekly, 60))}: ${
          invalid.length
            ? `${invalid.map((w) => JSON.stringify(terminalField(w, 20))).join(', ')} ${invalid.length === 1 ? 'is' : 'are'} not a day or a range of days`
            : 'names no day'
        }: write days (mon, Monday) separated by commas, or ranges, e.g. --weekly mon-fri, --weekly sat,sun`,
      );
    window = {
      weekly: {
        days,
        from: values.from,
        to: values.to,
        // UTC only so that the window's other problems are found too: its absence is an issue above.
        timeZone: values['time-zone'] ?? 'UTC',
      },
    };
  } else {
    const startsAt = values.starts ?? now.toISOString();
    let endsAt = values.ends;
    if (values.for !== undefined) {
      const inMs = parseDuration(values.for);
      if (inMs === undefined)
        issues.push(
          `--for ${JSON.stringify(terminalField(values.for, 40))}: is not a duration: write a whole number and a unit with no space (ms, s, m, h, d), units joined for a sum, e.g. --for 2h, --for 90m, --for 1h30m, --for 1d`,
        );
      else if (inMs === 0)
        issues.push(
          `--for ${JSON.stringify(terminalField(values.for, 40))}: must be more than zero: how long the silence lasts, e.g. --for 2h`,
        );
      // An unreadable --starts is said by the schema, as --starts.
      else if (!Number.isNaN(Date.parse(startsAt)))
        endsAt = new Date(Date.parse(startsAt) + inMs).toISOString();
    }
    if (endsAt === undefined && values.for === undefined)
      issues.push('--ends: say when it ends: --ends ISO or --for DURATION (or --weekly …)');
    // A window over already would never apply, and its id could never be used again (not stored).
    const endsInMs = endsAt === undefined ? NaN : Date.parse(endsAt);
    endsInPast =
      !Number.isNaN(endsInMs) &&
      endsInMs <= now.getTime() &&
      (values.starts === undefined || Date.parse(startsAt) < endsInMs);
    if (endsInPast)
      issues.push(
        values.for !== undefined
          ? `--starts, --for: the silence would end at ${new Date(endsInMs).toISOString()}, in the past (now ${now.toISOString()}): it would never apply; give a later --starts, or leave it out to start now`
          : `--ends: ${terminalField(endsAt ?? '', 40)} is in the past (now ${now.toISOString()}): the silence would never apply; give an end after now`,
      );
    window = { startsAt, endsAt };
  }
  const parsed = silenceSchema.safeParse({
    id: values.id,
    matchers,
    ...window,
    ...(values.comment ? { comment: values.comment } : {}),
    createdBy: 'appgw-insights silence add',
  });
  if (!parsed.success)
    issues.push(
      ...parsed.error.issues
        // "ends is missing" when --for was refused already, or neither --ends nor --for was given (said
        // above as "say when it ends"): said once.
        .filter((i) => !(formatPath(i.path) === 'endsAt' && endsAtUnset(window) && values.ends === undefined))
        .filter((i) => !(endsInPast && formatPath(i.path) === 'endsAt'))
        // A --tag without "=" was said above: "no matcher" would blame the user for leaving it out.
        .filter((i) => !(tagRefused && formatPath(i.path) === 'matchers'))
        // The days of --weekly were said above, as typed.
        .filter((i) => !(weeklyRefused && formatPath(i.path).startsWith('weekly.days')))
        .map((i) => cliIssue(formatPath(i.path), i.message)),
    );
  if (issues.length || !parsed.success) throw new UsageError(issues, SILENCE_ADD.name);
  const config = await silencesConfig(values.config, SILENCE_ADD.name);
  const store = typedStateStore(
    buildSilenceStore(config, process.env, stateAdviceOf(values.config, config.state)),
  );
  const silence = parsed.data as Silence;
  await addSilence(store, silence, now, config.silences, configSource(values.config));
  process.stdout.write(`added silence ${silence.id}: ${describe(silence, now)}\n`);
  return EXIT_OK;
}

async function listVerb(args: string[]): Promise<number> {
  const { values } = parseVerbArgs(SILENCE_LIST, args);
  const config = await silencesConfig(values.config, SILENCE_LIST.name);
  const now = systemClock.now();
  const errors: string[] = [];
  let read: StoredSilencesRead | undefined;
  try {
    read = await readStoredSilences(
      typedStateStore(buildSilenceStore(config, process.env, stateAdviceOf(values.config, config.state))),
      configSource(values.config),
    );
    // Each stored silence this version does not accept: said once, the others listed.
    errors.push(...read.invalid.map((error) => error.message));
  } catch (error) {
    errors.push(adviceForCommand(reportedError(toError(error)).message, SILENCE_LIST.name, args));
  }
  const all = [
    ...config.silences.map((s) => ({ source: 'config', silence: s as Silence })),
    ...(read?.silences ?? []).map((s) => ({ source: 'stored', silence: s })),
  ].filter(({ silence }) => values.all || !isSilenceOver(silence, now));
  // --all: every stored entry, the ones never applied too: not valid (in `silences`, each also an error
  // below) and set aside by `silence expire` (in `setAside`), each with why (and when).
  const notApplied = values.all
    ? [
        ...(read?.notValid ?? []).map((entry) => ({ state: 'not-valid' as const, entry })),
        ...(read?.setAside ?? []).map((entry) => ({ state: 'set-aside' as const, entry })),
      ]
    : [];
  if (values.json) {
    const silences = [
      ...all.map(({ source, silence }) => ({ source, state: stateOf(silence, now), ...silence })),
      ...notApplied.map(({ state, entry }) => ({ source: 'stored', state, ...entry })),
    ];
    process.stdout.write(`${terminalJson({ silences, errors })}\n`);
  } else {
    // Stored silences that could not be read are unknown, not none (issue 15's trial: "no silences"
    // beside an error on stderr read as an all-clear): the configuration's are listed, and this said.
    if (read === undefined)
      process.stdout.write(
        `stored silences not read (see the error below); ${all.length ? "the configuration's:" : 'none in the configuration'}\n`,
      );
    else if (all.length + notApplied.length === 0) process.stdout.write('no silences\n');
    // The window and matchers of every row begin at one place (alignedColumns).
    const rows = [
      ...all.map(({ source, silence }) => ({
        columns: [terminalField(silence.id, 64), stateOf(silence, now), source],
        rest: describe(silence, now),
      })),
      ...notApplied.map(({ state, entry }) => ({
        // Its place, as its error on stderr names it ("entry 4"): rows of entries without an id differ.
        columns: [terminalField(entry.id ?? `(no id: entry ${entry.entry})`, 64), state, 'stored'],
        rest: notAppliedText(state, entry),
      })),
    ];
    // Padded to the longest id a silence may have (64 characters), not notify list's 40.
    for (const line of alignedColumns(rows, SILENCE_ID_CHARS)) process.stdout.write(`${line}\n`);
  }
  for (const error of errors) process.stderr.write(`error: ${error}\n`);
  return errors.length ? EXIT_FAILED : EXIT_OK;
}

/**
 * One line for a stored entry that never applied: `set aside at T by silence expire, never applied (not
 * valid: …); kept under "setAside"`, or `not valid, not applied: …` for one still in `silences`.
 */
function notAppliedText(state: 'not-valid' | 'set-aside', entry: StoredEntryNotValid): string {
  const problems = entry.problems.length ? entry.problems.join('; ') : 'no problem recorded';
  return terminalField(
    state === 'set-aside'
      ? `set aside at ${entry.setAsideAt ?? '(unknown time)'} by silence expire, never applied (not valid: ${problems}); kept under "setAside"`
      : `not valid, not applied: ${problems}`,
    600,
  );
}

async function expireVerb(args: string[]): Promise<number> {
  const { values, positionals } = parseVerbArgs(SILENCE_EXPIRE, args);
  const issues: string[] = [];
  if (positionals.length !== 1) issues.push('give the id of one silence');
  if (issues.length) throw new UsageError(issues, SILENCE_EXPIRE.name);
  const config = await silencesConfig(values.config, SILENCE_EXPIRE.name);
  const store = typedStateStore(
    buildSilenceStore(config, process.env, stateAdviceOf(values.config, config.state)),
  );
  const outcome = await expireSilence(
    store,
    positionals[0] as string,
    systemClock.now(),
    config.silences,
    configSource(values.config),
  );
  process.stdout.write(
    'expired' in outcome
      ? expiredText(outcome)
      : 'alreadySetAside' in outcome
        ? `stored silence ${terminalField(outcome.id, 64)} was set aside already at ${outcome.alreadySetAside.setAsideAt ?? '(unknown time)'} (not valid, so never applied); nothing changed; \`${followUpCommand('silence list', configSource(values.config), '--all')}\` shows it\n`
        : `set aside stored silence ${terminalField(outcome.id, 64)} (not valid, so never applied: ${terminalField(outcome.setAside.problems.join('; '), 400)}); its JSON is kept under "setAside" in ${terminalField(store.name, 400)}\n`,
  );
  return EXIT_OK;
}

/** `expired silence ID at …`, or that it was over already (nothing changed). */
function expiredText(outcome: { readonly expired: Silence; readonly already?: 'expired' | 'ended' }): string {
  const id = terminalField(outcome.expired.id, 64);
  if (outcome.already === 'expired')
    return `silence ${id} already expired at ${outcome.expired.expiredAt ?? ''}; nothing changed\n`;
  if (outcome.already === 'ended')
    return `silence ${id} already ended at ${outcome.expired.endsAt ?? ''} (its window is over); nothing changed\n`;
  return `expired silence ${id} at ${outcome.expired.expiredAt ?? ''}\n`;
}

/** The option that gives a silence's field (`matchers.backendPool` → `--pool`), so errors name what was typed. */
const OPTION_OF: Readonly<Record<string, string>> = {
  id: '--id',
  startsAt: '--starts',
  endsAt: '--ends',
  comment: '--comment',
  'matchers.subscription': '--subscription',
  'matchers.resourceGroup': '--resource-group',
  'matchers.gateway': '--gateway',
  'matchers.backendPool': '--pool',
  'matchers.cause': '--cause',
  'matchers.severity': '--severity',
  'matchers.tags': '--tag',
  matchers: 'matchers',
  weekly: '--weekly',
  'weekly.days': '--weekly',
  'weekly.from': '--from',
  'weekly.to': '--to',
  'weekly.timeZone': '--time-zone',
};

/** The matcher options, as `silence add` takes them (the config's keys are in OPTION_OF). */
const MATCHER_OPTIONS =
  '--gateway, --resource-group, --pool, --subscription, --cause, --severity, --tag NAME=VALUE';

/**
 * A schema problem (silence-schema.ts, worded for the config's keys) in the CLI's terms: the option
 * that was typed, and the options in its message (`"from": "00:00", "to": "24:00"` → `--from 00:00
 * --to 24:00`), so an error from the CLI names options and one from the config names keys.
 */
function cliIssue(path: string, message: string): string {
  if (path === 'matchers')
    return `no matcher: give at least one of ${MATCHER_OPTIONS}: a silence of everything is refused`;
  const text = message
    .replace(/"from": "(\d\d:\d\d)", "to": "(\d\d:\d\d)"/g, '--from $1 --to $2')
    .replace(/"(startsAt|endsAt|from|to|timeZone|weekly|days)"/g, (_m, k: string) =>
      optionOf(['from', 'to', 'timeZone', 'days'].includes(k) ? `weekly.${k}` : k),
    )
    .replace('or one rule per name', 'or one silence per name');
  return `${optionOf(path)}: ${text}`;
}

function optionOf(path: string): string {
  const exact = OPTION_OF[path];
  if (exact) return exact;
  if (path.startsWith('matchers.tags.')) return `--tag ${path.slice('matchers.tags.'.length)}=…`;
  if (path.startsWith('weekly.days[')) return '--weekly';
  return path || 'silence';
}

function endsAtUnset(window: Record<string, unknown>): boolean {
  return window['endsAt'] === undefined;
}

function stateOf(silence: Silence, now: Date): 'active' | 'pending' | 'expired' {
  if (isSilenceOver(silence, now)) return 'expired';
  return isSilenceActive(silence, now) ? 'active' : 'pending';
}

/**
 * One line: its window, every matcher, and its comment, safe for the terminal. Each matcher's value is
 * clipped on its own (MATCHER_VALUE_CHARS) and the comment after them, so no matcher is ever cut from
 * the line (issue 16's trial: a long glob clipped the line's `tags` matcher away, and a silence read as
 * broader than it is).
 */
function describe(silence: Silence, now: Date): string {
  // A weekly window not in force says when it next is (a new-user trial: "pending" said not when).
  const next =
    silence.weekly && silence.expiredAt === undefined && !isSilenceActive(silence, now)
      ? nextWeeklyStart(silence.weekly, now)
      : undefined;
  const window = silence.weekly
    ? `weekly ${silence.weekly.days.join(',')} ${silence.weekly.from}–${silence.weekly.to} ${silence.weekly.timeZone}${next ? ` (next from ${next.toISOString()})` : ''}`
    : `${silence.startsAt ?? ''} – ${silence.endsAt ?? ''}`;
  const value = (text: string) => terminalField(text, MATCHER_VALUE_CHARS);
  const matchers = Object.entries(silence.matchers)
    .map(([name, matcher]) =>
      typeof matcher === 'string'
        ? `${name}=${value(matcher)}`
        : `${name}=${JSON.stringify(Object.fromEntries(Object.entries(matcher).map(([k, v]) => [value(k), value(String(v))])))}`,
    )
    .join(' ');
  const comment = silence.comment ? ` # ${terminalField(silence.comment, COMMENT_CHARS)}` : '';
  // `silence expire` ends a window early: `--all` shows when, or an expired silence reads as if its
  // window had run its course.
  const expired = silence.expiredAt ? ` expired ${terminalField(silence.expiredAt, 40)}` : '';
  return `${terminalField(window, 200)}${expired} ${matchers}${comment}`;
}

/** The longest silence id (silence-schema.ts: 1–64 characters), the widest its column gets. */
const SILENCE_ID_CHARS = 64;

/** Characters shown of one matcher's value (a glob, a tag's name or value) in `silence list`. */
const MATCHER_VALUE_CHARS = 80;
/** Characters shown of a silence's comment in `silence list`. */
const COMMENT_CHARS = 200;
